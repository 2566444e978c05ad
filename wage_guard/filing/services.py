"""The filing push: a record is queued whenever a contract takes effect, changes or ends (a listener on the
contract's status, so that no path that changes it is missed), and ``push_due`` sends the records as JSON signed
with HMAC-SHA256 to the configured receiver, in order per contract, retrying with exponential back-off and never
giving up, so that no record is lost however long the receiver is down. Each record carries its id as the
``Idempotency-Key``: a receiver that got a POST whose answer was lost sees the same key again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import object_session

from wage_guard import clock
from wage_guard.contracts import terms as contract_terms_module
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.errors import NotFound
from wage_guard.extensions import db
from wage_guard.filing import transport
from wage_guard.filing.models import FilingAttempt, FilingEvent, FilingRecord
from wage_guard.i18n import _

LONGEST_WAIT = timedelta(hours=1)
SIGNATURE_HEADER = "X-WageGuard-Signature"


@dataclass(frozen=True)
class Receiver:
    url: str
    secret: str
    timeout_seconds: float


def filing_event(kind: Kind, status: Status) -> FilingEvent | None:
    """Which filing event a contract's new status makes, if any."""
    if status is Status.IN_FORCE:
        return FilingEvent.NEW if kind is Kind.ORIGINAL else FilingEvent.RENEWAL if kind is Kind.RENEWAL else None
    if status is Status.COMPLETED and kind is Kind.AMENDMENT:
        return FilingEvent.CHANGE
    if status in (Status.TERMINATED, Status.RESCINDED):
        return FilingEvent.TERMINATION
    if status is Status.EXPIRED:
        return FilingEvent.EXPIRY
    return None


@event.listens_for(Contract.status, "set")
def _queue_on_status(target: Contract, value: Status, oldvalue: object, _initiator: object) -> None:
    """Queue a record when a contract's status becomes one the filing system must hear about."""
    filed = filing_event(target.kind, value) if value != oldvalue else None
    if filed is None:
        return
    now = clock.utcnow()
    about = target.parent if filed is FilingEvent.CHANGE and target.parent is not None else target
    record = FilingRecord(
        contract=about, document=target, event=filed.value, effective_on=clock.china_date(now), queued_at=now, next_attempt_at=now
    )
    (object_session(target) or db.session).add(record)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour: a receiver down for days is tried every hour, and nothing expires."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def body(record: FilingRecord, *, sent_at: datetime) -> bytes:
    """The JSON the filing system receives: the parties, the terms and the event (canonical, so it can be signed)."""
    document = record.document
    terms = contract_terms_module.ContractTerms.from_dict(json.loads(document.terms_json))
    payload: dict[str, Any] = {
        "record_id": record.id,
        "event": record.event,
        "effective_on": record.effective_on.isoformat(),
        "sent_at": clock.as_utc(sent_at).isoformat(),
        "contract_number": record.contract.number,
        "document_number": document.number,
        "document_kind": document.kind.value,
        "county_code": document.project.county_code,
        "project": document.project.name,
        "employer": {"name": terms.employer.name, "credit_code": terms.employer.credit_code},
        "worker": {"name": terms.worker.name, "id_number": terms.worker.id_number},
        "term_type": terms.term_type.value,
        "start_date": terms.start_date.isoformat(),
        "end_date": terms.end_date.isoformat() if terms.end_date else None,
        "ends_on": document.ends_on.isoformat() if document.ends_on else None,
        "job_title": terms.job_title,
        "work_place": terms.work_place,
        "pay_form": terms.pay_form.value,
        "pay_amount": str(terms.pay_amount),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, data: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def push_next(receiver: Receiver, *, now: datetime) -> str | None:
    """Send the next due record (the oldest undelivered one of its contract); ``delivered``, ``failed`` or None
    when nothing is due. The caller commits after each, so a delivered record is never sent again by the job."""
    record = _next_due(now)
    if record is None:
        return None
    data = body(record, sent_at=now)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: signature(receiver.secret, data),
        "Idempotency-Key": f"wage-guard-filing-{record.id}",
    }
    record.attempts += 1
    status, error = None, None
    try:
        status = transport.post(receiver.url, data, headers, timeout=receiver.timeout_seconds)
    except transport.Unreachable as exc:
        error = str(exc)[:256]
    if status is not None and not 200 <= status < 300:
        error = f"HTTP {status}"
    digest = hashlib.sha256(data).hexdigest()
    by, record.resend_requested_by = record.resend_requested_by or "system", None
    attempt = FilingAttempt(record_id=record.id, at=now, status_code=status, error=error, body_sha256=digest, requested_by=by)
    db.session.add(attempt)
    if error is None:
        record.delivered_at, record.last_error = now, None
        return "delivered"
    record.last_error, record.next_attempt_at = error, now + retry_delay(record.attempts)
    return "failed"


def _next_due(now: datetime) -> FilingRecord | None:
    earlier = sa.orm.aliased(FilingRecord)
    waiting_behind = (
        sa.select(earlier.id)
        .where(earlier.contract_id == FilingRecord.contract_id, earlier.delivered_at.is_(None), earlier.id < FilingRecord.id)
        .exists()
    )
    query = (
        sa.select(FilingRecord)
        .where(FilingRecord.delivered_at.is_(None), FilingRecord.next_attempt_at <= now, ~waiting_behind)
        .order_by(FilingRecord.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=FilingRecord)
    )
    return db.session.scalar(query)


def resend(record_id: int, *, by: str, now: datetime) -> FilingRecord:
    """Send a record again at once (delivered or not), e.g. when the receiver lost it; logged with who asked.

    :raises NotFound: no such record.
    """
    record = db.session.get(FilingRecord, record_id)
    if record is None:
        raise NotFound(_("No such filing record."))
    record.delivered_at, record.next_attempt_at, record.resend_requested_by = None, now, by
    return record
