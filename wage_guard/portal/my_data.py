"""Everything the platform holds about a worker, for the worker (PIPL Art. 45: the right to view and copy; legal.md
L-64): a ZIP with ``my-data.json`` and the current PDF of each of their contracts.

Collected per table that names the person (worker, roster entries, contracts and their events, payroll lines, wage
confirmations, complaints, identity checks, signing certificates, risk flags about them). What is left out, and
why, is written in the file itself (``not_included``): the evidence log holds keyed hashes, not the data; text
messages hold one-time codes and links; payroll lines of other people are theirs. Built with the standard
library (json, zipfile): no format here needs more.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.complaints.models import Complaint
from wage_guard.confirmations.models import WageConfirmation
from wage_guard.contracts import services as contracts
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.identity.models import IdentityCheck
from wage_guard.ledger import services as ledger
from wage_guard.payroll.models import PayrollLine
from wage_guard.risk.models import Finding
from wage_guard.signing import revocation

NOT_INCLUDED = [
    "evidence log: its entries hold keyed hashes of people, phones and devices, never the data itself",
    "text messages: they carry one-time codes and links, which are useless once used",
    "other people's rows of the same wage sheets and rosters",
]


def export_zip(worker_ids: list[int], *, now: datetime) -> bytes:
    """The ZIP for the portal session's people, and an evidence-log entry that it was handed out."""
    workers = list(db.session.scalars(sa.select(Worker).where(Worker.id.in_(worker_ids)).order_by(Worker.id)))
    data = {"exported_at": now.isoformat(), "people": [_person(w) for w in workers], "not_included": NOT_INCLUDED}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, ensure_ascii=False, indent=2, default=_plain))
        for contract in db.session.scalars(sa.select(Contract).where(Contract.worker_id.in_(worker_ids)).order_by(Contract.id)):
            archive.writestr(f"contracts/{contract.number}.pdf", contract.current_document.pdf)
    for worker in workers:
        ledger.append("personal_data_exported", f"worker:{worker.id}", {"by": "worker"}, now=now)
    return buffer.getvalue()


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _rows(model: Any, *conditions: Any) -> list[Any]:
    return list(db.session.scalars(sa.select(model).where(*conditions).order_by(model.id)))


def _person(worker: Worker) -> dict[str, Any]:
    return {
        "name": worker.name,
        "id_number": worker.id_number,
        "birth_date": worker.birth_date,
        "phone": worker.phone,
        "phone_verified_at": worker.phone_verified_at,
        "address": worker.address,
        "rosters": [_roster(e) for e in _rows(Enrollment, Enrollment.worker_id == worker.id)],
        "contracts": [_contract(c) for c in _rows(Contract, Contract.worker_id == worker.id)],
        "payroll_lines": [_line(line) for line in _rows(PayrollLine, PayrollLine.worker_id == worker.id)],
        "wage_confirmations": [_confirmation(c) for c in _rows(WageConfirmation, WageConfirmation.worker_id == worker.id)],
        "complaints": [_complaint(c) for c in _rows(Complaint, Complaint.worker_id == worker.id)],
        "identity_checks": [_check(c) for c in _rows(IdentityCheck, IdentityCheck.worker_id == worker.id)],
        "signing_certificates": [vars(c) for c in revocation.certificates_of("worker", worker.id)],
        "risk_flags_about_me": [_flag(f) for f in _rows(Finding, Finding.worker_id == worker.id)],
    }


def _roster(entry: Enrollment) -> dict[str, Any]:
    project = entry.project
    return {
        "project": project.name,
        "site_address": project.address,
        "employer": project.employer.name,
        "trade": entry.trade,
        "crew": entry.crew.name if entry.crew else None,
        "entry_date": entry.entry_date,
        "exit_date": entry.exit_date,
    }


def _contract(contract: Contract) -> dict[str, Any]:
    events = _rows(ContractEvent, ContractEvent.contract_id == contract.id)
    return {
        "number": contract.number,
        "kind": contract.kind.value,
        "status": contract.status.value,
        "employer_signed_at": contract.employer_signed_at,
        "worker_signed_at": contract.worker_signed_at,
        "terms": contracts.contract_terms(contract).to_dict(),
        "file": f"contracts/{contract.number}.pdf",
        "events": [{"kind": e.kind, "actor": e.actor, "at": e.at, "ip_address": e.ip_address} for e in events],
    }


def _line(line: PayrollLine) -> dict[str, Any]:
    names = ("month", "days_worked", "overtime_hours", "gross", "deductions", "deduction_reason", "net", "pay_date")
    return {
        "project": line.payroll_import.project.name,
        "sheet_version": line.payroll_import.version,
        "current": line.payroll_import.superseded_at is None,
        **{name: getattr(line, name) for name in names},
        "paid_through": line.channel,
        "payee": line.payee_name,
        "account_ends_with": line.account_tail,
    }


def _confirmation(item: WageConfirmation) -> dict[str, Any]:
    return {
        "project": item.project.name,
        "kind": item.kind.value,
        "month": item.month,
        "status": item.status.value,
        "answer": item.answer.value if item.answer else None,
        "answered_at": item.answered_at,
        "claimed_amount": item.claimed_amount,
        "note": item.note,
    }


def _complaint(item: Complaint) -> dict[str, Any]:
    names = ("name", "phone", "months", "amount", "note", "source", "created_at", "closed_at")
    return {"project_id": item.project_id, "status": item.status.value, **{n: getattr(item, n) for n in names}}


def _check(item: IdentityCheck) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "status": item.status.value,
        "project": item.project.name,
        "requested_at": item.requested_at,
        "decided_at": item.decided_at,
    }


def _flag(item: Finding) -> dict[str, Any]:
    return {
        "rule": item.rule_code,
        "period": item.period,
        "severity": item.severity.value if item.severity else None,
        "opened_at": item.opened_at,
        "closed_at": item.closed_at,
    }
