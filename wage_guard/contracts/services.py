"""Issuing contracts from the roster, withdrawing them, changing contracts in force, and reading them back.

Issuing is all-or-nothing: every contract of a batch is validated and rendered before anything is stored,
and a problem with any worker names that worker and the legal clause. Signing journeys are in
``journeys.py``; this module owns what the foreman and the risk jobs see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.accounts.models import User
from wage_guard.contracts import issuing, lifecycle, terms
from wage_guard.contracts.issuing import ContractOffer, build_terms
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract, ContractBatch, ContractDocument, PagePreview
from wage_guard.contracts.records import add_document as add_document  # used by the journeys' callers
from wage_guard.contracts.records import record, transition
from wage_guard.documents import contract as rendering
from wage_guard.documents import fonts, previews
from wage_guard.documents.store import document_store
from wage_guard.enrollment.models import Enrollment
from wage_guard.errors import InvalidTransition, NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations.models import Project

#: Renders previews one at a time per process: concurrent requests for a document's pages then find them stored.


def issue_contracts(
    actor: User, project: Project, enrollment_ids: list[int], offer: ContractOffer, *, now: datetime
) -> ContractBatch:
    """Render one contract per roster entry and send the batch to the employer's signatory for sealing, all in
    the caller's transaction (the batch job, ``batches.kinds``, does the same one contract at a time).

    :raises ValidationFailed: naming the worker and the clause when any contract would be unlawful or
        unprintable; nothing is stored in that case.
    """
    batch, entries = new_batch(actor, project, enrollment_ids, offer, now=now)
    for entry in entries:
        issue_to(actor, batch, entry, offer, now=now)
    db.session.flush()
    send_for_sealing(batch, now=now)
    return batch


def new_batch(
    actor: User, project: Project, enrollment_ids: list[int], offer: ContractOffer, *, now: datetime
) -> tuple[ContractBatch, list[Enrollment]]:
    """Check the whole batch (``issuing.check_batch``) and store its row; nothing is rendered yet."""
    from wage_guard.journeys import services as journeys

    entries = _roster_entries(project, enrollment_ids)
    issuing.check_batch(project, entries, offer, signatory=journeys.employer_signatory(project.employer), now=now)
    batch = ContractBatch(project=project, created_by_id=actor.id, created_at=now)
    db.session.add(batch)
    db.session.flush()
    return batch, entries


def issue_to(actor: User, batch: ContractBatch, entry: Enrollment, offer: ContractOffer, *, now: datetime) -> Contract:
    """Render and store one worker's contract of the batch (the checks run again: time may have passed)."""
    from wage_guard.journeys import services as journeys

    contract_terms = build_terms(batch.project, entry, offer, signatory=journeys.employer_signatory(batch.project.employer))
    return _issue_one(actor, batch, entry, contract_terms, Kind.ORIGINAL, None, now, confirmed=offer.confirmed)


def send_for_sealing(batch: ContractBatch, *, now: datetime) -> None:
    """Text the employer's signatory the sealing link for the batch's contracts that wait for the seal."""
    from wage_guard.journeys import links as signing_links
    from wage_guard.journeys import services as journeys

    db.session.refresh(batch)
    if any(c.status is Status.AWAITING_EMPLOYER for c in batch.contracts):
        signing_links.send_employer_link(batch, journeys.employer_signatory(batch.project.employer), now=now)


@dataclass(frozen=True)
class Ending:
    """What a rescission or termination document records besides the original terms."""

    end_date: date
    arrangements: str
    #: Notices (``contracts.endings``): the legal ground, the stated facts and the figures printed.
    ground: str | None = None
    reason: str | None = None
    details: dict[str, Any] | None = None


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
    *,
    confirmed: frozenset[str] | None = None,
) -> Contract:
    """Store and render one document. ``confirmed`` holds the warnings the foreman confirmed; None (a change to a
    contract in force) skips the confirmation step, and the data-quality note is kept either way."""
    checked = None if ending else issuing.require_lawful(entry, contract_terms, now, confirmed=confirmed)
    if kind is Kind.ORIGINAL and issuing.open_or_in_force(entry) is not None:
        raise issuing.already_under_contract(entry)
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
        data_quality=checked.data_quality if checked else None,
        ending_ground=ending.ground if ending else None,
        ending_reason=ending.reason if ending else None,
        ending_details=ending.details if ending else None,
    )
    db.session.add(contract)
    db.session.flush()
    contract.number = f"WG-{batch.project.county_code}-{clock.china_date(now).year}-{contract.id:06d}"
    pdf = _render(contract, contract_terms, entry.worker.name)
    add_document(contract, "rendered", pdf, now)
    details: dict[str, Any] = {"kind": kind.value, "batch": batch.id}
    if checked and checked.confirmed_warnings:
        details["confirmed_warnings"] = checked.confirmed_warnings
    record(contract, "issued", f"staff:{actor.id}", now, details=details)
    return contract


def _render(contract: Contract, contract_terms: terms.ContractTerms, worker_name: str) -> bytes:
    try:
        if contract.kind.is_notice:
            from wage_guard.contracts import notice_state
            from wage_guard.documents import notices

            facts = notice_state.notice_facts(contract, contract_terms)
            return notices.render_notice_pdf(facts, verify_url=verification_url(contract))
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
        raise issuing.cannot_print(worker_name, exc) from exc


def _title(contract: Contract) -> str | None:
    return None if contract.kind is Kind.ORIGINAL else contract.kind.label


def verification_url(contract: Contract) -> str:
    """The public page the QR code in the footer opens."""
    return links.public_url("verification.known", number=contract.number)


def stored_previews(document: ContractDocument) -> list[PagePreview]:
    """The document's page previews kept so far, in page order."""
    query = sa.select(PagePreview).where(PagePreview.document_id == document.id).order_by(PagePreview.page_index)
    return list(db.session.scalars(query))


def page_previews(document: ContractDocument) -> list[PagePreview]:
    """The document's page previews, rendered on first use and kept in the caller's transaction (documents never
    change). Two requests may render the same document at once: the second commit fails on the unique key, and
    the caller rolls back and reads the first one's rows (``stored_previews``)."""
    stored = stored_previews(document)
    if stored:
        return stored
    store = document_store()
    rows = [
        PagePreview(document_id=document.id, page_index=index, sha256=store.put(webp), width_px=size[0], height_px=size[1])
        for index, webp in enumerate(previews.render_previews(document.pdf))
        for size in [previews.image_size(webp)]
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def withdraw(actor: User, contract: Contract, *, now: datetime) -> None:
    """Cancel a contract that is still being signed (e.g. issued by mistake)."""
    transition(contract, lifecycle.Event.WITHDRAWN, now=now)
    record(contract, "withdrawn", f"staff:{actor.id}", now)


def change_contract(actor: User, contract: Contract, kind: Kind, offer: ContractOffer, *, now: datetime) -> Contract:
    """Start a renewal, amendment, rescission or termination of a contract in force; it is signed like a contract."""
    from wage_guard.contracts import notice_state

    if kind.is_notice or not lifecycle.can_change(contract.status, kind):
        raise InvalidTransition(_("Only a contract in force can be renewed, amended, rescinded or terminated."))
    notice_state.require_no_pending_change(contract, kind)
    ending = _ending(contract, offer) if kind in ENDINGS else None
    return issue_change(actor, contract, kind, now=now, offer=offer, ending=ending)


def issue_change(
    actor: User,
    contract: Contract,
    kind: Kind,
    *,
    now: datetime,
    offer: ContractOffer | None = None,
    ending: Ending | None = None,
) -> Contract:
    """Store a document changing ``contract`` (new terms from ``offer``, or the same terms for an ending) and send
    it to the employer's signatory for the seal."""
    from wage_guard.journeys import links as signing_links
    from wage_guard.journeys import services as journeys

    signatory = journeys.employer_signatory(contract.employer)
    if ending is not None or offer is None:
        new_terms = contract_terms(contract)
    else:
        new_terms = build_terms(contract.project, contract.enrollment, offer, signatory=signatory)
    batch = ContractBatch(project=contract.project, created_by_id=actor.id, created_at=now)
    db.session.add(batch)
    changed = _issue_one(actor, batch, contract.enrollment, new_terms, kind, contract, now, ending=ending)
    signing_links.send_employer_link(batch, signatory, now=now)
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


def get_batch(project: Project, batch_id: int) -> ContractBatch:
    """A contract batch of the project. :raises NotFound: no such batch on this project."""
    batch = db.session.get(ContractBatch, batch_id)
    if batch is None or batch.project_id != project.id:
        raise NotFound(_("No such batch of contracts on this project."))
    return batch


def _roster_entries(project: Project, enrollment_ids: list[int]) -> list[Enrollment]:
    if not enrollment_ids:
        raise ValidationFailed(_("Choose at least one worker from the roster."), field="enrollment_ids")
    entries = list(
        db.session.scalars(sa.select(Enrollment).where(Enrollment.id.in_(enrollment_ids), Enrollment.project_id == project.id))
    )
    if len(entries) != len(set(enrollment_ids)):
        raise NotFound(_("A chosen worker is not on this project's roster."))
    return sorted(entries, key=lambda e: e.id)
