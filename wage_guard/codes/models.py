"""One-time verification codes, stored only as keyed hashes, and the audit trail of every send and check."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard import clock
from wage_guard.extensions import db


class VerificationCode(db.Model):  # type: ignore[name-defined,misc]
    """A 6-digit code sent to one phone for one purpose (enrolment, staff login, later signing)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the code proves, e.g. ``enrol:<link id>`` or ``login:<user id>``.
    purpose: Mapped[str] = mapped_column(sa.String(64))
    #: Blind index of the phone number the code went to.
    phone_index: Mapped[str] = mapped_column(sa.String(64))
    #: HMAC-SHA256 of the code under ``CODE_HASH_KEY``, salted with ``salt``.
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    salt: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    expires_at: Mapped[datetime]
    failed_attempts: Mapped[int] = mapped_column(default=0)
    consumed_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_verification_code_purpose_phone", "purpose", "phone_index", "created_at"),
        sa.Index("ix_verification_code_phone_created", "phone_index", "created_at"),
    )


class CodeEventKind(enum.StrEnum):
    SENT = "sent"
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"
    COOLDOWN = "cooldown"
    NO_CODE = "no_code"
    #: A send refused because the phone had its quota of codes for the hour or the day.
    QUOTA = "quota"
    #: A send or check refused because of too many wrong codes for the phone or account (cumulative lock).
    LOCKED_OUT = "locked_out"


class CodeEvent(db.Model):  # type: ignore[name-defined,misc]
    """A send or check of a code: when, for what, from which address and device. Never the code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int | None] = mapped_column(sa.ForeignKey("verification_code.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(64))
    phone_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[CodeEventKind] = mapped_column(
        sa.Enum(CodeEventKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    #: Whose identity the code proves: ``worker:<id>``, ``staff:<id>``, ``id:<keyed ID number>`` for a person
    #: not yet enrolled; empty where only the phone is known (the portal before the code is checked).
    person_key: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    #: Keyed hashes of the browser's device cookie and of the client address: linkable, not readable. With
    #: ``phone_index`` and ``person_key`` they are what the proxy-signing rule (R15) groups by.
    device_hash: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    ip_hash: Mapped[str | None] = mapped_column(sa.String(32), index=True)

    __table_args__ = (sa.Index("ix_code_event_kind_created", "kind", "created_at"),)


class CodeUnlock(db.Model):  # type: ignore[name-defined,misc]
    """Someone lifted a cumulative code lock: a foreman in person for a worker's phone, an administrator for staff.

    Wrong codes before the unlock no longer count against the phone or account.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_index: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    person_key: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    unlocked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
