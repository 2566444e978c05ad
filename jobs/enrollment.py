"""Remove unfinished enrolment forms so their personal data does not linger."""

from datetime import datetime

from wage_guard.enrollment import services


def purge_stale_enrollments(*, now: datetime) -> int:
    """Delete pending enrolments older than an hour; returns how many."""
    return services.purge_stale_pending(now=now)


def apply_phone_changes(*, now: datetime) -> int:
    """Confirmed phone changes whose hold passed take effect (and lapse checks nobody decided); returns how many."""
    return services.apply_due_phone_changes(now=now)
