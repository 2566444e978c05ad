"""How to start Debian's Chromium here: shared by the browser tests and the page-speed benchmark."""

from __future__ import annotations

import os
from pathlib import Path

#: Debian's chromium; WAGE_GUARD_CHROMIUM points elsewhere (e.g. on a developer's laptop).
CHROMIUM = Path(os.environ.get("WAGE_GUARD_CHROMIUM", "/usr/bin/chromium"))
#: Flags for Debian chromium as root on a machine without network (see shared integration notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
