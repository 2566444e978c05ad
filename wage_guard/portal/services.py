"""The worker portal: a worker proves their phone with an SMS code and sees all their contracts, free, forever.

A phone number is the worker's only credential, so everything here is scoped to the workers whose verified
phone matches; another contract id in the URL is simply not found.

Until the code is verified, nothing may tell whether a phone is registered: every phone gets the same code, the
same code record (tries, expiry, cool-down, locks) and the same SMS, so each later answer (status, message, tries
left, cool-down) is the same for a stranger's phone and a worker's. Only a correct code, which proves the phone,
may then show that there is nothing for it. The phone waiting for its code stays on the server
(:class:`PortalLogin`); the browser holds a random handle, and after the code ids and session versions only
(``accounts.sessions``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import PortalLogin
from wage_guard.codes import services as codes
from wage_guard.contracts.models import Contract
from wage_guard.enrollment.models import Worker
from wage_guard.errors import NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.sms.phones import InvalidPhoneNumber, parse_mobile

PURPOSE = "portal"
#: How long a pending portal login waits for a code (each code lives 5 minutes; asking again renews the handle).
PENDING_TTL = timedelta(minutes=30)


def start_login(raw_phone: str, *, now: datetime, requester: codes.Requester, previous: str | None = None) -> str:
    """Text a code to this phone whether or not any worker has it; returns the handle of the pending login.

    ``previous`` is the handle this browser held before, which is forgotten once the new code is on its way.

    :raises ValidationFailed: for something that is not a mainland mobile number.
    :raises RecordedFailure: inside the cool-down or over the phone's quota, alike for every phone.
    """
    try:
        phone = parse_mobile(raw_phone)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), field="phone") from exc
    codes.send_code(PURPOSE, phone, now=now, requester=requester, sms_template="portal_code")
    if previous:
        db.session.execute(sa.delete(PortalLogin).where(PortalLogin.handle_hash == _hash(previous)))
    handle = secrets.token_urlsafe(32)
    db.session.add(PortalLogin(handle_hash=_hash(handle), phone=phone, created_at=now))
    db.session.flush()
    return handle


def pending_login(handle: object, *, now: datetime) -> PortalLogin | None:
    """The login waiting for a code behind this browser's handle, if it is still fresh."""
    if not isinstance(handle, str) or not handle:
        return None
    login = db.session.scalar(sa.select(PortalLogin).where(PortalLogin.handle_hash == _hash(handle)))
    if login is None or now - clock.as_utc(login.created_at) > PENDING_TTL:
        return None
    return login


def finish_login(login: PortalLogin, code: str, *, now: datetime, requester: codes.Requester) -> list[Worker]:
    """Check the code; returns the workers with this phone (none for a phone that is not registered)."""
    codes.check_code(PURPOSE, login.phone, code, now=now, requester=requester)
    workers = _workers_with(login.phone)
    db.session.delete(login)
    db.session.flush()
    return workers


def purge_stale_logins(*, now: datetime) -> int:
    """Delete pending portal logins past their time, so no phone number lingers; returns how many."""
    result = db.session.execute(sa.delete(PortalLogin).where(PortalLogin.created_at < now - PENDING_TTL))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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
    query = sa.select(Worker).where(Worker.phone_index == codes.phone_index(phone)).order_by(Worker.id)
    return list(db.session.scalars(query))


def _hash(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()
