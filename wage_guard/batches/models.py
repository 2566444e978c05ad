"""Batch work done by the scheduler rather than inside one request: issuing and sealing many contracts.

Why: issuing or sealing N contracts grows linearly (about 116 ms and 47 ms a contract), so a batch of 500 took
one to two minutes in a single request, past any server's timeout. A request now only checks the batch and
stores a run with one item per contract; the ``run_contract_batches`` job works the items one at a time, each in
its own transaction together with the mark that it is done. A run killed half way therefore resumes where it
stopped, and no contract is issued or sealed twice. Small batches are worked inside the request, through the
same code (``BATCH_INLINE_MAX``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.contracts.models import ContractBatch
from wage_guard.extensions import db


class RunKind(enum.StrEnum):
    ISSUE = "issue"
    SEAL = "seal"


class ItemState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class BatchRun(db.Model):  # type: ignore[name-defined,misc]
    """One batch of work on a contract batch: its kind, what it needs to resume, and when it finished."""

    __tablename__ = "batch_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    contract_batch_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_batch.id"), index=True)
    #: What the work needs besides the items (the foreman's offer, or the seal's placement and the requester);
    #: never personal data beyond what the contracts themselves carry.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    total: Mapped[int]
    created_at: Mapped[datetime]
    #: When every item was done or failed and the run's closing step (e.g. the sealing link) was taken.
    finished_at: Mapped[datetime | None] = mapped_column(index=True)

    contract_batch: Mapped[ContractBatch] = relationship()


class BatchItem(db.Model):  # type: ignore[name-defined,misc]
    """One contract's worth of work: the roster entry to issue to, or the contract to seal."""

    __tablename__ = "batch_item"
    __table_args__ = (sa.UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("batch_run.id"), index=True)
    position: Mapped[int]
    subject_id: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(16), default=ItemState.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    #: The contract issued or sealed.
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"))
    #: Why it failed, or why the last attempt failed (shown to the person who started the batch).
    error: Mapped[str | None] = mapped_column(sa.String(500))
    done_at: Mapped[datetime | None]

    run: Mapped[BatchRun] = relationship()
