"""Issuing contracts from the roster, withdrawing them, changing contracts in force, and reading them back.

Issuing is all-or-nothing: every contract of a batch is validated and rendered before anything is stored,
and a problem with any worker names that worker and the legal clause. Signing journeys are in
``journeys.py``; this module owns what the foreman and the risk jobs see.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from PIL import Image
from sqlalchemy.exc import IntegrityError

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.contracts import lifecycle, terms
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract, ContractBatch, ContractDocument, ContractEvent, PagePreview
from wage_guard.documents import contract as rendering
from wage_guard.documents import fonts, previews
from wage_guard.enrollment.models import Enrollment
from wage_guard.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project

#: Renders previews one at a time per process: concurrent requests for a document's pages then find them stored.
_PREVIEW_LOCK = threading.Lock()


@dataclass(frozen=True)
class ContractOffer:
    """What the foreman fills in once for a batch; the parties come from the employer and the roster."""

    term_type: terms.TermType
    start_date: date
    job_title: str
    work_place: str
    pay_form: terms.PayForm
    pay_amount: Decimal
    end_date: date | None = None
    task_description: str = ""
    piece_unit: str = ""
    probation_months: int = 0
    probation_pay: Decimal | None = None
    other_terms: str = ""


def issue_contracts(
    actor: User, project: Project, enrollment_ids: list[int], offer: ContractOffer, *, now: datetime
) -> ContractBatch:
    """Render one contract per roster entry and send the batch to the employer's signatory for sealing.

    :raises ValidationFailed: naming the worker and the clause when any contract would be unlawful or
        unprintable; nothing is stored in that case.
    """
    from wage_guard.journeys import services as journeys

    entries = _roster_entries(project, enrollment_ids)
    signatory = journeys.employer_signatory(project.employer)
    batch = ContractBatch(project=project, created_by_id=actor.id, created_at=now)
    db.session.add(batch)
    for entry in entries:
        _issue_one(actor, batch, entry, build_terms(project, entry, offer, signatory=signatory), Kind.ORIGINAL, None, now)
    db.session.flush()
    journeys.send_employer_link(batch, signatory, now=now)
    return batch


def build_terms(project: Project, entry: Enrollment, offer: ContractOffer, *, signatory: User) -> terms.ContractTerms:
    """The full terms of one worker's contract: the offer plus the parties and the project's pay day.

    The employer's contact phone (联系电话, the address for notices) is that of its authorised signatory, who
    seals the contract and answers for the employer.
    """
    employer, worker = project.employer, entry.worker
    return terms.default_construction_terms(
        terms.EmployerParty(
            name=employer.name,
            credit_code=employer.credit_code,
            legal_representative=employer.legal_representative,
            address=employer.address,
            phone=_national(signatory.phone or ""),
        ),
        terms.WorkerParty(
            name=worker.name, id_number=worker.id_number, address=worker.address or "", phone=_national(worker.phone)
        ),
        term_type=offer.term_type,
        start_date=offer.start_date,
        end_date=offer.end_date,
        task_description=offer.task_description,
        job_title=offer.job_title,
        work_place=offer.work_place,
        pay_form=offer.pay_form,
        pay_amount=offer.pay_amount,
        piece_unit=offer.piece_unit,
        pay_day=project.pay_day,
        probation_months=offer.probation_months,
        probation_pay=offer.probation_pay,
        other_terms=offer.other_terms,
    )


@dataclass(frozen=True)
class Ending:
    """What a rescission or termination document records besides the original terms."""

    end_date: date
    arrangements: str


#: Documents that end a contract; they are rendered from their own template, not as a contract.
ENDINGS = (Kind.RESCISSION, Kind.TERMINATION)


def _issue_one(
    actor: User,
    batch: ContractBatch,
    entry: Enrollment,
    contract_terms: terms.ContractTerms,
    kind: Kind,
    parent: Contract | None,
    now: datetime,
    ending: Ending | None = None,
) -> Contract:
    if ending is None:
        _require_lawful(entry, contract_terms, now)
    if kind is Kind.ORIGINAL and _open_or_in_force(entry) is not None:
        raise Conflict(
            _("%(name)s already has a contract on this project that is in force or being signed.", name=entry.worker.name)
        )
    contract = Contract(
        number="pending",
        kind=kind,
        status=Status.AWAITING_EMPLOYER,
        parent=parent,
        batch=batch,
        project_id=entry.project_id,
        enrollment=entry,
        worker=entry.worker,
        employer_id=batch.project.employer_id,
        terms_json=json.dumps(contract_terms.to_dict()),
        created_by_id=actor.id,
        ends_on=ending.end_date if ending else None,
        arrangements=ending.arrangements if ending else None,
    )
    db.session.add(contract)
    db.session.flush()
    contract.number = f"WG-{batch.project.county_code}-{clock.china_date(now).year}-{contract.id:06d}"
    pdf = _render(contract, contract_terms, entry.worker.name)
    add_document(contract, "rendered", pdf, now)
    record(contract, "issued", f"staff:{actor.id}", now, details={"kind": kind.value, "batch": batch.id})
    return contract


def _render(contract: Contract, contract_terms: terms.ContractTerms, worker_name: str) -> bytes:
    try:
        if contract.kind in ENDINGS:
            from wage_guard.documents import changes as change_rendering

            assert contract.parent is not None
            assert contract.ends_on is not None
            return change_rendering.render_ending_pdf(
                contract.kind.value,  # type: ignore[arg-type]
                contract_terms,
                contract_number=contract.number,
                original_number=contract.parent.number,
                verify_url=verification_url(contract),
                end_date=contract.ends_on,
                arrangements=contract.arrangements or "",
            )
        return rendering.render_contract_pdf(
            contract_terms, contract_number=contract.number, verify_url=verification_url(contract), title=_title(contract)
        )
    except fonts.MissingGlyphError as exc:
        raise ValidationFailed(
            _("The contract for %(name)s cannot be printed: %(reason)s", name=worker_name, reason=str(exc))
        ) from exc


def _title(contract: Contract) -> str | None:
    return None if contract.kind is Kind.ORIGINAL else contract.kind.label


def _require_lawful(entry: Enrollment, contract_terms: terms.ContractTerms, now: datetime) -> None:
    wage = entry.project.county.minimum_wage_on(clock.china_date(now))
    problems = terms.validate_terms(
        contract_terms, minimum_wage_monthly=wage.monthly if wage else None, today=clock.china_date(now)
    )
    if problems:
        first = problems[0]
        message = _("Contract for %(name)s: %(problem)s", name=entry.worker.name, problem=first.message)
        raise ValidationFailed(message, field=first.field)


def verification_url(contract: Contract) -> str:
    """The public page the QR code in the footer opens."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    path = url_for("verification.known", number=contract.number)
    return base.rstrip("/") + path if base else url_for("verification.known", number=contract.number, _external=True)


def add_document(contract: Contract, stage: str, pdf: bytes, now: datetime) -> ContractDocument:
    version = len(contract.documents) + 1
    document = ContractDocument(
        contract=contract, version=version, stage=stage, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), created_at=now
    )
    db.session.add(document)
    db.session.flush()
    return document


def record(
    contract: Contract,
    kind: str,
    actor: str,
    now: datetime,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
    **details: object,
) -> None:
    """Add a step to the contract's trail and to the evidence log (never personal data in ``details``)."""
    payload: dict[str, Any] = details.pop("details", None) or details  # type: ignore[assignment]
    evidence: dict[str, Any] = {
        "actor": ledger.keyed(actor, "actor"),
        "ip": ledger.keyed(ip_address, "ip") if ip_address else None,
        "device": ledger.keyed(user_agent, "device") if user_agent else None,
        **payload,
    }
    ledger.append(kind, f"contract:{contract.number}", evidence, now=now)
    db.session.add(
        ContractEvent(
            contract=contract,
            kind=kind,
            actor=actor,
            at=now,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:256] or None,
            details=payload,
        )
    )


def cached_previews(document: ContractDocument) -> list[PagePreview]:
    """The document's page previews, rendered on first use and kept (documents never change).

    Call it at the start of a read-only request: when two requests render the same document at once, the
    loser's insert fails on the unique key and it rolls back and reads the winner's rows.
    """
    query = sa.select(PagePreview).where(PagePreview.document_id == document.id).order_by(PagePreview.page_index)
    stored = list(db.session.scalars(query))
    if stored:
        return stored
    with _PREVIEW_LOCK:
        rows = []
        for index, webp in enumerate(previews.render_previews(document.pdf)):
            width, height = _webp_size(webp)
            rows.append(PagePreview(document_id=document.id, page_index=index, webp=webp, width_px=width, height_px=height))
        try:
            db.session.add_all(rows)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    return list(db.session.scalars(query))


def _webp_size(webp: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(webp)) as image:
        return image.size


def withdraw(actor: User, contract: Contract, *, now: datetime) -> None:
    """Cancel a contract that is still being signed (e.g. issued by mistake)."""
    transition(contract, lifecycle.Event.WITHDRAWN, now=now)
    record(contract, "withdrawn", f"staff:{actor.id}", now)


def transition(contract: Contract, event: lifecycle.Event, *, now: datetime) -> None:
    """Apply a lifecycle event, and on completion its effect on the contract it changes (logged on that one)."""
    try:
        contract.status = lifecycle.next_status(contract.kind, contract.status, event)
    except lifecycle.TransitionRefused as exc:
        raise InvalidTransition(
            _("This contract can no longer be changed: it is %(status)s.", status=contract.status.label)
        ) from exc
    effect = lifecycle.PARENT_ON_COMPLETION[contract.kind]
    if contract.status in (Status.IN_FORCE, Status.COMPLETED) and contract.parent is not None and effect is not None:
        contract.parent.status = effect
        record(contract.parent, "status_changed", "system", now, status=effect.value, by=contract.number)


def change_contract(actor: User, contract: Contract, kind: Kind, offer: ContractOffer, *, now: datetime) -> Contract:
    """Start a renewal, amendment, rescission or termination of a contract in force; it is signed like a contract."""
    from wage_guard.journeys import services as journeys

    if not lifecycle.can_change(contract.status, kind):
        raise InvalidTransition(_("Only a contract in force can be renewed, amended, rescinded or terminated."))
    if any(c.status in lifecycle.OPEN for c in children(contract)):
        raise Conflict(_("A change to this contract is already being signed."))
    ending = _ending(contract, offer) if kind in ENDINGS else None
    signatory = journeys.employer_signatory(contract.employer)
    new_terms = (
        contract_terms(contract) if ending else build_terms(contract.project, contract.enrollment, offer, signatory=signatory)
    )
    batch = ContractBatch(project=contract.project, created_by_id=actor.id, created_at=now)
    db.session.add(batch)
    changed = _issue_one(actor, batch, contract.enrollment, new_terms, kind, contract, now, ending=ending)
    journeys.send_employer_link(batch, signatory, now=now)
    return changed


def _ending(contract: Contract, offer: ContractOffer) -> Ending:
    """The last day of employment and the agreed arrangements of a rescission or termination.

    :raises ValidationFailed: when either is missing or the date is before the contract began.
    """
    if offer.end_date is None:
        raise ValidationFailed(_("Give the last day of employment as the end date."), field="end_date")
    if offer.end_date < contract_terms(contract).start_date:
        raise ValidationFailed(_("The last day of employment cannot be before the contract began."), field="end_date")
    arrangements = " ".join(offer.other_terms.split())
    if not arrangements:
        raise ValidationFailed(
            _("Describe what was agreed: the final wages, any compensation and the handover."), field="other_terms"
        )
    return Ending(offer.end_date, arrangements)


def children(contract: Contract) -> list[Contract]:
    return list(db.session.scalars(sa.select(Contract).where(Contract.parent_id == contract.id).order_by(Contract.id)))


def current_terms(entry: Enrollment) -> terms.ContractTerms | None:
    """The terms binding a roster entry now: the contract in force as changed by its latest signed amendment.

    This is what the risk jobs read.
    """
    contract = db.session.scalar(
        sa.select(Contract)
        .where(Contract.enrollment_id == entry.id, Contract.status == Status.IN_FORCE)
        .order_by(Contract.id.desc())
    )
    if contract is None:
        return None
    amendments = [c for c in children(contract) if c.kind is Kind.AMENDMENT and c.status is Status.COMPLETED]
    return contract_terms(amendments[-1] if amendments else contract)


def contract_terms(contract: Contract) -> terms.ContractTerms:
    return terms.ContractTerms.from_dict(json.loads(contract.terms_json))


def project_contracts(project: Project) -> list[Contract]:
    query = sa.select(Contract).where(Contract.project_id == project.id).order_by(Contract.id.desc())
    return list(db.session.scalars(query))


def get_contract(project: Project, contract_id: int) -> Contract:
    """:raises NotFound: for a contract of another project."""
    contract = db.session.get(Contract, contract_id)
    if contract is None or contract.project_id != project.id:
        raise NotFound(_("This contract does not exist or belongs to another project."))
    return contract


def _roster_entries(project: Project, enrollment_ids: list[int]) -> list[Enrollment]:
    if not enrollment_ids:
        raise ValidationFailed(_("Choose at least one worker from the roster."), field="enrollment_ids")
    entries = list(
        db.session.scalars(sa.select(Enrollment).where(Enrollment.id.in_(enrollment_ids), Enrollment.project_id == project.id))
    )
    if len(entries) != len(set(enrollment_ids)):
        raise NotFound(_("A chosen worker is not on this project's roster."))
    return sorted(entries, key=lambda e: e.id)


def _open_or_in_force(entry: Enrollment) -> Contract | None:
    states = [*lifecycle.OPEN, Status.IN_FORCE]
    return db.session.scalar(
        sa.select(Contract).where(Contract.enrollment_id == entry.id, Contract.kind == Kind.ORIGINAL, Contract.status.in_(states))
    )


def _national(phone: str) -> str:
    return phone.removeprefix("+86")
