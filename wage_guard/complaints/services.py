"""File complaints about unpaid wages and track them to closure.

Two ways in: the site poster's QR page, where the reporter's phone is proven by an SMS code first (the same code
service and protections as everywhere), and the worker portal, whose session is already proven. A complaint is
an evidence-log entry when filed and when closed; the public log holds ids, months and amounts, never names,
phones or notes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.codes import services as codes
from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.complaints.months import parse_months
from wage_guard.confirmations.amounts import parse_amount
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import Conflict, NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project
from wage_guard.risk.queue import queue_project
from wage_guard.sms.phones import InvalidPhoneNumber, parse_mobile

#: How long a poster complaint waits for its code before it is deleted.
PENDING_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class ComplaintForm:
    months: str
    amount: str
    note: str
    name: str = ""
    phone: str = ""


def _hash(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


def _validate(form: ComplaintForm, now: datetime, *, poster: bool) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    try:
        values["months"] = ",".join(parse_months(form.months, today=clock.china_date(now)))
    except ValueError:
        errors["months"] = _("Please enter the unpaid months like 2026-09, 2026-10 (not in the future).")
    try:
        values["amount"] = parse_amount(form.amount)
    except ValueError:
        values["amount"] = None
    if not values["amount"]:
        errors["amount"] = _("Please enter the unpaid amount in yuan, for example 4500.")
    note = " ".join(form.note.split()) or None
    if note is not None and len(note) > 500:
        errors["note"] = _("The note can be at most 500 characters.")
    values["note"] = note
    if poster:
        _validate_person(form, values, errors)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    return values


def _validate_person(form: ComplaintForm, values: dict[str, object], errors: dict[str, str]) -> None:
    name = " ".join(form.name.split())
    if not 2 <= len(name) <= 32:
        errors["name"] = _("Please enter your name (2 to 32 characters).")
    values["name"] = name
    try:
        values["phone"] = parse_mobile(form.phone)
    except InvalidPhoneNumber as exc:
        errors["phone"] = str(exc)


def start_from_poster(project: Project, form: ComplaintForm, *, now: datetime, requester: codes.Requester) -> str:
    """Keep the complaint (invisible until the code is confirmed) and text a code; returns the browser's handle.

    :raises ValidationFailed: per wrong field. :raises RecordedFailure: cool-down, quota or lock of the phone.
    """
    values = _validate(form, now, poster=True)
    handle = secrets.token_urlsafe(24)
    complaint = Complaint(
        project=project, source="poster", status=ComplaintStatus.UNVERIFIED, handle_hash=_hash(handle), created_at=now, **values
    )
    db.session.add(complaint)
    db.session.flush()
    send_code(complaint, handle, now=now, requester=requester)
    return handle


def send_code(complaint: Complaint, handle: str, *, now: datetime, requester: codes.Requester) -> None:
    codes.send_code(f"complaint:{handle[:24]}", complaint.phone, now=now, requester=requester, sms_template="complaint_code")


def get_pending(handle: object, project: Project, *, now: datetime) -> Complaint:
    """The poster complaint this browser started for ``project``.

    :raises NotFound: none, another project's, or older than an hour.
    """
    complaint = None
    if isinstance(handle, str) and handle:
        complaint = db.session.scalar(sa.select(Complaint).where(Complaint.handle_hash == _hash(handle)))
    if complaint is None or complaint.project_id != project.id or now - clock.as_utc(complaint.created_at) > PENDING_TTL:
        raise NotFound(_("Your complaint form has expired. Please fill it in again."))
    return complaint


def confirm_from_poster(complaint: Complaint, handle: str, code: str, *, now: datetime, requester: codes.Requester) -> Complaint:
    """Check the code; the complaint is filed (and linked to the roster worker with this phone, if any)."""
    codes.check_code(f"complaint:{handle[:24]}", complaint.phone, code, now=now, requester=requester)
    index = codes.phone_index(complaint.phone)
    worker_id = db.session.scalar(
        sa.select(Worker.id).join(Enrollment).where(Enrollment.project_id == complaint.project_id, Worker.phone_index == index)
    )
    complaint.worker_id, complaint.handle_hash = worker_id, None
    _open(complaint, now, requester)
    return complaint


def file_from_portal(
    worker: Worker, project_id: int, form: ComplaintForm, *, now: datetime, requester: codes.Requester
) -> Complaint:
    """A worker in the portal reports unpaid wages on one of their own projects.

    :raises NotFound: a project the worker is not on. :raises ValidationFailed: per wrong field.
    """
    entry = db.session.scalar(sa.select(Enrollment).where(Enrollment.worker_id == worker.id, Enrollment.project_id == project_id))
    if entry is None:
        raise NotFound(_("You are not on this project's roster."))
    values = _validate(form, now, poster=False)
    complaint = Complaint(
        project_id=project_id,
        worker=worker,
        name=worker.name,
        phone=worker.phone,
        source="portal",
        status=ComplaintStatus.UNVERIFIED,
        created_at=now,
        **values,
    )
    db.session.add(complaint)
    db.session.flush()
    _open(complaint, now, requester)
    return complaint


def _open(complaint: Complaint, now: datetime, requester: codes.Requester) -> None:
    complaint.status, complaint.verified_at = ComplaintStatus.OPEN, now
    db.session.flush()
    ledger.append(
        "complaint_filed",
        f"complaint:{complaint.id}",
        {
            "project": complaint.project_id,
            "source": complaint.source,
            "months": complaint.month_list,
            "amount": str(complaint.amount),
            "worker": ledger.keyed(f"worker:{complaint.worker_id}", "actor") if complaint.worker_id else None,
            "note": ledger.keyed(complaint.note, "note") if complaint.note else None,
            "ip": ledger.keyed(requester.ip_address, "ip") if requester.ip_address else None,
        },
        now=now,
    )
    queue_project(complaint.project_id, now)


def get_complaint(project: Project, complaint_id: int) -> Complaint:
    """:raises NotFound: another project's complaint, or one whose phone was never confirmed."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or complaint.project_id != project.id or complaint.status is ComplaintStatus.UNVERIFIED:
        raise NotFound(_("This complaint does not exist on this project."))
    return complaint


def close(actor: User, complaint: Complaint, resolution: str, *, now: datetime) -> Complaint:
    """Close an open complaint with a note saying how it was resolved (the foreman's or the inspector's).

    :raises Conflict: already closed. :raises ValidationFailed: no or an overlong resolution note.
    """
    if complaint.status is not ComplaintStatus.OPEN:
        raise Conflict(_("This complaint is already closed."))
    cleaned = " ".join((resolution or "").split())
    if not 2 <= len(cleaned) <= 500:
        raise ValidationFailed(_("Please say in a few words how it was resolved (at most 500 characters)."), field="resolution")
    complaint.status, complaint.closed_at, complaint.closed_by_id, complaint.resolution = (
        ComplaintStatus.CLOSED,
        now,
        actor.id,
        cleaned,
    )
    ledger.append(
        "complaint_closed",
        f"complaint:{complaint.id}",
        {
            "project": complaint.project_id,
            "actor": ledger.keyed(f"staff:{actor.id}", "actor"),
            "role": actor.role.value,
            "resolution": ledger.keyed(cleaned, "note"),
        },
        now=now,
    )
    queue_project(complaint.project_id, now)
    return complaint


def of_project(project: Project) -> list[Complaint]:
    """The project's complaints: open first, newest first."""
    order = sa.case((Complaint.status == ComplaintStatus.OPEN, 0), else_=1)
    query = sa.select(Complaint).where(Complaint.project_id == project.id, Complaint.status != ComplaintStatus.UNVERIFIED)
    return list(db.session.scalars(query.order_by(order, Complaint.id.desc())))


def of_workers(worker_ids: list[int]) -> list[Complaint]:
    query = sa.select(Complaint).where(Complaint.worker_id.in_(worker_ids), Complaint.status != ComplaintStatus.UNVERIFIED)
    return list(db.session.scalars(query.order_by(Complaint.id.desc())))


def open_counts(project_ids: list[int] | None = None) -> dict[int, int]:
    """Open complaints per project (risk rule R13)."""
    query = sa.select(Complaint.project_id, sa.func.count()).where(Complaint.status == ComplaintStatus.OPEN)
    if project_ids is not None:
        query = query.where(Complaint.project_id.in_(project_ids))
    return {p: n for p, n in db.session.execute(query.group_by(Complaint.project_id))}


def purge_unverified(*, now: datetime) -> int:
    """Delete poster complaints whose phone was never confirmed within the hour, so no personal data lingers."""
    result = db.session.execute(
        sa.delete(Complaint).where(Complaint.status == ComplaintStatus.UNVERIFIED, Complaint.created_at < now - PENDING_TTL)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
