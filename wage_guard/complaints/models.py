"""Workers' reports of unpaid wages (欠薪反映), from the site poster's QR page or the worker portal.

Why: a complaint is the strongest arrears signal (risk rule R13, red until closed), so it is kept as evidence and
tracked to closure by the project's foreman or the county's inspector. A poster complaint is stored before the
reporter's phone is proven; until ``verified_at`` is set it is invisible and purged after an hour.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.accounts.models import User
from wage_guard.enrollment.models import Worker
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import Money


class ComplaintStatus(enum.StrEnum):
    UNVERIFIED = "unverified"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(LABELS[self])


LABELS = {
    ComplaintStatus.UNVERIFIED: _l("Phone not yet confirmed"),
    ComplaintStatus.OPEN: _l("Open"),
    ComplaintStatus.CLOSED: _l("Closed"),
}


class Complaint(db.Model):  # type: ignore[name-defined,misc]
    """One report of unpaid wages on a project: who, which months, how much, and how it was closed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    #: The roster worker with the proven phone, when there is one (a complainant need not be on the roster).
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedString("complaint.name"))
    phone: Mapped[str] = mapped_column(EncryptedString("complaint.phone"))
    #: The unpaid months as "YYYY-MM" joined by commas, in order.
    months: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(EncryptedString("complaint.note"))
    #: "poster" or "portal".
    source: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[ComplaintStatus] = mapped_column(
        sa.Enum(ComplaintStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]), index=True
    )
    #: SHA-256 of the random handle this browser holds while the code is awaited (poster complaints).
    handle_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    resolution: Mapped[str | None] = mapped_column(EncryptedString("complaint.resolution"))

    project: Mapped[Project] = relationship()
    worker: Mapped[Worker | None] = relationship()
    closed_by: Mapped[User | None] = relationship()

    @property
    def month_list(self) -> list[str]:
        return [m for m in self.months.split(",") if m]

    def __repr__(self) -> str:
        return f"<Complaint {self.id} {self.status.value}>"
