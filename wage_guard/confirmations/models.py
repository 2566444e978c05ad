"""Workers' confirmations of their pay (工资确认): one per payroll line, or per exit settlement, and its SMS links.

Why a table of its own: 保障农民工工资支付条例 Art. 31 asks for each month's pay table to be confirmed by the
worker, and a dispute must reach the foreman and the risk rules (R10, R11, R12) at once. A confirmation is about
what a slip says: when a re-import leaves a worker's line unchanged the confirmation moves to the new line; when
the line changed the open one is superseded and a new one is sent. Link tokens are stored only as SHA-256.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.accounts.models import User
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import Money, PayrollLine, line_reference


class Kind(enum.StrEnum):
    MONTHLY = "monthly"
    SETTLEMENT = "settlement"


class Status(enum.StrEnum):
    #: Texted, waiting for the worker's answer.
    PENDING = "pending"
    #: Not texted: the worker's phone change or shared-phone check is still open (sent when it clears).
    HELD = "held"
    ANSWERED = "answered"
    #: A corrected sheet (or settlement) replaced the one this asked about before it was answered.
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


class Answer(enum.StrEnum):
    RECEIVED = "received"
    NOT_RECEIVED = "not_received"
    WRONG_AMOUNT = "wrong_amount"
    SETTLED = "settled"
    SETTLEMENT_DISPUTED = "settlement_disputed"

    @property
    def label(self) -> str:
        return str(ANSWER_LABELS[self])

    @property
    def is_dispute(self) -> bool:
        return self in DISPUTES


DISPUTES = frozenset({Answer.NOT_RECEIVED, Answer.WRONG_AMOUNT, Answer.SETTLEMENT_DISPUTED})
ANSWERS_FOR = {
    Kind.MONTHLY: (Answer.RECEIVED, Answer.NOT_RECEIVED, Answer.WRONG_AMOUNT),
    Kind.SETTLEMENT: (Answer.SETTLED, Answer.SETTLEMENT_DISPUTED),
}
STATUS_LABELS = {
    Status.PENDING: _l("Waiting for the worker"),
    Status.HELD: _l("Not sent: identity check open"),
    Status.ANSWERED: _l("Answered"),
    Status.SUPERSEDED: _l("Replaced by a corrected sheet"),
}
ANSWER_LABELS = {
    Answer.RECEIVED: _l("Received, correct"),
    Answer.NOT_RECEIVED: _l("Not received"),
    Answer.WRONG_AMOUNT: _l("Amount wrong"),
    Answer.SETTLED: _l("Settled"),
    Answer.SETTLEMENT_DISPUTED: _l("Settlement disputed"),
}


def _enum(kind: type[enum.StrEnum], length: int) -> sa.Enum:
    return sa.Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Settlement(db.Model):  # type: ignore[name-defined,misc]
    """The final settlement (结清) the foreman recorded when a worker left the site; a new one replaces the last."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment.id"), index=True)
    exit_date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(EncryptedString("settlement.note"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    recorded_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]

    enrollment: Mapped[Enrollment] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class WageConfirmation(db.Model):  # type: ignore[name-defined,misc]
    """A worker's confirmation of one payroll line (monthly) or of their exit settlement."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Kind] = mapped_column(_enum(Kind, 16))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    #: The wage month (first day) for monthly confirmations.
    month: Mapped[date | None]
    #: The confirmed line, with ``month`` (the line's partition key on PostgreSQL).
    line_id: Mapped[int | None] = mapped_column(index=True)
    settlement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("settlement.id"), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status, 16))
    #: True when this asks again because a re-imported sheet changed the worker's line (the SMS says so).
    is_correction: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    answer: Mapped[Answer | None] = mapped_column(_enum(Answer, 24))
    answered_at: Mapped[datetime | None]
    #: The amount the worker says they got (for "amount wrong" or a disputed settlement).
    claimed_amount: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(EncryptedString("wage_confirmation.note"))
    #: "link" (the SMS link) or "portal".
    answered_via: Mapped[str | None] = mapped_column(sa.String(16))
    superseded_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()
    worker: Mapped[Worker] = relationship()
    line: Mapped[PayrollLine | None] = relationship(
        primaryjoin="and_(PayrollLine.id == foreign(WageConfirmation.line_id), "
        "PayrollLine.month == foreign(WageConfirmation.month))"
    )
    settlement: Mapped[Settlement | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(line_id IS NULL) <> (settlement_id IS NULL)", name="one_subject"),
        *line_reference("wage_confirmation", "line_id", "month"),
        sa.Index("ix_wage_confirmation_status_created", "status", "created_at"),
    )

    @property
    def is_dispute(self) -> bool:
        return self.answer is not None and self.answer.is_dispute

    @property
    def month_label(self) -> str:
        """The wage month as 2026-10 (a month, not a date: no time zone applies)."""
        return f"{self.month:%Y-%m}" if self.month else ""

    def __repr__(self) -> str:
        return f"<WageConfirmation {self.id} {self.kind.value} {self.status.value}>"


class ConfirmationLink(db.Model):  # type: ignore[name-defined,misc]
    """An SMS link to a confirmation (the first text and each reminder); only the token's SHA-256 is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(sa.ForeignKey("wage_confirmation.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    confirmation: Mapped[WageConfirmation] = relationship()


#: 发放方式 as the parser normalises it, for the pay slip.
CHANNEL_LABELS = {
    "bank": _l("Bank payroll transfer (银行代发)"),
    "wage_account": _l("Project wage account (专户)"),
    "cash": _l("Cash"),
    "other": _l("Other"),
}
