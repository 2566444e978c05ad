"""Deliver queued text messages and retry failed ones."""

from datetime import datetime

from wage_guard.sms import services


def deliver_pending_sms(*, now: datetime) -> int:
    """Send every queued message whose next attempt is due; returns how many were sent."""
    return services.deliver_pending(now=now)
