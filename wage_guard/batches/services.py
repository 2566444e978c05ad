"""Start batch runs and work their items one at a time, so that each contract is all-or-nothing and a run
resumes after a crash without doing anything twice (``batches.models`` says why batches are jobs).

The work itself belongs to each kind (``batches.kinds``: issuing, sealing); this module only keeps the books.
An item is claimed (its attempt counted) and worked on a savepoint, and it is marked done in the same
transaction that stores its contract; the caller commits after each item. A failure the batch cannot get past
(an unlawful term, a contract withdrawn meanwhile) marks the item failed with its reason; anything else (the
timestamp authority or the HSM down, an unexpected error) is retried with back-off, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from wage_guard.batches.models import BatchItem, BatchRun, ItemState, RunKind
from wage_guard.contracts.models import ContractBatch
from wage_guard.errors import WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.signing.failures import SigningFailed

log = logging.getLogger(__name__)

#: After this many attempts an item that keeps failing for an unexpected reason is given up (and shown).
MAX_ATTEMPTS = 8
LONGEST_WAIT = timedelta(minutes=10)


class Kind(Protocol):
    """What a kind of batch work does for one item, and once when the whole run is settled."""

    def work(self, run: BatchRun, item: BatchItem, *, now: datetime) -> int:
        """Do the item's work in the caller's transaction; return the contract's id."""

    def finish(self, run: BatchRun, *, now: datetime) -> None:
        """The closing step, once every item is done or failed."""


def start(kind: RunKind, batch: ContractBatch, subjects: list[int], params: dict[str, Any], *, now: datetime) -> BatchRun:
    """Store a run with one pending item per subject, in the caller's transaction."""
    run = BatchRun(kind=kind.value, contract_batch=batch, params=params, total=len(subjects), created_at=now)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        BatchItem(run_id=run.id, position=position, subject_id=subject, next_attempt_at=now)
        for position, subject in enumerate(subjects)
    )
    db.session.flush()
    return run


def work_inline(run: BatchRun, kind: Kind, *, now: datetime) -> None:
    """Work every item of a small run in the caller's transaction: any failure fails the whole request."""
    for item in _items(run.id, ItemState.PENDING):
        item.attempts += 1
        _done(item, kind.work(run, item, now=now), now)
    run.finished_at = now
    kind.finish(run, now=now)


def work_next(kinds: Mapping[str, Kind], *, now: datetime) -> str | None:
    """Take one step: close a settled run, or work the next due item. Returns what happened (``finished``,
    ``done``, ``failed``, ``retrying``, ``skipped``), or None when nothing is due. The caller commits after it."""
    settled = _settled_run()
    if settled is not None:
        return _finish(settled, kinds[settled.kind], now)
    item = _next_due(now)
    if item is None:
        return None
    if not _claim(item):
        return "skipped"  # another worker took it between the read and the claim
    try:
        with db.session.begin_nested():
            contract_id = kinds[item.run.kind].work(item.run, item, now=now)
    except SigningFailed as exc:  # a signing service is down: nothing stored, try again later
        return _retry(item, exc.message, now)
    except WageGuardError as error:  # the batch cannot get past this one: say why, go on with the others
        item.state, item.error, item.done_at = ItemState.FAILED.value, error.message[:500], now
        return "failed"
    except Exception:
        log.exception("batch item %s (run %s) failed unexpectedly", item.id, item.run_id)
        return _retry(item, _("An unexpected error occurred; the platform will try again."), now)
    _done(item, contract_id, now)
    return "done"


def retry_delay(attempts: int) -> timedelta:
    """Back off: 5 s, 10 s, 20 s ... at most 10 minutes."""
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _retry(item: BatchItem, reason: str, now: datetime) -> str:
    item.error = reason[:500]
    if item.attempts >= MAX_ATTEMPTS:
        item.state, item.done_at = ItemState.FAILED.value, now
        return "failed"
    item.next_attempt_at = now + retry_delay(item.attempts)
    return "retrying"


def _done(item: BatchItem, contract_id: int, now: datetime) -> None:
    item.state, item.contract_id, item.done_at, item.error = ItemState.DONE.value, contract_id, now, None


def _items(run_id: int, state: ItemState) -> list[BatchItem]:
    query = sa.select(BatchItem).where(BatchItem.run_id == run_id, BatchItem.state == state.value).order_by(BatchItem.position)
    return list(db.session.scalars(query))


def _next_due(now: datetime) -> BatchItem | None:
    query = (
        sa.select(BatchItem)
        .where(BatchItem.state == ItemState.PENDING.value, BatchItem.next_attempt_at <= now)
        .order_by(BatchItem.run_id, BatchItem.position)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalar(query)


def _claim(item: BatchItem) -> bool:
    """Count the attempt, only if the item is still pending as read (on SQLite this write takes the database)."""
    result = db.session.execute(
        sa.update(BatchItem)
        .where(BatchItem.id == item.id, BatchItem.state == ItemState.PENDING.value, BatchItem.attempts == item.attempts)
        .values(attempts=BatchItem.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def _settled_run() -> BatchRun | None:
    """An unfinished run with no pending item left."""
    pending = sa.select(BatchItem.id).where(BatchItem.run_id == BatchRun.id, BatchItem.state == ItemState.PENDING.value)
    query = sa.select(BatchRun).where(BatchRun.finished_at.is_(None), ~pending.exists()).order_by(BatchRun.id).limit(1)
    return db.session.scalar(query)


def _finish(run: BatchRun, kind: Kind, now: datetime) -> str:
    claimed = db.session.execute(
        sa.update(BatchRun)
        .where(BatchRun.id == run.id, BatchRun.finished_at.is_(None))
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return "skipped"
    db.session.refresh(run)
    kind.finish(run, now=now)
    return "finished"
