"""The nightly wage-risk cross-check over every county (``wage_guard.risk.services.run``)."""

from datetime import datetime

from wage_guard.risk import services


def risk_cross_check(*, now: datetime) -> dict[str, int]:
    """Evaluate every rule everywhere; returns the transitions and the SMS queued (logged by the runner)."""
    counts = services.run(now=now)
    return {
        "opened": counts.total("opened"),
        "reopened": counts.total("reopened"),
        "closed": counts.total("closed"),
        "sms": counts.sms_sent,
    }


def risk_pending_projects(*, now: datetime) -> dict[str, int]:
    """Run the engine for each project whose data changed since its last run, then take it off the queue."""
    return services.run_pending(now=now)
