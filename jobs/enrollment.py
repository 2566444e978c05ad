"""Remove unfinished enrolment forms so their personal data does not linger."""

from datetime import datetime

from wage_guard.enrollment import services


def purge_stale_enrollments(*, now: datetime) -> int:
    """Delete pending enrolments older than an hour; returns how many."""
    return services.purge_stale_pending(now=now)
