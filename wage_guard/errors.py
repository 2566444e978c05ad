"""Domain exceptions and the one place that maps them to HTTP responses.

Services raise these with a user-facing, translatable message; views never format errors themselves.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wage_guard.extensions import db
from wage_guard.i18n import _

log = logging.getLogger(__name__)


class WageGuardError(Exception):
    """Base class: ``message`` is shown to the user, ``status`` is the HTTP status."""

    status = 400
    #: True when the failure itself must be kept (a wrong code, a failed login): the boundary commits.
    persist = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(WageGuardError):
    """One or more fields are wrong; ``errors`` maps each field to its message."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None, errors: dict[str, str] | None = None) -> None:
        super().__init__(message, field=field)
        self.errors = errors or ({field: message} if field else {})


class NotFound(WageGuardError):
    status = 404


class PermissionDenied(WageGuardError):
    status = 403


class Conflict(WageGuardError):
    status = 409


class Gone(WageGuardError):
    status = 410


class TooManyRequests(WageGuardError):
    status = 429


class InvalidTransition(Conflict):
    pass


class RecordedFailure(WageGuardError):
    """A refusal whose bookkeeping (attempt counters, audit events) is committed, not rolled back."""

    persist = True

    def __init__(self, message: str, *, status: int = 422, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status = status


def register_error_handlers(app: Flask) -> None:
    """Render domain errors and HTTP errors as pages (or JSON for ``/api``), rolling back first."""

    @app.errorhandler(WageGuardError)
    def handle_domain_error(error: WageGuardError):  # type: ignore[no-untyped-def]
        from wage_guard import boundary

        boundary.end_failed(error)
        return _render(error.status, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):  # type: ignore[no-untyped-def]
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
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _render(500, _("Something went wrong on our side. Please try again later."))


def _http_message(code: int) -> str:
    messages = {
        403: _("You do not have permission to see this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("The file is too large: the limit is %(mb)d MB.", mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
    }
    return messages.get(code, _("The request could not be processed."))


#: Pages workers reach from text messages and QR codes: their errors offer a way on, not the staff login.
WORKER_PREFIXES = ("/s/", "/e/", "/me", "/id/", "/verify")


def _render(status: int, message: str):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return {"error": status, "message": message}, status
    worker_page = request.path.startswith(WORKER_PREFIXES)
    return render_template("errors/error.html", status=status, message=message, worker_page=worker_page), status
