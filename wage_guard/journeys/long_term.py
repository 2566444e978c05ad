"""Complete signed contracts to PAdES B-LTA after the signing request, with retries (``journeys.models``).

The worker's signing request (and the employer's seal on a notice, the last signature of a notice) stores the
B-T version and calls ``queue``; the ``complete_long_term`` job calls ``complete_due`` every few seconds. Each
contract is completed on its own savepoint, so a failure leaves that contract exactly as it was (valid at B-T,
downloadable, verifiable) and is retried with back-off; the completed version is a new document version and a
step of the contract's trail and the evidence log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from wage_guard.contracts import records as contracts
from wage_guard.contracts.models import COMPLETED, Contract, ContractDocument
from wage_guard.extensions import db
from wage_guard.journeys.models import LongTermUpgrade
from wage_guard.signing import services as signing
from wage_guard.signing.failures import SigningFailed

log = logging.getLogger(__name__)

#: The longest wait between two attempts.
LONGEST_WAIT = timedelta(hours=1)


def queue(contract: Contract, document: ContractDocument, *, now: datetime) -> LongTermUpgrade:
    """Queue ``document`` (the version the last signature made) for completion, due at once."""
    row = LongTermUpgrade(contract=contract, document=document, queued_at=now, next_attempt_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def retry_delay(attempts: int) -> timedelta:
    """Back off: 30 s, 1 min, 2 min, 4 min ... at most an hour (a TSA or HSM outage should not be hammered)."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def pending(*, now: datetime, limit: int) -> list[LongTermUpgrade]:
    query = (
        sa.select(LongTermUpgrade)
        .where(LongTermUpgrade.done_at.is_(None), LongTermUpgrade.next_attempt_at <= now)
        .order_by(LongTermUpgrade.next_attempt_at, LongTermUpgrade.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(query))


def complete_due(*, now: datetime, limit: int = 50) -> dict[str, int]:
    """Complete every queued version whose attempt is due; returns how many were completed, failed, overtaken."""
    counts = {"completed": 0, "failed": 0, "overtaken": 0}
    for row in pending(now=now, limit=limit):
        counts[_complete_one(row, now)] += 1
    return counts


def _complete_one(row: LongTermUpgrade, now: datetime) -> str:
    contract = row.contract
    if contract.current_document.id != row.document_id or row.document.erased_at is not None:
        # a later version exists, or the retention job erased this one: nothing left to complete here
        row.done_at = now
        return "overtaken"
    row.attempts += 1
    before = row.document
    try:
        with db.session.begin_nested():
            completed = signing.complete(before.pdf, now=now)
            document = contracts.add_document(contract, COMPLETED, completed, now)
            contracts.record(
                contract,
                "long_term_completed",
                "system",
                now,
                document_sha256_before=before.sha256,
                document_sha256_after=document.sha256,
                method="pades_b_lta",
                attempts=row.attempts,
            )
    except SigningFailed as exc:
        row.last_error = str(exc)[:256]
        row.next_attempt_at = now + retry_delay(row.attempts)
        log.warning("contract %s: long-term completion failed (attempt %s), retrying: %s", contract.id, row.attempts, exc)
        return "failed"
    db.session.refresh(contract)
    row.done_at, row.last_error = now, None
    return "completed"


def waiting(contract: Contract) -> bool:
    """Whether the contract's signed version still waits for its long-term validation data."""
    query = sa.select(LongTermUpgrade.id).where(LongTermUpgrade.contract_id == contract.id, LongTermUpgrade.done_at.is_(None))
    return db.session.scalar(query.limit(1)) is not None
