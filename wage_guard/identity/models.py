"""Identity checks that wait for the foreman's in-person confirmation.

Two abuses share this one table because they share one remedy, a person with an ID card in front of the foreman:

- **phone change**: an ID number already known with another phone (re-enrolment with a new phone, or a lost
  phone). The phone on record never changes as a side effect; the change is held until the foreman confirms,
  the old number is told, and it can cancel during the hold.
- **shared phone**: a phone that already belongs to ``PHONE_SHARED_BY_AT_MOST`` people enrolling one more
  person, or receiving another person's signing link (包工头代签, proxy signing).

Every step is also an evidence-log entry, and inspectors see the checks of their county.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.enrollment.models import Worker
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.sms.phones import mask_mobile


class CheckKind(enum.StrEnum):
    PHONE_CHANGE = "phone_change"
    SHARED_PHONE_ENROLMENT = "shared_phone_enrolment"
    SHARED_PHONE_SIGNING = "shared_phone_signing"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


class CheckStatus(enum.StrEnum):
    AWAITING_FOREMAN = "awaiting_foreman"
    #: Phone changes only: confirmed, waiting for the hold period in which the old number can cancel.
    ON_HOLD = "on_hold"
    #: Done: the phone changed, the person was enrolled, or the signing link went out.
    DONE = "done"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


KIND_LABELS = {
    CheckKind.PHONE_CHANGE: _l("Phone number change"),
    CheckKind.SHARED_PHONE_ENROLMENT: _l("Enrolment with a shared phone"),
    CheckKind.SHARED_PHONE_SIGNING: _l("Signing link to a shared phone"),
}
STATUS_LABELS = {
    CheckStatus.AWAITING_FOREMAN: _l("Waiting for the foreman's in-person check"),
    CheckStatus.ON_HOLD: _l("Confirmed; the old number can still cancel"),
    CheckStatus.DONE: _l("Done"),
    CheckStatus.REJECTED: _l("Refused by the foreman"),
    CheckStatus.CANCELLED: _l("Cancelled from the old number"),
    CheckStatus.LAPSED: _l("Lapsed"),
}
OPEN_STATUSES = (CheckStatus.AWAITING_FOREMAN, CheckStatus.ON_HOLD)


class IdentityCheck(db.Model):  # type: ignore[name-defined,misc]
    """One request that only an in-person check by the project's foreman can let through."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CheckKind] = mapped_column(
        sa.Enum(CheckKind, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    status: Mapped[CheckStatus] = mapped_column(
        sa.Enum(CheckStatus, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e]), index=True
    )
    #: The project whose managers confirm it (where the person enrolled, or the contract's project).
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    #: The known person (phone changes, signing links); empty for a person not yet enrolled.
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    #: Enrolments waiting: the form as entered (encrypted), to be put on the roster on confirmation.
    name: Mapped[str | None] = mapped_column(EncryptedString("identity_check.name"))
    id_number: Mapped[str | None] = mapped_column(EncryptedString("identity_check.id_number"))
    trade: Mapped[str | None] = mapped_column(sa.String(32))
    link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrollment_link.id"))
    #: The phone the request is for (the new phone of a change, or the shared phone), proven by an SMS code.
    phone: Mapped[str] = mapped_column(EncryptedString("identity_check.phone"))
    phone_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    phone_verified_at: Mapped[datetime | None]
    #: Signing links waiting: the contract whose link is held.
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    #: Why the foreman is asked: "enrolment" (someone enrolled with a new phone) or "lost_phone" (started by the foreman).
    reason: Mapped[str] = mapped_column(sa.String(16), default="enrolment")
    requested_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    #: Phone changes: when the change takes effect unless the old number cancels.
    effective_at: Mapped[datetime | None] = mapped_column(index=True)
    #: SHA-256 of the secret in the cancel link texted to the old number.
    cancel_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    closed_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()
    worker: Mapped[Worker | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.phone)

    @property
    def person_name(self) -> str:
        return self.worker.name if self.worker is not None else (self.name or "")

    def __repr__(self) -> str:
        return f"<IdentityCheck {self.id} {self.kind} {self.status}>"


class SharedPhoneApproval(db.Model):  # type: ignore[name-defined,misc]
    """The foreman saw this person's ID card and let them use a phone that several people share."""

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    phone_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    approved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("identity_check.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    __table_args__ = (sa.UniqueConstraint("worker_id", "phone_index"),)
