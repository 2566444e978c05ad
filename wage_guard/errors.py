"""Domain exceptions: services raise them, ``error_pages`` maps them to HTTP responses.

Services raise these with a user-facing, translatable message; views never format errors themselves.
"""

from __future__ import annotations


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


class Unauthenticated(WageGuardError):
    """No credential, or one that is unknown, revoked or expired (the API's 401)."""

    status = 401


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


class ServiceUnavailable(WageGuardError):
    """Something the request needs is out of order for now (storage full, database unreachable): nothing was done,
    and the same request can be repeated later."""

    status = 503


class InvalidTransition(Conflict):
    pass


class RecordedFailure(WageGuardError):
    """A refusal whose bookkeeping (attempt counters, audit events) is committed, not rolled back."""

    persist = True

    def __init__(self, message: str, *, status: int = 422, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status = status
