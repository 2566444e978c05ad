"""Read-side questions about rosters, shared by the foreman's pages, the inspector's dashboard and the risk engine."""

from __future__ import annotations

import sqlalchemy as sa

from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project


def roster(project: Project) -> list[Enrollment]:
    """The project's enrolled workers, newest first."""
    query = sa.select(Enrollment).where(Enrollment.project_id == project.id).order_by(Enrollment.id.desc())
    return list(db.session.scalars(query))


def roster_counts(project_ids: list[int]) -> dict[int, int]:
    """Workers currently on each project's roster (no exit date), in one query."""
    query = (
        sa.select(Enrollment.project_id, sa.func.count())
        .where(Enrollment.project_id.in_(project_ids), Enrollment.exit_date.is_(None))
        .group_by(Enrollment.project_id)
    )
    return {pid: n for pid, n in db.session.execute(query)}
