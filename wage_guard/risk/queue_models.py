"""The projects waiting for a risk run after their data changed (a payroll or bank import, an answer, a complaint).

Why a table and not a run in the request: the engine evaluates every rule over the project, which is too slow for
a web request and must not fail a worker's answer. The request only records the project (one row per project, the
latest change time); the ``risk_pending_projects`` job runs the engine and removes the row. This module imports
nothing of the domain so that payroll, confirmations and complaints can use it without an import cycle.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard.extensions import db


class PendingProject(db.Model):  # type: ignore[name-defined,misc]
    """A project whose findings may be stale; ``queued_at`` is the time of its latest change."""

    __tablename__ = "risk_pending_project"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    queued_at: Mapped[datetime]
