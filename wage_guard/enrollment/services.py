"""Enrolment by QR code: the two-step phone-verified enrolment and the roster entries (links: ``links``).

The flow is start (validate the form, keep it encrypted as a pending enrolment, text a code) and
complete (check the code, find or create the person, put them on the roster). Nothing reaches the roster
or the worker table before the phone is proven.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.codes import services as codes
from wage_guard.enrollment import links
from wage_guard.enrollment.identity import InvalidIdNumber, age_on, parse_id_number
from wage_guard.enrollment.models import Enrollment, EnrollmentLink, PendingEnrollment, Worker
from wage_guard.enrollment.trades import TRADES
from wage_guard.errors import Conflict, Gone, NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.fieldcrypt import blind_index
from wage_guard.i18n import _
from wage_guard.identity import services as identity
from wage_guard.identity.models import CheckKind, CheckStatus, IdentityCheck
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project
from wage_guard.sms.phones import InvalidPhoneNumber, parse_mobile

#: Version of the privacy notice shown on the enrolment page; stored with each consent.
PRIVACY_NOTICE_VERSION = "2026-11"
MINIMUM_WORKING_AGE = 16
PENDING_TTL = timedelta(hours=1)
_NAME = re.compile(r"[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z·•. ]{0,38}[\u3400-\u9fffA-Za-z]")


@dataclass(frozen=True)
class EnrollmentForm:
    name: str
    id_number: str
    phone: str
    trade: str
    consent: bool
    #: Optional at enrolment; a contract cannot be issued without it.
    address: str = ""


def id_number_index(id_number: str) -> str:
    return blind_index(id_number, "id_number")


def start_enrollment(
    link: EnrollmentLink, form: EnrollmentForm, *, now: datetime, requester: codes.Requester
) -> PendingEnrollment:
    """Validate the enrolment form, keep it encrypted and text a code to the phone.

    The answer is the same whether or not the ID number or phone is known: what the platform knows about a
    person is said only after the phone is proven (see :func:`complete_enrollment`).

    :raises ValidationFailed: with a message per wrong field.
    """
    name, id_number, phone = _validate(form, now)
    pending = PendingEnrollment(
        handle=secrets.token_urlsafe(24),
        link=link,
        name=name,
        id_number=id_number,
        phone=phone,
        trade=form.trade,
        address=" ".join(form.address.split()) or None,
        consented_at=now,
        consent_version=PRIVACY_NOTICE_VERSION,
        created_at=now,
    )
    db.session.add(pending)
    db.session.flush()
    send_enrollment_code(pending, now=now, requester=requester)
    return pending


def send_enrollment_code(pending: PendingEnrollment, *, now: datetime, requester: codes.Requester) -> None:
    """Text (or re-text, after the cool-down) the code for a pending enrolment."""
    codes.send_code(
        _purpose(pending),
        pending.phone,
        now=now,
        requester=requester,
        person=_person_of(pending.id_number),
        project_name=pending.link.project.name,
    )


def get_pending(handle: str | None, link: EnrollmentLink, *, now: datetime) -> PendingEnrollment:
    """Load the pending enrolment of this browser session for this link.

    :raises Gone: when there is none (the session ended or it is older than an hour).
    """
    pending = None
    if handle:
        pending = db.session.scalar(sa.select(PendingEnrollment).where(PendingEnrollment.handle == handle))
    if pending is None or pending.link_id != link.id or now - clock.as_utc(pending.created_at) > PENDING_TTL:
        raise Gone(_("Your enrolment form has expired. Please fill it in again."))
    return pending


@dataclass(frozen=True)
class Outcome:
    """What a proven enrolment led to: a roster entry, or an identity check that the foreman must confirm."""

    enrollment: Enrollment | None = None
    check: IdentityCheck | None = None


def complete_enrollment(pending: PendingEnrollment, code: str, *, now: datetime, requester: codes.Requester) -> Outcome:
    """Check the code, then put the person on the roster, re-using their identity if known.

    A person's phone never changes here. An ID number known with another phone, or a phone that already belongs
    to the most people allowed, is held as an :class:`IdentityCheck` for the foreman's in-person confirmation.

    :raises ValidationFailed: when the name differs from the one registered with the ID number (said only now,
        after the phone is proven). :raises Conflict: when already on this roster.
    """
    link = links.resolve_link(pending.link.token, now=now)
    codes.check_code(_purpose(pending), pending.phone, code, now=now, requester=requester, person=_person_of(pending.id_number))
    worker = _worker_by_id_number(pending.id_number)
    phone = codes.phone_index(pending.phone)
    if worker is not None and worker.name != pending.name:
        raise ValidationFailed(_("This name does not match the name registered with this ID number."), field="name")
    if worker is not None and worker.phone_index != phone:
        return Outcome(check=_hold_phone_change(pending, worker, link, now))
    if worker is None and identity.phone_is_full(phone):
        return Outcome(check=_hold_shared_phone(pending, link, now))
    if worker is not None and _enrollment_of(link.project_id, worker.id) is not None:
        raise Conflict(_("You are already on this project's roster. There is no need to enrol again."))
    if worker is None:
        worker = _new_worker(pending.name, pending.id_number, pending.phone, now)
    if pending.address:  # the person's own proven phone: they may set their address
        worker.address = pending.address
    enrollment = enrol(worker, link, pending.trade, now=now, consent_version=pending.consent_version)
    db.session.delete(pending)
    db.session.flush()
    return Outcome(enrollment=enrollment)


def enrol(worker: Worker, link: EnrollmentLink, trade: str, *, now: datetime, consent_version: str) -> Enrollment:
    """Put a proven person on the link's project roster and log it."""
    enrollment = Enrollment(
        project_id=link.project_id, worker=worker, trade=trade, entry_date=clock.china_date(now), link_id=link.id
    )
    db.session.add(enrollment)
    db.session.flush()
    ledger.append(
        "enrolled",
        f"enrollment:{enrollment.id}",
        {
            "project": link.project_id,
            "worker": ledger.keyed(str(worker.id), "worker"),
            "link": link.id,
            "consent_version": consent_version,
        },
        now=now,
    )
    return enrollment


def _new_worker(name: str, id_number: str, phone: str, now: datetime) -> Worker:
    worker = Worker(
        name=name,
        id_number=id_number,
        id_number_index=id_number_index(id_number),
        birth_date=parse_id_number(id_number, today=clock.china_date(now)).birth_date,
        phone=phone,
        phone_index=codes.phone_index(phone),
        phone_verified_at=now,
    )
    db.session.add(worker)
    db.session.flush()
    return worker


def _hold_phone_change(pending: PendingEnrollment, worker: Worker, link: EnrollmentLink, now: datetime) -> IdentityCheck:
    """Known ID number, new phone: never a silent change. The old number is told and may cancel."""
    check = identity.open_phone_change_of(worker)
    if check is None or check.phone_index != codes.phone_index(pending.phone):
        check = identity.open_check(
            CheckKind.PHONE_CHANGE,
            link.project,
            phone=pending.phone,
            worker=worker,
            trade=pending.trade,
            link_id=link.id,
            now=now,
        )
    db.session.delete(pending)
    db.session.flush()
    return check


def _hold_shared_phone(pending: PendingEnrollment, link: EnrollmentLink, now: datetime) -> IdentityCheck:
    """A phone that already belongs to the most people allowed: the foreman confirms this person in person."""
    check = identity.open_check(
        CheckKind.SHARED_PHONE_ENROLMENT,
        link.project,
        phone=pending.phone,
        name=pending.name,
        id_number=pending.id_number,
        trade=pending.trade,
        link_id=link.id,
        now=now,
    )
    db.session.delete(pending)
    db.session.flush()
    return check


def send_old_phone_code(check: IdentityCheck, *, now: datetime, requester: codes.Requester) -> None:
    """Path (a) of a phone change: a code to the number on record proves the person still holds it."""
    worker = _open_enrolment_change(check)
    codes.send_code(
        f"old_phone:{check.id}",
        worker.phone,
        now=now,
        requester=requester,
        person=f"worker:{worker.id}",
        sms_template="old_phone_code",
        project_name=check.project.name,
        masked_phone=check.masked_phone,
    )


def finish_with_old_phone(check: IdentityCheck, code: str, *, now: datetime, requester: codes.Requester) -> Enrollment | None:
    """Both phones are proven: the person moves to the new phone at once and is put on the roster."""
    worker = _open_enrolment_change(check)
    codes.check_code(f"old_phone:{check.id}", worker.phone, code, now=now, requester=requester, person=f"worker:{worker.id}")
    identity.change_with_old_phone(worker, check.phone, now=now)
    check.status, check.closed_at = CheckStatus.DONE, now
    ledger.append("identity_check_proven_by_old_phone", f"identity_check:{check.id}", {"project": check.project_id}, now=now)
    return _enrol_for_check(check, worker, now)


def decide_check(
    check: IdentityCheck, actor: User, *, approve: bool, seen_id_card: bool, note: str, now: datetime
) -> IdentityCheck:
    """The foreman's in-person decision on a phone change or a shared-phone enrolment."""
    confirmed = identity.decide(check, actor, approve=approve, seen_id_card=seen_id_card, note=note, now=now)
    if confirmed and check.kind is CheckKind.SHARED_PHONE_ENROLMENT:
        assert check.name is not None
        assert check.id_number is not None
        worker = _worker_by_id_number(check.id_number)
        if worker is not None and worker.phone_index != check.phone_index:
            raise Conflict(_("This ID number has meanwhile been registered with another phone. Refuse this check."))
        worker = worker or _new_worker(check.name, check.id_number, check.phone, now)
        identity.approve_sharing(worker, check, now=now)
        _enrol_for_check(check, worker, now)
    return check


def apply_due_phone_changes(*, now: datetime) -> int:
    """The scheduler's job: confirmed phone changes whose hold passed take effect; the person joins the roster."""
    due = identity.due_phone_changes(now=now)
    for check in due:
        worker = identity.apply_phone_change(check, now=now)
        _enrol_for_check(check, worker, now)
    identity.lapse_stale(now=now)
    return len(due)


def _enrol_for_check(check: IdentityCheck, worker: Worker, now: datetime) -> Enrollment | None:
    """Put the person of a decided check on the roster of the project where they enrolled (once)."""
    existing = _enrollment_of(check.project_id, worker.id)
    link = db.session.get(EnrollmentLink, check.link_id) if check.link_id else None
    if existing is not None or link is None or check.trade is None:
        return existing
    return enrol(worker, link, check.trade, now=now, consent_version=PRIVACY_NOTICE_VERSION)


def _open_enrolment_change(check: IdentityCheck) -> Worker:
    if check.kind is not CheckKind.PHONE_CHANGE or check.status is not CheckStatus.AWAITING_FOREMAN or check.worker is None:
        raise Gone(_("This request is already closed."))
    return check.worker


def get_own_check(check_id: int | None, token: str) -> IdentityCheck:
    """The identity check this browser's enrolment through ``token`` opened.

    :raises NotFound: for any other browser or link.
    """
    check = db.session.get(IdentityCheck, check_id) if check_id else None
    link = db.session.get(EnrollmentLink, check.link_id) if check is not None and check.link_id else None
    if check is None or link is None or link.token_hash != links.token_hash(token):
        raise NotFound(_("There is no request to show here."))
    return check


def _person_of(id_number: str) -> str:
    """Whose identity an enrolment code proves: the known worker, or the ID number's keyed hash."""
    worker = _worker_by_id_number(id_number)
    return f"worker:{worker.id}" if worker is not None else codes.id_person_key(id_number)


def purge_stale_pending(*, now: datetime) -> int:
    """Delete pending enrolments older than an hour, so unfinished personal data does not linger."""
    result = db.session.execute(sa.delete(PendingEnrollment).where(PendingEnrollment.created_at < now - PENDING_TTL))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _validate(form: EnrollmentForm, now: datetime) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not _NAME.fullmatch(name):
        errors["name"] = _("Please enter your full name as on your ID card (2 to 40 characters, no digits).")
    id_number = ""
    try:
        parsed = parse_id_number(form.id_number, today=clock.china_date(now))
        id_number = parsed.value
        if age_on(parsed.birth_date, clock.china_date(now)) < MINIMUM_WORKING_AGE:
            errors["id_number"] = _("Workers must be at least 16 years old.")
    except InvalidIdNumber as exc:
        errors["id_number"] = str(exc)
    phone = ""
    try:
        phone = parse_mobile(form.phone)
    except InvalidPhoneNumber as exc:
        errors["phone"] = str(exc)
    if form.trade not in TRADES:
        errors["trade"] = _("Please choose your trade.")
    if len(form.address) > 200:
        errors["address"] = _("The address is too long (at most 200 characters).")
    if not form.consent:
        errors["consent"] = _("Please read the privacy notice and tick the box to agree; we cannot enrol you without it.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    return name, id_number, phone


def _purpose(pending: PendingEnrollment) -> str:
    """Bound to this form by its random handle (row ids are reused by SQLite after a delete)."""
    return f"enrol:{pending.handle[:24]}"


def _worker_by_id_number(id_number: str) -> Worker | None:
    return db.session.scalar(sa.select(Worker).where(Worker.id_number_index == id_number_index(id_number)))


def _enrollment_of(project_id: int, worker_id: int) -> Enrollment | None:
    return db.session.scalar(sa.select(Enrollment).where(Enrollment.project_id == project_id, Enrollment.worker_id == worker_id))


def get_own_enrollment(enrollment_id: int | None, token: str) -> Enrollment:
    """The enrolment this browser just completed through ``token``.

    :raises NotFound: for any other browser, so the page shows nobody else's data.
    """
    enrollment = db.session.get(Enrollment, enrollment_id) if enrollment_id else None
    if enrollment is None or enrollment.link is None or enrollment.link.token_hash != links.token_hash(token):
        raise NotFound(_("There is no finished enrolment to show here."))
    return enrollment


def get_enrollment(project: Project, enrollment_id: int) -> Enrollment:
    """Load a roster entry of ``project``.

    :raises NotFound: when it belongs to another project.
    """
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.project_id != project.id:
        raise NotFound(_("This worker is not on this project's roster."))
    return enrollment


def update_enrollment(enrollment: Enrollment, *, crew_id: int | None, trade: str, exit_date: date | None) -> Enrollment:
    """Change a roster entry's crew, trade or exit date (the day the worker left the site).

    Only the project's own data: the person's name, ID number, phone and address are not the project's to change
    (another employer relies on them too); they change through the worker's own proven phone or in person.

    :raises ValidationFailed: for a crew of another project, an unknown trade, or an exit before entry.
    """
    errors: dict[str, str] = {}
    if crew_id is not None and crew_id not in {c.id for c in enrollment.project.crews}:
        errors["crew_id"] = _("This crew does not belong to this project.")
    if trade not in TRADES:
        errors["trade"] = _("Please choose your trade.")
    if exit_date is not None and exit_date < enrollment.entry_date:
        errors["exit_date"] = _(
            "The exit date cannot be before the entry date (%(date)s).", date=enrollment.entry_date.isoformat()
        )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    enrollment.crew_id, enrollment.trade, enrollment.exit_date = crew_id, trade, exit_date
    db.session.flush()
    return enrollment
