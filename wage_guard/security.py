"""Access control helpers, session timeouts and security headers applied to every response."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, logout_user

from wage_guard import authorization, clock, links
from wage_guard.accounts.models import Role, User
from wage_guard.codes.services import Requester
from wage_guard.errors import PermissionDenied
from wage_guard.extensions import login_manager
from wage_guard.i18n import _

F = TypeVar("F", bound=Callable[..., Any])
DEVICE_COOKIE = "wg_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")

#: Self-hosted assets only: no CDN, no inline script. Inline styles are allowed for the QR SVG only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let only logged-in staff with one of ``roles`` through (403 for other roles, login for anonymous)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                raise PermissionDenied(_("Your role does not allow this page."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def staff_required(view: F) -> F:
    """Any logged-in staff member."""
    return role_required()(view)


def actor() -> User:
    """The logged-in staff member, typed."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def requester() -> Requester:
    """The audit description of the current request, with the browser's device id (set on first use)."""
    return Requester(ip_address=request.remote_addr, user_agent=request.user_agent.string, device_id=device_id())


def device_id() -> str:
    """A random id kept in a long-lived cookie, so one phone verifying codes for several people can be seen.

    It carries nothing about the person (it is random) and is only stored as a keyed hash.
    """
    value = request.cookies.get(DEVICE_COOKIE, "")
    if _DEVICE_ID.fullmatch(value):
        return value
    if "wage_guard_new_device" not in g:
        g.wage_guard_new_device = secrets.token_urlsafe(18)
    return str(g.wage_guard_new_device)


def _set_device_cookie(response: Any) -> Any:
    new = g.get("wage_guard_new_device")
    if new:
        response.set_cookie(
            DEVICE_COOKIE,
            new,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
    return response


def limit_storage_down() -> bool:
    """``exempt_when`` of the limits that fail open: public pages (verification, the log, the API) keep working when
    the shared limit storage (Redis) is down. The limits on codes and logins have no such exemption: they fail closed,
    and ``error_pages`` answers 503 with a clear message."""
    from wage_guard.extensions import limiter

    try:
        return not limiter.storage.check()
    except Exception:  # noqa: BLE001 - a storage that cannot even answer a ping is down
        return True


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are allowed as ``next`` (no scheme, no host, no ``//``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    app.before_request(_enforce_session_timeouts)
    # After the session checks: who may use each endpoint (wage_guard/authorization.py, deny by default).
    app.before_request(authorization.authorize_request)
    app.after_request(_security_headers)
    app.after_request(_set_device_cookie)
    links.use_request_host(_request_host)


def _request_host() -> str | None:
    """The current request's host for public links when ``PUBLIC_BASE_URL`` is unset (development only)."""
    return request.host_url if has_request_context() else None


def _enforce_session_timeouts() -> Any:
    if not current_user.is_authenticated:
        return None
    now = clock.utcnow().timestamp()
    config = current_app.config
    login_at = session.get("login_at", 0)
    last_seen = session.get("last_seen", 0)
    expired = (
        now - login_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        or now - last_seen > config["SESSION_IDLE_TIMEOUT"].total_seconds()
    )
    if expired:
        logout_user()
        session.clear()
        return redirect(url_for("accounts.login", expired=1))
    session["last_seen"] = now
    return None


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and not request.endpoint.endswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def session_identifier() -> str:
    """Flask-Login's "strong" session protection ties a session to the client; keyed, so the cookie holds no
    readable (or brute-forceable) hash of the client's address."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    client = f"{request.remote_addr or ''}|{request.user_agent.string}"
    return hmac.new(key, b"session-client\x00" + client.encode(), hashlib.sha256).hexdigest()
