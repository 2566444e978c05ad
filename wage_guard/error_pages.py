"""The one place that maps domain exceptions and HTTP errors to pages (or JSON for ``/api``).

Kept apart from ``errors`` so services can raise the exceptions without importing the web layer.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, redirect, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wage_guard.errors import WageGuardError
from wage_guard.extensions import db, login_manager
from wage_guard.i18n import _

log = logging.getLogger(__name__)
#: Flask-WTF's reason when a POST carries no token at all: not one of our forms, so no second chance.
MISSING_TOKEN = "The CSRF token is missing."  # noqa: S105 - a message, not a secret


def register_error_handlers(app: Flask) -> None:
    """Render domain errors and HTTP errors as pages (or JSON for ``/api``), rolling back first."""

    @app.errorhandler(WageGuardError)
    def handle_domain_error(error: WageGuardError):  # type: ignore[no-untyped-def]
        from wage_guard import boundary

        boundary.end_failed(error)
        return _render(error.status, error.message, getattr(error, "errors", None))

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        # A form shown before the session changed (the browser's back button after logging in, a second tab, a
        # page left open for an hour) carries a stale token: show the same page again with a fresh form rather
        # than a dead end. Nothing was done, so repeating the request as a GET is safe.
        db.session.rollback()
        if error.description != MISSING_TOKEN and _shows_a_form_on_get():
            flash(_("The form had expired, so nothing was sent. Please fill it in again."), "error")
            return redirect(request.full_path if request.query_string else request.path, code=303)
        return _render(400, _("The form has expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def handle_rate_limit(error: RateLimitExceeded):  # type: ignore[no-untyped-def]
        return _render(429, _("Too many requests. Please wait a while and try again."))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        return _render(code, _http_message(code))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):  # type: ignore[no-untyped-def]
        _rollback_quietly()
        if _limit_storage_error(error):
            # Codes and logins fail closed when their limits cannot be counted (public pages fail open instead).
            log.error("rate-limit storage unavailable on %s %s: %s", request.method, request.endpoint, type(error).__name__)
            return _render(
                503,
                _("Codes and logins are paused for a few minutes: a security service is not available. Please try again later."),
            )
        if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
            # The database is out of reach (or dropped the connection): nothing was changed. The pool checks each
            # connection before use (pool_pre_ping), so the app recovers by itself once the database is back.
            log.error("database unavailable on %s %s: %s", request.method, request.endpoint, type(error.orig).__name__)
            g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is logged in
            return _render(503, _("The service is briefly unavailable and nothing was changed. Please try again in a minute."))
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _render(500, _("Something went wrong on our side. Please try again later."))


def _limit_storage_error(error: Exception) -> bool:
    """The shared limit storage (Redis, through the limits library) could not be reached."""
    from limits.errors import StorageError

    return isinstance(error, StorageError) or type(error).__module__.split(".")[0] == "redis"


def _rollback_quietly() -> None:
    """Roll back; a connection that is already gone cannot, and the pool discards it."""
    try:
        db.session.rollback()
    except sa.exc.DBAPIError:
        db.session.remove()


def _shows_a_form_on_get() -> bool:
    """True for a POST to an address that also answers GET (the page that showed the form)."""
    if request.method != "POST" or request.url_rule is None:
        return False
    return "GET" in (request.url_rule.methods or ())


def _http_message(code: int) -> str:
    messages = {
        403: _("You do not have permission to see this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        503: _("The service is briefly unavailable and nothing was changed. Please try again in a minute."),
        413: _("The file is too large: the limit is %(mb)d MB.", mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
    }
    return messages.get(code, _("The request could not be processed."))


#: Pages workers reach from text messages and QR codes: their errors offer a way on, not the staff login.
WORKER_PREFIXES = ("/s/", "/e/", "/me", "/id/", "/verify")


#: The API's error codes: a stable word for programs beside the message for people.
API_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    503: "unavailable",
}


def _render(status: int, message: str, errors: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        body = {"code": API_CODES.get(status, "server_error"), "message": message, "errors": errors or None}
        headers = {"WWW-Authenticate": 'Bearer realm="wage_guard"'} if status == 401 else {}
        return body, status, headers
    worker_page = request.path.startswith(WORKER_PREFIXES)
    return render_template("errors/error.html", status=status, message=message, worker_page=worker_page), status
