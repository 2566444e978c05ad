"""Workers (a person, once), their enrolments on projects, and the QR links that start an enrolment."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard import clock
from wage_guard.db import TimestampMixin
from wage_guard.enrollment.identity import mask_id_number
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.organisations.models import Crew, Project
from wage_guard.sms.phones import mask_mobile


class Worker(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A person identified by their resident ID number; re-used across projects."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    #: 18-character resident ID number, encrypted at rest; look it up through ``id_number_index``.
    id_number: Mapped[str] = mapped_column(EncryptedString("worker.id_number"))
    id_number_index: Mapped[str] = mapped_column(sa.String(64), unique=True)
    birth_date: Mapped[date]
    #: Home address (住址), required in a labour contract (劳动合同法 Art. 17); encrypted at rest.
    address: Mapped[str | None] = mapped_column(EncryptedString("worker.address"))
    #: Mobile number (E.164) last verified by SMS code; encrypted at rest.
    phone: Mapped[str] = mapped_column(EncryptedString("worker.phone"))
    phone_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    phone_verified_at: Mapped[datetime]
    #: Kept in each worker-portal session and checked on every request: raising it (portal logout, a phone
    #: change) ends every portal session of this person (``accounts.sessions.end_worker_sessions``).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the retention job erased this person's personal data, every period of legal.md §I having passed.
    erased_at: Mapped[datetime | None]

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="worker")

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.phone)

    def __repr__(self) -> str:  # no personal data in reprs: they end up in logs
        return f"<Worker {self.id}>"


class Enrollment(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A worker on a project's roster (实名制花名册)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    crew_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crew.id"))
    #: 工种, one of ``enrollment.trades.TRADES``.
    trade: Mapped[str] = mapped_column(sa.String(32))
    entry_date: Mapped[date]
    exit_date: Mapped[date | None]
    #: The QR link the worker used, for the evidence trail.
    link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrollment_link.id"))

    project: Mapped[Project] = relationship()
    worker: Mapped[Worker] = relationship(back_populates="enrollments")
    crew: Mapped[Crew | None] = relationship()
    link: Mapped[EnrollmentLink | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("project_id", "worker_id"),)

    def __repr__(self) -> str:
        return f"<Enrollment {self.id} project={self.project_id} worker={self.worker_id}>"


class EnrollmentLink(db.Model):  # type: ignore[name-defined,misc]
    """The secret behind a site's QR code: unguessable, expiring and revocable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    #: SHA-256 of the token printed in the QR code; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The token, encrypted, so the project page can redraw the same poster.
    token: Mapped[str] = mapped_column(EncryptedString("enrollment_link.token"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and clock.as_utc(self.expires_at) > now


class PendingEnrollment(db.Model):  # type: ignore[name-defined,misc]
    """Form data waiting for the SMS code; personal fields encrypted, removed when completed or stale."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random handle kept in the browser session instead of any personal data.
    handle: Mapped[str] = mapped_column(sa.String(64), unique=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment_link.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedString("pending.name"))
    id_number: Mapped[str] = mapped_column(EncryptedString("pending.id_number"))
    phone: Mapped[str] = mapped_column(EncryptedString("pending.phone"))
    trade: Mapped[str] = mapped_column(sa.String(32))
    address: Mapped[str | None] = mapped_column(EncryptedString("pending.address"))
    #: When the worker ticked the privacy consent, and the notice version they saw.
    consented_at: Mapped[datetime]
    consent_version: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    link: Mapped[EnrollmentLink] = relationship()
