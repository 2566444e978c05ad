"""The payroll lines' monthly partitions on PostgreSQL (``wage_guard.partitioning``): which months get one, when.

A month gets its partition ahead of time (the scheduled job keeps last month to ``AHEAD`` months ahead), and
on demand before an import writes it (a sheet for an older month). Creating one waits at most ``LOCK_TIMEOUT``
for the locks it needs (a long read of the default partition holds them); when it gives up, the month's lines
go to the default partition, correct but not pruned, and the next call tries again. Nothing here ever fails an
import or holds its transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from wage_guard import partitioning
from wage_guard.extensions import db
from wage_guard.payroll.models import PayrollLine

log = logging.getLogger(__name__)

#: How many months past the current one the scheduled job prepares.
AHEAD = 3
#: How long creating a partition may wait for its locks, on demand (an import) and ahead (the job).
LOCK_TIMEOUT = {"on_demand": "2s", "ahead": "30s"}


def ensure(months: Iterable[date], *, wait: str = LOCK_TIMEOUT["on_demand"]) -> list[date]:
    """Give each of ``months`` its partition; returns the months created (none on SQLite)."""
    try:
        return partitioning.ensure_months(db.engine, PayrollLine.__table__, months, lock_timeout=wait)
    except sa.exc.OperationalError as error:  # lock_timeout: the lines go to the default partition this time
        log.warning("payroll_line partitions not created now: %s", type(error.orig).__name__)
        return []


def ensure_ahead(today: date) -> list[date]:
    """Last month, this month and the next ``AHEAD`` months (what the scheduled job keeps ready)."""
    first = date(today.year, today.month, 1)
    months = [_shift(first, offset) for offset in range(-1, AHEAD + 1)]
    return ensure(months, wait=LOCK_TIMEOUT["ahead"])


def _shift(month: date, offset: int) -> date:
    index = month.year * 12 + month.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)
