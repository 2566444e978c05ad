"""Erase a worker's personal data once every period that covers it has passed (``periods.keep_until``).

PIPL Art. 19 and 47: personal information is kept no longer than necessary, statutory periods prevailing. What the
erasure removes:

- the person: name, ID number, phone and home address (the birth date keeps its year only, for statistics);
- their contracts' PDFs and page images (from the document store, once the transaction has committed) and the
  personal part of each contract's terms; the contract rows, their dates, hashes and events stay;
- their names and ID numbers in wage sheets, the payee's name and the account tail; amounts and dates stay, so
  every wage sheet still adds up;
- complaint names, phones, notes and resolutions, confirmation and settlement notes, identity checks and
  shared-phone approvals. (Text messages and code-event addresses went after six months, ``services.expire_logs``.)

What stays: the evidence log, untouched (it holds keyed hashes, never personal data, and ``ledger verify`` must
pass for ever), the flags (no personal data by design), and one ``worker_data_erased`` step that says what went.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from wage_guard import boundary, clock
from wage_guard.complaints.models import Complaint
from wage_guard.confirmations.models import Settlement, WageConfirmation
from wage_guard.contracts.models import PREVIEWS_IN_STORE, Contract, ContractDocument, PagePreview
from wage_guard.documents.store import document_store
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.identity.models import IdentityCheck, SharedPhoneApproval
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollLine
from wage_guard.retention import periods

log = logging.getLogger(__name__)
#: Shown where a name was: the same in every language.
ERASED_NAME = "—"
BATCH = 200


@dataclass(frozen=True)
class Erased:
    workers: int
    documents: int


def erase_expired(*, now: datetime) -> Erased:
    """Erase every worker whose periods have all passed by ``now`` (a China calendar day)."""
    today = clock.china_date(now)
    workers = documents = 0
    for worker in db.session.scalars(_candidates(today)):
        until = periods.keep_until(worker)
        if until is not None and until <= today:
            documents += erase_worker(worker, now=now)
            workers += 1
    return Erased(workers=workers, documents=documents)


def _candidates(today: date) -> sa.Select[Any]:
    """Workers not yet erased none of whose projects is still inside the roster period (a cheap first cut)."""
    horizon = periods.years_after(today, -periods.ROSTER_YEARS)
    kept = (
        sa.select(Enrollment.id)
        .join(Project, Project.id == Enrollment.project_id)
        .where(
            Enrollment.worker_id == Worker.id,
            sa.or_(Project.wages_settled_on.is_(None), Project.completed_on.is_(None), Project.wages_settled_on >= horizon),
        )
    )
    return sa.select(Worker).where(Worker.erased_at.is_(None), ~sa.exists(kept)).order_by(Worker.id)


def erase_worker(worker: Worker, *, now: datetime) -> int:
    """Erase one worker's personal data; returns how many contract documents went."""
    contracts = list(db.session.scalars(sa.select(Contract).where(Contract.worker_id == worker.id)))
    documents = sum(_erase_documents(contract, now) for contract in contracts)
    for contract in contracts:
        contract.terms_json = _without_worker(contract.terms_json)
    _erase_wage_records(worker)
    _erase_cases(worker)
    worker.name, worker.id_number, worker.id_number_index = ERASED_NAME, "", _marker(worker)
    worker.phone, worker.phone_index, worker.address = "", "", None
    worker.birth_date = worker.birth_date.replace(month=1, day=1)
    worker.erased_at, worker.session_version = now, worker.session_version + 1
    ledger.append(
        "worker_data_erased",
        f"worker:{worker.id}",
        {"contracts": len(contracts), "documents": documents, "rule": "legal.md §I; PIPL Art. 19, 47"},
        now=now,
    )
    return documents


def _erase_documents(contract: Contract, now: datetime) -> int:
    documents = [d for d in contract.documents if d.erased_at is None]
    previews = db.session.scalars(
        sa.select(PagePreview).where(PagePreview.document_id.in_([d.id for d in documents]), PREVIEWS_IN_STORE)
    ).all()
    keys = [p.sha256 for p in previews if p.sha256] + [d.sha256 for d in documents if d.pdf_blob is None]
    db.session.execute(sa.delete(PagePreview).where(PagePreview.document_id.in_([d.id for d in documents])))
    for document in documents:
        document.pdf_blob, document.erased_at = None, now
    if keys:
        boundary.after_commit(lambda: _remove_files(keys))
    return len(documents)


def _remove_files(keys: list[str]) -> None:
    """After the commit: a file still named by a kept row (the same bytes elsewhere) stays."""
    store = document_store()
    for key in keys:
        if _still_used(key):
            continue
        try:
            store.remove(key)
        except OSError:  # the rows are already erased: the file is an orphan to remove by hand, never shown again
            log.exception("retention: could not remove the file of an erased document")


def _still_used(key: str) -> bool:
    in_documents = sa.select(ContractDocument.id).where(ContractDocument.sha256 == key, ContractDocument.erased_at.is_(None))
    in_previews = sa.select(PagePreview.id).where(PagePreview.sha256 == key)
    return bool(db.session.scalar(sa.select(sa.exists(in_documents) | sa.exists(in_previews))))


def _marker(worker: Worker) -> str:
    """Stands in for the ID number's keyed index: unique per person, and derived from nothing personal."""
    return hashlib.sha256(f"erased:worker:{worker.id}".encode()).hexdigest()


def _without_worker(terms_json: str) -> str:
    terms = json.loads(terms_json)
    terms["worker"] = {"name": ERASED_NAME, "id_number": "", "address": "", "phone": "", "emergency_contact": None}
    return json.dumps(terms)


def _erase_wage_records(worker: Worker) -> None:
    lines = sa.or_(PayrollLine.worker_id == worker.id, PayrollLine.id_number_index == worker.id_number_index)
    for line in db.session.scalars(sa.select(PayrollLine).where(lines)):
        line.name, line.id_number, line.payee_name, line.account_tail = ERASED_NAME, "", None, None
        line.id_number_index = _marker(worker)
    for confirmation in db.session.scalars(sa.select(WageConfirmation).where(WageConfirmation.worker_id == worker.id)):
        confirmation.note = None
    settlements = sa.select(Settlement).join(Enrollment).where(Enrollment.worker_id == worker.id)
    for settlement in db.session.scalars(settlements):
        settlement.note = None


def _erase_cases(worker: Worker) -> None:
    for complaint in db.session.scalars(sa.select(Complaint).where(Complaint.worker_id == worker.id)):
        complaint.name, complaint.phone, complaint.note, complaint.resolution = ERASED_NAME, "", None, None
    for check in db.session.scalars(sa.select(IdentityCheck).where(IdentityCheck.worker_id == worker.id)):
        check.name, check.id_number, check.phone, check.phone_index, check.note = None, None, "", "", None
    db.session.execute(sa.delete(SharedPhoneApproval).where(SharedPhoneApproval.worker_id == worker.id))
