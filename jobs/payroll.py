"""Keep the payroll lines' monthly partitions ready ahead of each month (PostgreSQL; nothing on SQLite)."""

from datetime import datetime

from wage_guard import clock
from wage_guard.payroll import partitions


def prepare_payroll_partitions(*, now: datetime) -> int:
    """Create the partitions from last month to ``partitions.AHEAD`` months ahead; returns how many were new."""
    return len(partitions.ensure_ahead(clock.china_date(now)))
