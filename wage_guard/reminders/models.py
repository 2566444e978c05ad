"""What each reminder has already sent, so that every reminder goes out once however often the job runs.

Why a table: the job runs every hour and may be re-run after a failure; the unique key (kind, subject, stage) makes
"send once" a property of the data, not of the schedule.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard.extensions import db


class ReminderSent(db.Model):  # type: ignore[name-defined,misc]
    """One reminder sent: ``contract_unsigned`` for ``contract:<id>`` at stage ``1d``/``3d``, or ``payroll_missing``
    for ``project:<id>`` at the stage of the month paid (``2026-10``)."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    subject: Mapped[str] = mapped_column(sa.String(48))
    stage: Mapped[str] = mapped_column(sa.String(16))
    sent_at: Mapped[datetime]

    __table_args__ = (sa.UniqueConstraint("kind", "subject", "stage"),)
