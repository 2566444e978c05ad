"""Public addresses printed in text messages, QR codes, certificates and PDFs, built without a request.

Why one module: services build links from the scheduler and the CLI too, where Flask's ``url_for`` has no request
to take the host from. Here the path comes from the app's URL map (so it cannot drift from the routes) and the
host from ``PUBLIC_BASE_URL``, which production requires. In development without it, the web layer lends this
module the current request's host (``use_request_host``), so a link opened on a phone in the LAN points back to
the same server; services never touch the request themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from wage_guard.settings import settings

_request_host: Callable[[], str | None] = lambda: None  # noqa: E731 - replaced by the web layer


def use_request_host(provider: Callable[[], str | None]) -> None:
    """Called once by the app factory: ``provider`` returns the current request's host URL, or None."""
    global _request_host
    _request_host = provider


def public_base_url() -> str | None:
    """``PUBLIC_BASE_URL``, else (development) the current request's host, else None."""
    base = settings().public_base_url or _request_host()
    return base.rstrip("/") if base else None


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint`` (a path only, in development outside any request)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return (public_base_url() or "") + path
