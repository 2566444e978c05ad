"""The transaction boundary: views, CLI commands and jobs end a unit of work here, and only here.

Services flush and never commit. ``commit()`` commits once and then runs what must happen only after the
data is safely stored (delivering the SMS that the transaction queued). ``end_failed()`` rolls back, except
for failures that are themselves evidence (a wrong code, a failed login), which are committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template

from wage_guard.errors import WageGuardError
from wage_guard.extensions import db

_AFTER_COMMIT_KEY = "wage_guard.after_commit"


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the current transaction has committed (dropped on rollback)."""
    db.session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def commit() -> None:
    """Commit the unit of work, then run its after-commit callbacks, each committed on its own."""
    db.session.commit()
    callbacks = db.session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()
        db.session.commit()


def end_failed(error: WageGuardError) -> None:
    """Finish a unit of work that a domain error stopped."""
    if error.persist:
        commit()
    else:
        rollback()


def failed_form(template: str, error: WageGuardError, **context: Any) -> tuple[str, int]:
    """End the failed unit of work and re-render the form with the message and per-field errors."""
    end_failed(error)
    errors = getattr(error, "errors", None) or ({error.field: error.message} if error.field else {})
    return render_template(template, error=error.message, errors=errors, **context), error.status


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(_AFTER_COMMIT_KEY, None)
