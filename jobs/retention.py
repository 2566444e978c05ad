"""Forget what is past every retention period of legal.md §I, and nothing before (``wage_guard.retention``)."""

from datetime import datetime

from wage_guard.retention import erasure, services


def expire_logs(*, now: datetime) -> int:
    """Delete old finished text messages and blank old code events' addresses; returns how many rows changed."""
    purged = services.expire_logs(now=now)
    return purged.messages + purged.code_events


def erase_personal_data(*, now: datetime) -> int:
    """Erase the personal data of workers whose every period has passed; returns how many workers."""
    return erasure.erase_expired(now=now).workers
