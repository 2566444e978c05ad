"""Signed contracts waiting for their long-term validation data (PAdES B-LTA), added by a job after the request.

Why a queue: completing to B-LTA (validation data for every certificate, revocation lists, a document timestamp)
took more than half of the worker's signing request. The contract is complete and valid at B-T, with its
signature timestamp, the moment the last party signs; the long-term data only keeps it verifiable after the
certificates expire. So the signing request stores the B-T version and queues it here, and the
``complete_long_term`` job adds the B-LTA version right after, retrying with back-off when it fails.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.contracts.models import Contract, ContractDocument
from wage_guard.extensions import db


class LongTermUpgrade(db.Model):  # type: ignore[name-defined,misc]
    """One signed version to complete to B-LTA: queued, attempted, and completed (or overtaken)."""

    __tablename__ = "long_term_upgrade"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    #: The B-T version to complete; a later version (e.g. the completed one) overtakes it.
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_document.id"), unique=True)
    queued_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    #: Why the last attempt failed (the signing failure's reason, never personal data).
    last_error: Mapped[str | None] = mapped_column(sa.String(256))
    #: When it was completed, or found overtaken by a later version; None while waiting.
    done_at: Mapped[datetime | None] = mapped_column(index=True)

    contract: Mapped[Contract] = relationship()
    document: Mapped[ContractDocument] = relationship()
