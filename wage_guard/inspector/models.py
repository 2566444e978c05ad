"""The inspector's work on a risk flag (issue 13): each step of acknowledge, investigate, resolve, dismiss and
assign, with its note, kept as the flag's history next to the engine's own transitions (``risk.models``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard.extensions import db


class FlagAction(db.Model):  # type: ignore[name-defined,misc]
    """One step an inspector took on a flag."""

    __tablename__ = "risk_flag_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_finding.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text)
    #: Why a flag is resolved while the engine still sees its condition (required then).
    reason: Mapped[str | None] = mapped_column(sa.Text)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    #: The evidence-log step that records it (its ``entry_id``).
    ledger_entry_id: Mapped[int | None] = mapped_column(sa.BigInteger)


class FlagAssignment(db.Model):  # type: ignore[name-defined,misc]
    """Who works on a flag now (one row per flag, replaced on reassignment; the history is in ``FlagAction``)."""

    __tablename__ = "risk_flag_assignment"

    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_finding.id"), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    assigned_at: Mapped[datetime]
