"""The two kinds of batch work: issuing contracts from the roster, and sealing a batch with the company seal.

Each starts in a request (every check, the link claimed, the run stored) and does its work per contract through
``batches.services``: inside the request for a batch of at most ``BATCH_INLINE_MAX`` contracts, otherwise in the
``run_contract_batches`` job while the foreman or the signatory watches a progress bar.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa

from wage_guard.accounts.models import User
from wage_guard.batches import services
from wage_guard.batches.models import BatchItem, BatchRun, RunKind
from wage_guard.codes.services import Requester
from wage_guard.contracts import issuing
from wage_guard.contracts import services as contracts
from wage_guard.contracts.issuing import ContractOffer
from wage_guard.contracts.models import Contract, SigningLink
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.journeys import services as journeys
from wage_guard.organisations.models import Project


class Issuing:
    """One contract per roster entry; once all are settled, the signatory is texted the sealing link."""

    def work(self, run: BatchRun, item: BatchItem, *, now: datetime) -> int:
        actor = db.session.get(User, run.params["actor_id"])
        entry = db.session.get(Enrollment, item.subject_id)
        assert actor is not None
        assert entry is not None
        offer = issuing.offer_from_params(run.params["offer"])
        return contracts.issue_to(actor, run.contract_batch, entry, offer, now=now).id

    def finish(self, run: BatchRun, *, now: datetime) -> None:
        contracts.send_for_sealing(run.contract_batch, now=now)


class Sealing:
    """The company seal on each contract of the batch, at the place the signatory chose."""

    def work(self, run: BatchRun, item: BatchItem, *, now: datetime) -> int:
        link = db.session.get(SigningLink, run.params["link_id"])
        contract = db.session.get(Contract, item.subject_id)
        assert link is not None
        assert contract is not None
        placement = journeys.Placement(**run.params["placement"])
        journeys.seal_one(link, contract, placement, now=now, requester=Requester(**run.params["requester"]))
        return contract.id

    def finish(self, run: BatchRun, *, now: datetime) -> None:
        """Nothing more: each worker was texted as their contract was sealed."""


KINDS: dict[str, services.Kind] = {RunKind.ISSUE.value: Issuing(), RunKind.SEAL.value: Sealing()}


def start_issuing(
    actor: User, project: Project, enrollment_ids: list[int], offer: ContractOffer, *, now: datetime, inline_max: int
) -> BatchRun:
    """Check the batch and store its run; a small one is issued at once (see ``services.work_inline``).

    :raises ValidationFailed, NeedsConfirmation, Conflict, NotFound: nothing is stored.
    """
    batch, entries = contracts.new_batch(actor, project, enrollment_ids, offer, now=now)
    params = {"actor_id": actor.id, "offer": issuing.offer_params(offer)}
    run = services.start(RunKind.ISSUE, batch, [e.id for e in entries], params, now=now)
    if run.total <= inline_max:
        services.work_inline(run, KINDS[run.kind], now=now)
    return run


def start_sealing(
    link: SigningLink,
    placement: journeys.Placement,
    *,
    now: datetime,
    requester: Requester,
    verified_at: float | None,
    inline_max: int,
) -> BatchRun:
    """Accept the seal (``journeys.begin_sealing``) and store the run; a small batch is sealed at once."""
    sealable = journeys.begin_sealing(link, placement, now=now, verified_at=verified_at)
    assert link.batch is not None
    params = {"link_id": link.id, "placement": asdict(placement), "requester": asdict(requester)}
    run = services.start(RunKind.SEAL, link.batch, [c.id for c in sealable], params, now=now)
    if run.total <= inline_max:
        services.work_inline(run, KINDS[run.kind], now=now)
    return run


def sealed_contracts(run: BatchRun) -> list[Contract]:
    """The contracts a sealing run sealed, for the page that confirms it."""
    query = (
        sa.select(Contract)
        .join(BatchItem, BatchItem.contract_id == Contract.id)
        .where(BatchItem.run_id == run.id)
        .order_by(BatchItem.position)
    )
    return list(db.session.scalars(query))
