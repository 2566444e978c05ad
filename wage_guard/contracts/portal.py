"""The worker portal: a worker proves their phone with an SMS code and sees all their contracts, free, forever.

A phone number is the worker's only credential, so everything here is scoped to the workers whose verified
phone matches; another contract id in the URL is simply not found.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from wage_guard.codes import services as codes
from wage_guard.contracts.models import Contract
from wage_guard.enrollment.models import Worker
from wage_guard.errors import NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.sms.phones import InvalidPhoneNumber, parse_mobile

PURPOSE = "portal"


def start_login(raw_phone: str, *, now: datetime, requester: codes.Requester) -> str:
    """Text a code if any worker has this phone; returns the normalised phone either way (no enumeration)."""
    try:
        phone = parse_mobile(raw_phone)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), field="phone") from exc
    if _workers_with(phone):
        codes.send_code(PURPOSE, phone, now=now, requester=requester, sms_template="portal_code")
    return phone


def finish_login(phone: str, code: str, *, now: datetime, requester: codes.Requester) -> list[int]:
    """Check the code; returns the ids of the workers with this phone."""
    codes.check_code(PURPOSE, phone, code, now=now, requester=requester)
    return [w.id for w in _workers_with(phone)]


def contracts_of(worker_ids: list[int]) -> list[Contract]:
    query = sa.select(Contract).where(Contract.worker_id.in_(worker_ids)).order_by(Contract.id.desc())
    return list(db.session.scalars(query))


def get_contract(worker_ids: list[int], contract_id: int) -> Contract:
    """:raises NotFound: for a contract of anyone else."""
    contract = db.session.get(Contract, contract_id)
    if contract is None or contract.worker_id not in worker_ids:
        raise NotFound(_("This contract does not exist or is not yours."))
    return contract


def _workers_with(phone: str) -> list[Worker]:
    return list(db.session.scalars(sa.select(Worker).where(Worker.phone_index == codes.phone_index(phone))))
