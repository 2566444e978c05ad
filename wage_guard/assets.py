"""Cache-busted static URLs: ``asset_url('css/app.css')`` adds a content hash, so browsers may cache for a year.

Workers are on slow mobile networks; a revalidation round trip per page view costs them more than the file.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for


@cache
def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """The URL of a static file with a ``v=`` content hash (recomputed per process, so deploys bust caches)."""
    static = current_app.static_folder or ""
    return url_for("static", filename=filename, v=_digest(str(Path(static) / filename)))
