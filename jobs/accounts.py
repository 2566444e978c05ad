"""Forget login state that has served its purpose: failed-login counters past their window, and portal logins
that never received their code (they hold a phone number)."""

from datetime import datetime

from wage_guard.accounts import throttle
from wage_guard.portal import services as portal


def purge_login_records(*, now: datetime) -> int:
    """Delete idle login counters and stale pending portal logins; returns how many rows went."""
    return throttle.purge(now=now) + portal.purge_stale_logins(now=now)
