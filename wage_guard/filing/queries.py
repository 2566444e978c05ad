"""The filing push as the administrator sees it: the newest records with their state, and the delivery log."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.filing.models import FilingAttempt, FilingRecord


@dataclass(frozen=True)
class FilingOverview:
    pending: int
    delivered: int
    records: list[FilingRecord]
    attempts: dict[int, list[FilingAttempt]]


def overview(limit: int = 200) -> FilingOverview:
    counts = dict(
        db.session.execute(
            sa.select(FilingRecord.delivered_at.is_(None), sa.func.count()).group_by(FilingRecord.delivered_at.is_(None))
        ).all()
    )
    records = list(db.session.scalars(sa.select(FilingRecord).order_by(FilingRecord.id.desc()).limit(limit)))
    attempts: dict[int, list[FilingAttempt]] = {r.id: [] for r in records}
    query = sa.select(FilingAttempt).where(FilingAttempt.record_id.in_(list(attempts))).order_by(FilingAttempt.id)
    for attempt in db.session.scalars(query):
        attempts[attempt.record_id].append(attempt)
    return FilingOverview(pending=counts.get(True, 0), delivered=counts.get(False, 0), records=records, attempts=attempts)
