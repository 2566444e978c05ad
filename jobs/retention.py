"""Forget operational logs once their six-month retention has passed (``wage_guard.retention``)."""

from datetime import datetime

from wage_guard.retention import services


def expire_logs(*, now: datetime) -> int:
    """Delete old finished text messages and blank old code events' addresses; returns how many rows changed."""
    purged = services.expire_logs(now=now)
    return purged.messages + purged.code_events
