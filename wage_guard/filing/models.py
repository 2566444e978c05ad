"""Filing records for the employment-filing system (劳动用工备案), queued when a contract takes effect, changes or
ends, and pushed by a job until the receiver accepts each one.

A record keeps only what identifies the event (the contract, the kind of event, its date); the body sent is built
from the contract when it is sent, so that no ID number is stored here in the clear. Every attempt is kept in the
delivery log (``FilingAttempt``), with the body's SHA-256 rather than the body.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.i18n import _l


class FilingEvent(enum.StrEnum):
    #: A labour contract took effect (新订).
    NEW = "new"
    #: A renewal took effect (续订).
    RENEWAL = "renewal"
    #: An amendment was signed (变更).
    CHANGE = "change"
    #: The contract was rescinded or terminated (解除/终止).
    TERMINATION = "termination"
    #: A fixed term ended without renewal (期满终止).
    EXPIRY = "expiry"


EVENT_LABELS = {
    FilingEvent.NEW.value: _l("New contract"),
    FilingEvent.RENEWAL.value: _l("Renewal"),
    FilingEvent.CHANGE.value: _l("Contract changed"),
    FilingEvent.TERMINATION.value: _l("Rescission or termination"),
    FilingEvent.EXPIRY.value: _l("Term ended"),
}


class FilingRecord(db.Model):  # type: ignore[name-defined,misc]
    """One event to file; delivered in order per contract, retried until accepted (never given up)."""

    __tablename__ = "filing_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The labour contract the event is about (for a change: the contract it changes).
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    #: The document that made the event (the contract itself, its renewal, amendment or ending).
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"))
    event: Mapped[str] = mapped_column(sa.String(16))
    effective_on: Mapped[date]
    queued_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    #: The reason of the last failed attempt (an HTTP status or a network error; never the body).
    last_error: Mapped[str | None] = mapped_column(sa.String(256))
    #: ``staff:<id>`` of an administrator who asked for it to be sent again, until the next attempt.
    resend_requested_by: Mapped[str | None] = mapped_column(sa.String(32))

    contract: Mapped[Contract] = relationship(foreign_keys=[contract_id])
    document: Mapped[Contract] = relationship(foreign_keys=[document_id])

    @property
    def event_label(self) -> str:
        return str(EVENT_LABELS[self.event])


class FilingAttempt(db.Model):  # type: ignore[name-defined,misc]
    """The delivery log: one row per POST, with its outcome."""

    __tablename__ = "filing_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("filing_record.id"), index=True)
    at: Mapped[datetime]
    #: The receiver's HTTP status, or None when it could not be reached.
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(256))
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: Who asked for it: ``system`` (the job) or ``staff:<id>`` (a manual resend).
    requested_by: Mapped[str] = mapped_column(sa.String(32), default="system")
