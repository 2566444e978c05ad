"""Queue a project for a risk run after its data changed: one idempotent upsert in the caller's transaction.

Why a separate module: the risk services import payroll, confirmations and complaints, so those may not import the
services back (an import cycle); this module imports only its model. The row keeps the time of the latest change,
so a change made while the job is running the project keeps it queued for the next round.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from wage_guard.extensions import db
from wage_guard.risk.queue_models import PendingProject


def queue_project(project_id: int, now: datetime) -> None:
    """Ask for a risk run of ``project_id``; queueing it again only moves ``queued_at`` forward. Never commits."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(PendingProject).values(project_id=project_id, queued_at=now)
    statement = statement.on_conflict_do_update(index_elements=["project_id"], set_={"queued_at": now})
    db.session.execute(statement)


def pending(*, now: datetime) -> list[tuple[int, datetime]]:
    """The queued projects as (project, queued_at), oldest change first, changed at or before ``now``."""
    query = sa.select(PendingProject.project_id, PendingProject.queued_at).where(PendingProject.queued_at <= now)
    return [(row[0], row[1]) for row in db.session.execute(query.order_by(PendingProject.queued_at, PendingProject.project_id))]


def done(project_id: int, queued_at: datetime) -> None:
    """Remove the project from the queue unless it changed again after ``queued_at`` (then it stays for the next run)."""
    db.session.execute(
        sa.delete(PendingProject)
        .where(PendingProject.project_id == project_id, PendingProject.queued_at == queued_at)
        .execution_options(synchronize_session=False)
    )
