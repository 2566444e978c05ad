"""Enrolment by QR code: links, the two-step phone-verified enrolment, and the roster.

The flow is start (validate the form, keep it encrypted as a pending enrolment, text a code) and
complete (check the code, find or create the person, put them on the roster). Nothing reaches the roster
or the worker table before the phone is proven.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.codes import services as codes
from wage_guard.enrollment.identity import InvalidIdNumber, age_on, parse_id_number
from wage_guard.enrollment.models import Enrollment, EnrollmentLink, PendingEnrollment, Worker
from wage_guard.enrollment.trades import TRADES
from wage_guard.errors import Conflict, Gone, NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.fieldcrypt import blind_index
from wage_guard.i18n import _
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(actor: User | None, project: Project, *, now: datetime) -> EnrollmentLink:
    """Create a new QR link for ``project`` and revoke the previous ones, so old posters stop working."""
    for old in _active_links(project, now):
        old.revoked_at = now
    token = secrets.token_urlsafe(24)
    link = EnrollmentLink(
        project=project,
        token=token,
        token_hash=_token_hash(token),
        created_at=now,
        created_by_id=actor.id if actor else None,
        expires_at=now + current_app.config["ENROLLMENT_LINK_TTL"],
    )
    db.session.add(link)
    db.session.flush()
    return link


def current_link(project: Project, *, now: datetime) -> EnrollmentLink | None:
    links = _active_links(project, now)
    return links[-1] if links else None


def revoke_link(project: Project, link_id: int, *, now: datetime) -> None:
    """Stop a QR link from working.

    :raises NotFound: when the link is not one of this project's.
    """
    link = db.session.get(EnrollmentLink, link_id)
    if link is None or link.project_id != project.id:
        raise NotFound(_("This QR code does not belong to this project."))
    link.revoked_at = link.revoked_at or now


def resolve_link(token: str, *, now: datetime) -> EnrollmentLink:
    """Find the link behind a scanned token.

    :raises NotFound: for an unknown token. :raises Gone: for a revoked or expired one.
    """
    link = db.session.scalar(sa.select(EnrollmentLink).where(EnrollmentLink.token_hash == _token_hash(token)))
    if link is None:
        raise NotFound(_("This QR code is not valid. Please scan the code on the site poster again."))
    if link.revoked_at is not None:
        raise Gone(_("This QR code has been withdrawn. Please ask the site office for the current poster."))
    if clock.as_utc(link.expires_at) <= now:
        raise Gone(_("This QR code has expired. Please ask the site office for the current poster."))
    return link


def start_enrollment(
    link: EnrollmentLink, form: EnrollmentForm, *, now: datetime, requester: codes.Requester
) -> PendingEnrollment:
    """Validate the enrolment form, keep it encrypted and text a code to the phone.

    :raises ValidationFailed: with a message per wrong field. :raises Conflict: when already on the roster.
    """
    name, id_number, phone = _validate(form, now)
    existing = _worker_by_id_number(id_number)
    if existing is not None:
        if existing.name != name:
            raise ValidationFailed(_("This name does not match the name registered with this ID number."), field="name")
        if _enrollment_of(link.project_id, existing.id) is not None:
            raise Conflict(_("You are already on this project's roster. There is no need to enrol again."))
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
    codes.send_code(_purpose(pending), pending.phone, now=now, requester=requester, project_name=pending.link.project.name)


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


def complete_enrollment(pending: PendingEnrollment, code: str, *, now: datetime, requester: codes.Requester) -> Enrollment:
    """Check the code, then put the person on the roster (re-using their identity if known)."""
    link = resolve_link(pending.link.token, now=now)
    codes.check_code(_purpose(pending), pending.phone, code, now=now, requester=requester)
    worker = _worker_by_id_number(pending.id_number)
    if worker is None:
        worker = Worker(
            name=pending.name,
            id_number=pending.id_number,
            id_number_index=id_number_index(pending.id_number),
            birth_date=parse_id_number(pending.id_number, today=clock.china_date(now)).birth_date,
            phone=pending.phone,
            phone_index=codes.phone_index(pending.phone),
            phone_verified_at=now,
        )
        db.session.add(worker)
        db.session.flush()
    elif _enrollment_of(link.project_id, worker.id) is not None:
        raise Conflict(_("You are already on this project's roster. There is no need to enrol again."))
    else:
        worker.phone, worker.phone_index, worker.phone_verified_at = pending.phone, codes.phone_index(pending.phone), now
    if pending.address:
        worker.address = pending.address
    enrollment = Enrollment(
        project_id=link.project_id, worker=worker, trade=pending.trade, entry_date=clock.china_date(now), link_id=link.id
    )
    db.session.add(enrollment)
    db.session.delete(pending)
    db.session.flush()
    ledger.append(
        "enrolled",
        f"enrollment:{enrollment.id}",
        {
            "project": link.project_id,
            "worker": ledger.keyed(str(worker.id), "worker"),
            "link": link.id,
            "consent_version": pending.consent_version,
        },
        now=now,
    )
    return enrollment


def roster(project: Project) -> list[Enrollment]:
    """The project's enrolled workers, newest first."""
    query = sa.select(Enrollment).where(Enrollment.project_id == project.id).order_by(Enrollment.id.desc())
    return list(db.session.scalars(query))


def roster_counts(project_ids: list[int]) -> dict[int, int]:
    """Workers currently on each project's roster (no exit date), in one query."""
    query = (
        sa.select(Enrollment.project_id, sa.func.count())
        .where(Enrollment.project_id.in_(project_ids), Enrollment.exit_date.is_(None))
        .group_by(Enrollment.project_id)
    )
    return {pid: n for pid, n in db.session.execute(query)}


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
    return f"enrol:{pending.id}"


def _worker_by_id_number(id_number: str) -> Worker | None:
    return db.session.scalar(sa.select(Worker).where(Worker.id_number_index == id_number_index(id_number)))


def _enrollment_of(project_id: int, worker_id: int) -> Enrollment | None:
    return db.session.scalar(sa.select(Enrollment).where(Enrollment.project_id == project_id, Enrollment.worker_id == worker_id))


def _active_links(project: Project, now: datetime) -> list[EnrollmentLink]:
    query = (
        sa.select(EnrollmentLink)
        .where(EnrollmentLink.project_id == project.id, EnrollmentLink.revoked_at.is_(None), EnrollmentLink.expires_at > now)
        .order_by(EnrollmentLink.id)
    )
    return list(db.session.scalars(query))


def get_own_enrollment(enrollment_id: int | None, token: str) -> Enrollment:
    """The enrolment this browser just completed through ``token``.

    :raises NotFound: for any other browser, so the page shows nobody else's data.
    """
    enrollment = db.session.get(Enrollment, enrollment_id) if enrollment_id else None
    if enrollment is None or enrollment.link is None or enrollment.link.token_hash != _token_hash(token):
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


def update_enrollment(
    enrollment: Enrollment, *, crew_id: int | None, trade: str, exit_date: date | None, address: str | None = None
) -> Enrollment:
    """Change a roster entry's crew, trade, exit date (the day the worker left the site) or the worker's address.

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
    if address and address.strip():
        enrollment.worker.address = " ".join(address.split())[:200]
    db.session.flush()
    return enrollment
