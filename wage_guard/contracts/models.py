"""Contracts, the versions of their PDF, cached page previews, signing links, batches and the event trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard import clock
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.db import TimestampMixin
from wage_guard.documents.store import document_store
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import Gone
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.i18n import _
from wage_guard.organisations.models import Employer, Project


def _enum(enum_class: type) -> sa.Enum:
    return sa.Enum(enum_class, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class ContractBatch(db.Model):  # type: ignore[name-defined,misc]
    """Contracts issued together; the employer seals a batch in one sitting with one code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    contracts: Mapped[list[Contract]] = relationship(back_populates="batch", order_by="Contract.id")
    project: Mapped[Project] = relationship()


class Contract(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One signed (or to-be-signed) document: a labour contract or a change to one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Printed on every page, e.g. ``WG-370322-2026-000042``.
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[Kind] = mapped_column(_enum(Kind), default=Kind.ORIGINAL)
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.AWAITING_EMPLOYER, index=True)
    #: The contract this document renews, amends, rescinds or terminates.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_batch.id"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    #: ``ContractTerms.to_dict()``, encrypted because it holds the worker's ID number and address.
    terms_json: Mapped[str] = mapped_column(EncryptedString("contract.terms"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    employer_signed_at: Mapped[datetime | None]
    worker_signed_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: Rescissions and terminations: the last day of employment, and what the parties agreed (wages, compensation).
    ends_on: Mapped[date | None]
    arrangements: Mapped[str | None] = mapped_column(sa.Text)
    #: Checks a contract was issued without, for the risk engine: ``{"R02": {"outcome": "inconclusive", ...}}`` when
    #: no minimum wage was known for the site's county on the start date (contracts.issuing.require_lawful).
    data_quality: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: Notices (``Kind.is_notice``): the legal ground (``severance.GROUNDS``), the facts the employer states, and
    #: the figures printed (severance months, pay in lieu of notice, renewal refused); see ``contracts.endings``.
    ending_ground: Mapped[str | None] = mapped_column(sa.String(16))
    ending_reason: Mapped[str | None] = mapped_column(sa.Text)
    ending_details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: When the worker acknowledged receipt of a notice in the portal (never required for it to take effect).
    receipt_acknowledged_at: Mapped[datetime | None]

    batch: Mapped[ContractBatch] = relationship(back_populates="contracts")
    parent: Mapped[Contract | None] = relationship(remote_side=[id])
    project: Mapped[Project] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    worker: Mapped[Worker] = relationship()
    employer: Mapped[Employer] = relationship()
    documents: Mapped[list[ContractDocument]] = relationship(back_populates="contract", order_by="ContractDocument.version")
    events: Mapped[list[ContractEvent]] = relationship(back_populates="contract", order_by="ContractEvent.id")

    @property
    def current_document(self) -> ContractDocument:
        return self.documents[-1]

    def __repr__(self) -> str:
        return f"<Contract {self.id} {self.number} {self.status}>"


#: Document stages the signing journeys and the verifier share: the version that holds every signature (B-T;
#: a worker's signature, or a notice's seal) and the one a job then adds long-term validation data to (B-LTA).
WORKER_SIGNED, NOTICE_SEALED, COMPLETED = "worker_signed", "notice_sealed", "completed"
SIGNED_STAGES = (WORKER_SIGNED, NOTICE_SEALED)


class ContractDocument(db.Model):  # type: ignore[name-defined,misc]
    """One version of a contract's PDF: rendered, sealed by the employer, signed by the worker, completed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    version: Mapped[int]
    #: ``rendered``, ``employer_sealed``, ``worker_signed`` (both signatures, B-T), ``notice_sealed`` (a notice's
    #: seal, B-T) or ``completed`` (the same signatures with long-term validation data, B-LTA, added by a job).
    stage: Mapped[str] = mapped_column(sa.String(24))
    #: Only versions stored before the document store hold their PDF here (``flask contracts move-documents``
    #: moves them); the store keeps the others under ``sha256``.
    pdf_blob: Mapped[bytes | None] = mapped_column("pdf", sa.LargeBinary)
    #: The PDF's SHA-256: its key in the document store, and what the integrity job re-checks the file against.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    #: When the retention job removed the PDF (and its page images) from the store; the hash stays.
    erased_at: Mapped[datetime | None]

    contract: Mapped[Contract] = relationship(back_populates="documents")
    __table_args__ = (sa.UniqueConstraint("contract_id", "version"),)

    @property
    def pdf(self) -> bytes:
        """The PDF, from the document store (or the legacy column); gone once its retention period has passed."""
        if self.erased_at is not None:
            raise Gone(_("This document was deleted after the period the law requires it to be kept had ended."))
        return self.pdf_blob if self.pdf_blob is not None else document_store().get(self.sha256)


#: What the document store holds, by the rows that name it: versions not kept in the legacy column nor erased by
#: the retention job, and page images not kept in theirs. The integrity job and the backup both read these.
DOCUMENTS_IN_STORE = sa.and_(ContractDocument.pdf_blob.is_(None), ContractDocument.erased_at.is_(None))


class PagePreview(db.Model):  # type: ignore[name-defined,misc]
    """A page of a document as WebP for phones, rendered once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_document.id"), index=True)
    page_index: Mapped[int]
    #: Only previews made before the document store hold their image here; the store keeps the others.
    webp_blob: Mapped[bytes | None] = mapped_column("webp", sa.LargeBinary)
    #: The image's SHA-256, its key in the document store (None for a preview still in ``webp_blob``).
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    width_px: Mapped[int]
    height_px: Mapped[int]
    __table_args__ = (sa.UniqueConstraint("document_id", "page_index"),)

    @property
    def webp(self) -> bytes:
        """The image, from the document store (or the legacy column)."""
        if self.webp_blob is not None or self.sha256 is None:
            return self.webp_blob or b""
        return document_store().get(self.sha256)


class SigningLink(db.Model):  # type: ignore[name-defined,misc]
    """The secret in an SMS link: opens one contract (worker) or one batch (employer), expires, single use."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``worker`` or ``employer``.
    party: Mapped[str] = mapped_column(sa.String(16))
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract_batch.id"), index=True)
    #: The staff member (employer signatory) the employer link was sent to.
    signatory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    contract: Mapped[Contract | None] = relationship()
    batch: Mapped[ContractBatch | None] = relationship()


class ContractEvent(db.Model):  # type: ignore[name-defined,misc]
    """A step in a contract's life: who did what, when, from where (the evidence trail; never an ID number)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: ``staff:<id>``, ``worker:<id>``, ``employer:<id>`` or ``system``.
    actor: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(256))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    contract: Mapped[Contract] = relationship(back_populates="events")


PREVIEWS_IN_STORE = sa.and_(PagePreview.webp_blob.is_(None), PagePreview.sha256.is_not(None))
