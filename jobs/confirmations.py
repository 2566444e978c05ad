"""Wage confirmations: ask the workers of new payroll imports, send held requests once their identity check is
done, and remind after 3 and 7 days;
purge poster complaints whose phone was never confirmed."""

from datetime import datetime

from wage_guard.complaints import services as complaints
from wage_guard.confirmations import services


def request_wage_confirmations(*, now: datetime) -> int:
    """Ask the workers of newly imported payroll months to confirm their lines; returns how many were asked."""
    return services.request_pending(now=now)


def remind_wage_confirmations(*, now: datetime) -> int:
    """Texts sent (held requests released and reminders); safe to re-run."""
    return services.send_reminders(now=now)


def purge_unverified_complaints(*, now: datetime) -> int:
    """Delete poster complaints left without a confirmed code for an hour; returns how many."""
    return complaints.purge_unverified(now=now)
