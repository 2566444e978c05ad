"""Signing links: the SMS links that open a batch for the employer's seal or a contract for the worker's signature.

Only the SHA-256 of a link's token is stored. A worker's link to a phone that already serves other people waits
for the foreman's in-person confirmation (``decide_held_link``), so a foreman cannot collect everyone's links on
one phone (包工头代签).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.accounts.models import User
from wage_guard.contracts import records as contracts
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract, ContractBatch, SigningLink
from wage_guard.errors import Gone, NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.identity import services as identity
from wage_guard.identity.models import CheckKind, IdentityCheck
from wage_guard.settings import settings
from wage_guard.sms import services as sms

WORKER, EMPLOYER = "worker", "employer"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(
    party: str,
    *,
    now: datetime,
    contract: Contract | None = None,
    batch: ContractBatch | None = None,
    signatory: User | None = None,
) -> str:
    token = secrets.token_urlsafe(24)
    db.session.add(
        SigningLink(
            party=party,
            contract=contract,
            batch=batch,
            signatory_id=signatory.id if signatory else None,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + settings().signing_link_ttl,
        )
    )
    return token


def send_employer_link(batch: ContractBatch, signatory: User, *, now: datetime) -> None:
    """Text the signatory a link to seal every contract of ``batch``."""
    token = _new_link(EMPLOYER, now=now, batch=batch, signatory=signatory)
    assert signatory.phone is not None
    sms.queue_sms(
        signatory.phone,
        "seal_request",
        count=len(batch.contracts),
        project_name=batch.project.name,
        url=links.public_url("sign.employer_start", token=token),
    )


def send_worker_link(contract: Contract, *, now: datetime) -> None:
    """Text the worker a link to read and sign their contract.

    A phone shared by more people than allowed gets another person's link only after the foreman has confirmed
    that person in person (包工头代签 starts with one phone collecting everybody's links): the link is held as an
    identity check until then.
    """
    worker = contract.worker
    if not identity.sharing_cleared(worker):
        check = identity.open_check(
            CheckKind.SHARED_PHONE_SIGNING,
            contract.project,
            phone=worker.phone,
            worker=worker,
            contract_id=contract.id,
            now=now,
        )
        contracts.record(contract, "signing_link_held", "system", now, identity_check=check.id)
        return
    _text_worker_link(contract, now=now)


def decide_held_link(
    check: IdentityCheck, actor: User, *, approve: bool, seen_id_card: bool, note: str, now: datetime
) -> IdentityCheck:
    """The foreman's in-person decision on a held signing link: confirmed, the link goes out; refused, it stays held."""
    if not identity.decide(check, actor, approve=approve, seen_id_card=seen_id_card, note=note, now=now):
        return check
    contract = db.session.get(Contract, check.contract_id)
    assert contract is not None
    assert check.worker is not None
    identity.approve_sharing(check.worker, check, now=now)
    if contract.status is Status.AWAITING_WORKER:
        _text_worker_link(contract, now=now)
    return check


def _text_worker_link(contract: Contract, *, now: datetime) -> None:
    token = _new_link(WORKER, now=now, contract=contract)
    sms.queue_sms(
        contract.worker.phone,
        "sign_request",
        employer=contract.employer.name,
        kind=contract.kind.label,
        url=links.public_url("sign.worker_start", token=token),
    )


def find(token: str, party: str) -> SigningLink:
    """The link of the token, live or not (the pages after a signing still need to know it).

    :raises NotFound: unknown token.
    """
    link = db.session.scalar(
        sa.select(SigningLink).where(SigningLink.token_hash == token_hash(token), SigningLink.party == party)
    )
    if link is None:
        raise NotFound(_("This signing link is not valid. Please use the link in your latest text message."))
    return link


def resolve(token: str, party: str, *, now: datetime) -> SigningLink:
    """Find a live link.

    :raises NotFound: unknown token. :raises Gone: expired, or already used to sign.
    """
    link = find(token, party)
    if link.used_at is not None and party == EMPLOYER:
        raise Gone(_("The company seal has already been applied with this link. Nothing more to do here."))
    if link.used_at is not None:
        raise Gone(_("This link has already been used to sign. You can see your signed contracts in 'My contracts'."))
    if clock.as_utc(link.expires_at) <= now:
        raise Gone(_("This signing link has expired. Please ask the site office to send it again."))
    if first_pending(link) is None:
        raise Gone(_("There is nothing left to sign with this link."))
    return link


def pending_contracts(link: SigningLink) -> list[Contract]:
    """The contracts this link may still sign, in order."""
    return list(db.session.scalars(_pending(link).order_by(Contract.id)))


def first_pending(link: SigningLink, contract_id: int | None = None) -> Contract | None:
    """The first contract this link may still sign (or the one with ``contract_id``, if it may), without loading
    the others: a sealing link may cover hundreds."""
    query = _pending(link) if contract_id is None else _pending(link).where(Contract.id == contract_id)
    return db.session.scalar(query.order_by(Contract.id).limit(1))


def pending_count(link: SigningLink) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(_pending(link).subquery())) or 0)


def _pending(link: SigningLink) -> sa.Select[Any]:
    if link.party == WORKER:
        return sa.select(Contract).where(Contract.id == link.contract_id, Contract.status == Status.AWAITING_WORKER)
    return sa.select(Contract).where(Contract.batch_id == link.batch_id, Contract.status == Status.AWAITING_EMPLOYER)
