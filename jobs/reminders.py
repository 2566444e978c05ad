"""Reminders: contracts still unsigned by the worker after 1 and 3 days; a pay day near without a wage sheet."""

from datetime import datetime

from wage_guard.reminders import services


def send_reminders(*, now: datetime) -> dict[str, int]:
    """Send each reminder due at ``now`` once; safe to re-run (returns the subjects reminded per kind)."""
    return services.run(now=now)
