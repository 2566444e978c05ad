"""Identity checks: open, confirm in person, refuse, cancel from the old number, and apply when the hold ends.

The rules that keep a person's identity theirs, whoever knows their name and ID number:

- a person's phone never changes as a side effect; a change is an :class:`IdentityCheck` the project's foreman
  confirms after seeing the ID card, the old number is told by SMS and can cancel for ``PHONE_CHANGE_HOLD``,
  and only then does the phone change (ending every portal session of that person);
- a phone may belong to at most ``PHONE_SHARED_BY_AT_MOST`` people (a couple may share one) unless the foreman
  confirms each further person in person.

Enrolling and sending signing links are other domains' work; they call :func:`open_check` to hold a request
and act on the confirmation themselves, so this module imports neither.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.accounts.models import User
from wage_guard.accounts.sessions import end_worker_sessions
from wage_guard.codes import services as codes
from wage_guard.enrollment.models import Worker
from wage_guard.errors import Conflict, Gone, NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.identity.models import OPEN_STATUSES, CheckKind, CheckStatus, IdentityCheck, SharedPhoneApproval
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project
from wage_guard.settings import settings
from wage_guard.sms import services as sms
from wage_guard.sms.phones import InvalidPhoneNumber, mask_mobile, parse_mobile


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def workers_with_phone(index: str) -> list[Worker]:
    return list(db.session.scalars(sa.select(Worker).where(Worker.phone_index == index).order_by(Worker.id)))


def phone_is_full(index: str, *, besides: int | None = None) -> bool:
    """True when the phone already belongs to the most people allowed without an in-person check."""
    others = [w for w in workers_with_phone(index) if w.id != besides]
    return len(others) >= settings().phone_shared_by_at_most


def sharing_cleared(worker: Worker) -> bool:
    """May this worker's phone receive their signing link? Yes unless the phone is shared beyond the limit and
    this person was never confirmed in person for it."""
    if not phone_is_full(worker.phone_index, besides=worker.id):
        return True
    approval = db.session.scalar(
        sa.select(SharedPhoneApproval.id).where(
            SharedPhoneApproval.worker_id == worker.id, SharedPhoneApproval.phone_index == worker.phone_index
        )
    )
    return approval is not None


def open_check(
    kind: CheckKind,
    project: Project,
    *,
    phone: str,
    now: datetime,
    worker: Worker | None = None,
    name: str | None = None,
    id_number: str | None = None,
    trade: str | None = None,
    link_id: int | None = None,
    contract_id: int | None = None,
    reason: str = "enrolment",
    phone_verified: bool = True,
) -> IdentityCheck:
    """Hold a request for the foreman's in-person check; a phone change also tells the old number at once."""
    check = IdentityCheck(
        kind=kind,
        status=CheckStatus.AWAITING_FOREMAN,
        project_id=project.id,
        worker_id=worker.id if worker else None,
        name=name,
        id_number=id_number,
        trade=trade,
        link_id=link_id,
        phone=phone,
        phone_index=codes.phone_index(phone),
        phone_verified_at=now if phone_verified else None,
        contract_id=contract_id,
        reason=reason,
        requested_at=now,
    )
    db.session.add(check)
    db.session.flush()
    _log(check, "identity_check_opened", now, reason=reason)
    if kind is CheckKind.PHONE_CHANGE and phone_verified:
        _notify_old_phone(check, "phone_change_requested", now)
    return check


def confirm(check: IdentityCheck, actor: User, *, now: datetime, seen_id_card: bool, note: str = "") -> IdentityCheck:
    """The foreman saw the person and their ID card. A phone change then waits out the hold; the rest are done.

    :raises ValidationFailed: without the ID-card confirmation. :raises Conflict: when no longer open.
    """
    _require_awaiting(check)
    if not seen_id_card:
        raise ValidationFailed(
            _("Please confirm that you have seen this person's ID card and that it matches."), field="seen_id_card"
        )
    if check.phone_verified_at is None:
        raise ValidationFailed(_("The new phone has not been proven with a code yet."), field="code")
    check.decided_at, check.decided_by_id, check.note = now, actor.id, _clean_note(note)
    if check.kind is CheckKind.PHONE_CHANGE:
        check.status = CheckStatus.ON_HOLD
        check.effective_at = now + settings().phone_change_hold
        _log(check, "identity_check_confirmed", now, by=f"staff:{actor.id}", effective_at=check.effective_at.isoformat())
        _notify_old_phone(check, "phone_change_confirmed", now)
    else:
        check.status, check.closed_at = CheckStatus.DONE, now
        _log(check, "identity_check_confirmed", now, by=f"staff:{actor.id}")
    return check


def decide(check: IdentityCheck, actor: User, *, approve: bool, seen_id_card: bool, note: str, now: datetime) -> bool:
    """The foreman's decision in person: :func:`confirm` or :func:`reject`; True when confirmed."""
    if not approve:
        reject(check, actor, now=now, note=note)
        return False
    confirm(check, actor, now=now, seen_id_card=seen_id_card, note=note)
    return True


def approve_sharing(worker: Worker, check: IdentityCheck, *, now: datetime) -> None:
    """Remember that the foreman confirmed ``worker`` on this shared phone, so later links are not held again."""
    exists = db.session.scalar(
        sa.select(SharedPhoneApproval.id).where(
            SharedPhoneApproval.worker_id == worker.id, SharedPhoneApproval.phone_index == worker.phone_index
        )
    )
    if exists is None:
        assert check.decided_by_id is not None
        db.session.add(
            SharedPhoneApproval(
                worker_id=worker.id,
                phone_index=worker.phone_index,
                approved_by_id=check.decided_by_id,
                check_id=check.id,
                created_at=now,
            )
        )
    check.worker_id = worker.id
    db.session.flush()


def reject(check: IdentityCheck, actor: User, *, now: datetime, note: str = "") -> IdentityCheck:
    """The foreman could not confirm the person (no ID card, another face): nothing changes."""
    _require_awaiting(check)
    check.status, check.decided_at, check.decided_by_id, check.closed_at = CheckStatus.REJECTED, now, actor.id, now
    check.note = _clean_note(note)
    _log(check, "identity_check_rejected", now, by=f"staff:{actor.id}")
    return check


def check_for_cancel_token(token: str) -> IdentityCheck:
    """:raises NotFound: for an unknown cancel link."""
    check = db.session.scalar(sa.select(IdentityCheck).where(IdentityCheck.cancel_token_hash == token_hash(token)))
    if check is None:
        raise NotFound(_("This link is not valid. Please use the link in the text message you received."))
    return check


def cancel_from_old_phone(token: str, *, now: datetime) -> IdentityCheck:
    """The holder of the old number stops the change (any time before it takes effect).

    :raises Gone: when it already took effect or was closed otherwise.
    """
    check = check_for_cancel_token(token)
    if check.status not in OPEN_STATUSES or (check.effective_at is not None and clock.as_utc(check.effective_at) <= now):
        raise Gone(
            _("This request is already closed and can no longer be cancelled here. Call 12333 if your phone was taken over.")
        )
    check.status, check.closed_at = CheckStatus.CANCELLED, now
    _log(check, "identity_check_cancelled", now, by="old_phone")
    return check


def due_phone_changes(*, now: datetime) -> list[IdentityCheck]:
    """Confirmed phone changes whose hold has passed without a cancellation."""
    query = sa.select(IdentityCheck).where(
        IdentityCheck.kind == CheckKind.PHONE_CHANGE,
        IdentityCheck.status == CheckStatus.ON_HOLD,
        IdentityCheck.effective_at <= now,
    )
    return list(db.session.scalars(query.order_by(IdentityCheck.id)))


def apply_phone_change(check: IdentityCheck, *, now: datetime) -> Worker:
    """Make the confirmed change effective: the new phone becomes the person's; every old session ends."""
    worker = check.worker
    assert worker is not None
    assert check.status is CheckStatus.ON_HOLD
    worker.phone, worker.phone_index, worker.phone_verified_at = check.phone, check.phone_index, now
    end_worker_sessions(worker)
    check.status, check.closed_at = CheckStatus.DONE, now
    _log(check, "phone_changed", now)
    sms.queue_sms(check.phone, "phone_change_done", project_name=check.project.name)
    return worker


def change_with_old_phone(worker: Worker, new_phone: str, *, now: datetime) -> None:
    """Both phones were proven with codes just now: the person moves to the new phone at once."""
    old = worker.phone
    worker.phone, worker.phone_index, worker.phone_verified_at = new_phone, codes.phone_index(new_phone), now
    end_worker_sessions(worker)
    ledger.append("phone_changed", f"worker:{worker.id}", {"proof": "old_phone_code", "check": None}, now=now)
    sms.queue_sms(old, "phone_change_done_old", masked_phone=_mask(new_phone))


def lapse_stale(*, now: datetime) -> int:
    """Checks nobody decided within ``IDENTITY_CHECK_TTL`` lapse (the person can ask again)."""
    cutoff = now - settings().identity_check_ttl
    stale = db.session.scalars(
        sa.select(IdentityCheck).where(IdentityCheck.status == CheckStatus.AWAITING_FOREMAN, IdentityCheck.requested_at < cutoff)
    ).all()
    for check in stale:
        check.status, check.closed_at = CheckStatus.LAPSED, now
        _log(check, "identity_check_lapsed", now)
    return len(stale)


def start_lost_phone(
    actor: User, project: Project, worker: Worker, raw_phone: str, *, now: datetime, requester: codes.Requester
) -> IdentityCheck:
    """A worker who lost their phone stands before the foreman: text a code to the new phone first.

    :raises ValidationFailed: for a bad number or the number already on record.
    """
    phone = parse_phone(raw_phone)
    if codes.phone_index(phone) == worker.phone_index:
        raise ValidationFailed(_("This is already the phone number on record."), field="phone")
    _refuse_if_open_change(worker)
    check = open_check(
        CheckKind.PHONE_CHANGE, project, phone=phone, worker=worker, now=now, reason="lost_phone", phone_verified=False
    )
    send_new_phone_code(check, now=now, requester=requester)
    _log(check, "lost_phone_reported", now, by=f"staff:{actor.id}")
    return check


def send_new_phone_code(check: IdentityCheck, *, now: datetime, requester: codes.Requester) -> None:
    codes.send_code(
        _new_phone_purpose(check),
        check.phone,
        now=now,
        requester=requester,
        person=_person(check),
        project_name=check.project.name,
    )


def verify_new_phone(check: IdentityCheck, code: str, *, now: datetime, requester: codes.Requester) -> IdentityCheck:
    """The worker reads out the code that reached the new phone; then the old number is told."""
    _require_awaiting(check)
    codes.check_code(_new_phone_purpose(check), check.phone, code, now=now, requester=requester, person=_person(check))
    check.phone_verified_at = now
    _notify_old_phone(check, "phone_change_requested", now)
    return check


def parse_phone(raw: str) -> str:
    try:
        return parse_mobile(raw)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), field="phone") from exc


def open_phone_change_of(worker: Worker) -> IdentityCheck | None:
    query = sa.select(IdentityCheck).where(
        IdentityCheck.worker_id == worker.id,
        IdentityCheck.kind == CheckKind.PHONE_CHANGE,
        IdentityCheck.status.in_(OPEN_STATUSES),
    )
    return db.session.scalar(query.order_by(IdentityCheck.id.desc()).limit(1))


def _refuse_if_open_change(worker: Worker) -> None:
    if open_phone_change_of(worker) is not None:
        raise Conflict(_("A phone change for this person is already waiting. Finish or refuse it first."))


def _new_phone_purpose(check: IdentityCheck) -> str:
    return f"phone_change:{check.id}"


def _person(check: IdentityCheck) -> str | None:
    return f"worker:{check.worker_id}" if check.worker_id else None


def _require_awaiting(check: IdentityCheck) -> None:
    if check.status is not CheckStatus.AWAITING_FOREMAN:
        raise Conflict(_("This check has already been decided (%(status)s).", status=check.status.label))


def _notify_old_phone(check: IdentityCheck, template: str, now: datetime) -> None:
    """Text the number on record, with a link that cancels the change."""
    worker = check.worker
    if worker is None:
        return
    token = secrets.token_urlsafe(24)
    check.cancel_token_hash = token_hash(token)
    effective = clock.as_utc(check.effective_at).astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M") if check.effective_at else ""
    sms.queue_sms(
        worker.phone,
        template,
        project_name=check.project.name,
        masked_phone=_mask(check.phone),
        effective=effective,
        url=_cancel_url(token),
    )
    _log(check, "old_phone_notified", now, template=template)


def _cancel_url(token: str) -> str:
    return links.public_url("identity_public.cancel", token=token)


def _mask(phone: str) -> str:
    return mask_mobile(phone)


def _clean_note(note: str) -> str | None:
    text = " ".join((note or "").split())
    return text[:500] or None


def _log(check: IdentityCheck, kind: str, now: datetime, **details: object) -> None:
    payload: dict[str, object] = {
        "kind": check.kind.value,
        "project": check.project_id,
        "worker": ledger.keyed(str(check.worker_id), "worker") if check.worker_id else None,
        "phone": check.phone_index[:32],
        "contract": check.contract_id,
        **details,
    }
    ledger.append(kind, f"identity_check:{check.id}", payload, now=now)


def send_person_data_code(project: Project, worker: Worker, *, now: datetime, requester: codes.Requester) -> None:
    """The worker stands with the foreman: a code to the worker's own phone authorises a change of their details."""
    codes.send_code(
        f"person_data:{worker.id}",
        worker.phone,
        now=now,
        requester=requester,
        person=f"worker:{worker.id}",
        sms_template="person_data_code",
        what=_("home address"),
        project_name=project.name,
    )


def change_address(actor: User, worker: Worker, address: str, code: str, *, now: datetime, requester: codes.Requester) -> Worker:
    """Change the person's address with the worker present (their code), never from one project alone.

    :raises ValidationFailed: for an empty or overlong address; the code errors of :func:`codes.check_code`.
    """
    text = " ".join((address or "").split())
    if not 4 <= len(text) <= 200:
        raise ValidationFailed(_("Please enter the home address as on the ID card (4 to 200 characters)."), field="address")
    codes.check_code(f"person_data:{worker.id}", worker.phone, code, now=now, requester=requester, person=f"worker:{worker.id}")
    worker.address = text
    ledger.append(
        "person_data_changed",
        f"worker:{worker.id}",
        {"field": "address", "by": f"staff:{actor.id}", "proof": "worker_phone_code"},
        now=now,
    )
    return worker


def unlock_codes(actor: User, worker: Worker, *, seen_id_card: bool, now: datetime) -> None:
    """The foreman saw the worker and their ID card: lift the cumulative code lock of the worker's phone.

    :raises ValidationFailed: without the ID-card confirmation.
    """
    if not seen_id_card:
        raise ValidationFailed(
            _("Please confirm that you have seen this person's ID card and that it matches."), field="seen_id_card"
        )
    codes.unlock(phone=worker.phone, person=f"worker:{worker.id}", by=actor, now=now)
