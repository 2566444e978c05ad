"""Ask workers to confirm their pay, record their answers, remind them, and record exit settlements.

Every write of the wage-confirmation journey lives here (the views, the payroll import hook and the reminder job
call in). Each request, answer, reminder and settlement is an evidence-log entry; the log is public, so entries
hold ids, answers, amounts and keyed hashes only, never names or notes. A worker whose phone change or
shared-phone check is open is texted nothing (as for signing links): the request waits as ``held`` and goes out
from the reminder job once the check is done.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.codes.services import Requester
from wage_guard.confirmations import links
from wage_guard.confirmations.amounts import parse_amount
from wage_guard.confirmations.models import (
    ANSWERS_FOR,
    Answer,
    Kind,
    Settlement,
    Status,
    WageConfirmation,
)
from wage_guard.enrollment import services as enrollment_services
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import Conflict, Gone, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.identity import services as identity
from wage_guard.ledger import services as ledger
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.risk import stale_lines
from wage_guard.risk.queue import queue_project
from wage_guard.sms import services as sms

#: Reminders go out this long after the first text: the first, then the second (and last).
REMINDER_AFTER = (timedelta(days=3), timedelta(days=7))
OPEN = (Status.PENDING, Status.HELD)
#: What a pay slip shows; a re-import that changes none of these keeps the worker's confirmation.
SLIP_FIELDS = (
    "days_worked",
    "overtime_hours",
    "gross",
    "deductions",
    "deduction_reason",
    "net",
    "pay_date",
    "channel",
    "payee_name",
    "account_tail",
)


def slip_of(line: PayrollLine) -> tuple[object, ...]:
    return tuple(getattr(line, name) for name in SLIP_FIELDS)


def request_pending(*, now: datetime) -> int:
    """Ask the workers of every current payroll version not asked yet (the scheduler's job, a minute after an
    import); returns how many workers were asked. A version replaced before its turn is skipped: its successor asks."""
    query = sa.select(PayrollImport).where(PayrollImport.confirmations_requested_at.is_(None)).order_by(PayrollImport.id)
    asked = 0
    for payroll_import in db.session.scalars(query).all():
        if payroll_import.superseded_at is None:
            asked += request_for_import(payroll_import, now=now)
        payroll_import.confirmations_requested_at = now
    return asked


def request_for_import(payroll_import: PayrollImport, *, now: datetime) -> int:
    """Ask each roster worker on the sheet to confirm their line; returns how many were asked (texted or held).

    A re-import (a new version of the month) moves the confirmation of an unchanged line to the new line,
    supersedes the open one of a changed line and asks again saying the sheet was corrected, and supersedes the
    open ones of workers no longer on the sheet.
    """
    earlier = {c.worker_id: c for c in _live_confirmations(payroll_import)}  # by worker: one line each
    asked = 0
    for line in _roster_lines(payroll_import):
        worker = line.worker
        assert worker is not None  # _roster_lines selects known workers only
        old = earlier.pop(worker.id, None)
        if old is not None and old.line is not None and slip_of(old.line) == slip_of(line):
            _carry(old, line, now)
            continue
        if old is not None:
            _supersede(old, now)
        _create(Kind.MONTHLY, payroll_import.project_id, worker, now, line=line, correction=old is not None)
        asked += 1
    for old in earlier.values():
        _supersede(old, now)
    db.session.flush()
    return asked


def _roster_lines(payroll_import: PayrollImport) -> list[PayrollLine]:
    """The sheet's lines of known workers on the roster, with their workers loaded in one query (a sheet may hold
    tens of thousands of lines; only these are asked, and the others are never loaded or decrypted)."""
    query = (
        sa.select(PayrollLine)
        .where(on_sheet(PayrollLine, payroll_import), PayrollLine.on_roster.is_(True), PayrollLine.worker_id.is_not(None))
        .options(selectinload(PayrollLine.worker))
        .order_by(PayrollLine.row_number)
    )
    return list(db.session.scalars(query))


def _live_confirmations(payroll_import: PayrollImport) -> list[WageConfirmation]:
    """The project month's confirmations on other versions' lines that are not superseded."""
    query = sa.select(WageConfirmation).where(
        WageConfirmation.kind == Kind.MONTHLY,
        WageConfirmation.project_id == payroll_import.project_id,
        WageConfirmation.month == payroll_import.month,
        WageConfirmation.status != Status.SUPERSEDED,
        WageConfirmation.line_id.not_in(sa.select(PayrollLine.id).where(on_sheet(PayrollLine, payroll_import))),
    )
    return list(db.session.scalars(query.order_by(WageConfirmation.id)))


def _carry(confirmation: WageConfirmation, line: PayrollLine, now: datetime) -> None:
    _log(confirmation, "wage_confirmation_carried", now, from_line=confirmation.line_id, to_line=line.id)
    stale_lines.lines((confirmation.line_id, line.id))
    confirmation.line = line


def _supersede(confirmation: WageConfirmation, now: datetime) -> None:
    """An open request is replaced (answered ones stay with their line as history)."""
    if confirmation.status not in OPEN:
        return
    confirmation.status, confirmation.superseded_at = Status.SUPERSEDED, now
    stale_lines.lines((confirmation.line_id,))
    _log(confirmation, "wage_confirmation_superseded", now)


def _create(
    kind: Kind,
    project_id: int,
    worker: Worker,
    now: datetime,
    *,
    line: PayrollLine | None = None,
    settlement: Settlement | None = None,
    correction: bool = False,
) -> WageConfirmation:
    month = line.payroll_import.month if line is not None else None
    confirmation = WageConfirmation(
        kind=kind,
        project_id=project_id,
        worker=worker,
        month=month,
        line=line,
        settlement=settlement,
        status=Status.HELD,
        is_correction=correction,
        created_at=now,
        reminders_sent=0,
    )
    db.session.add(confirmation)
    db.session.flush()
    stale_lines.lines((confirmation.line_id,))
    if is_held(worker):
        _log(confirmation, "wage_confirmation_held", now)
    else:
        _text(confirmation, now, reminder=False)
    return confirmation


def is_held(worker: Worker) -> bool:
    """Is an identity check open for this worker's phone (a phone change, or a shared phone not yet confirmed)?"""
    return identity.open_phone_change_of(worker) is not None or not identity.sharing_cleared(worker)


def _text(confirmation: WageConfirmation, now: datetime, *, reminder: bool) -> None:
    """Text a new link; imports and reminders leave through the scheduler, a settlement at once."""
    url = links.new_link_url(confirmation, now=now)
    if confirmation.kind is Kind.SETTLEMENT:
        template = "settlement_reminder" if reminder else "settlement_request"
    else:
        template = "wage_reminder" if reminder else ("wage_corrected" if confirmation.is_correction else "wage_request")
    context: dict[str, Any] = {"project": confirmation.project.name, "url": url}
    if confirmation.month is not None:
        context["month"] = f"{confirmation.month:%Y-%m}"
    queue = sms.queue_sms if confirmation.kind is Kind.SETTLEMENT and not reminder else sms.queue_for_scheduler
    queue(confirmation.worker.phone, template, **context)
    if confirmation.status is Status.HELD:
        confirmation.status, confirmation.sent_at = Status.PENDING, now
    _log(confirmation, "wage_confirmation_reminded" if reminder else "wage_confirmation_requested", now)


def answer(
    confirmation: WageConfirmation,
    choice: str,
    *,
    note: str = "",
    amount: str = "",
    via: str,
    now: datetime,
    requester: Requester,
) -> WageConfirmation:
    """Record the worker's answer once; a dispute is visible to the foreman at once.

    :raises ValidationFailed: an answer that does not fit, a long note, a bad amount.
    :raises Conflict: already answered. :raises Gone: replaced by a corrected sheet.
    """
    chosen, claimed, cleaned = _validate_answer(confirmation, choice, note, amount)
    if confirmation.status is Status.SUPERSEDED:
        raise Gone(_("This pay slip was replaced by a corrected one. Please answer the new one."))
    result = db.session.execute(
        sa.update(WageConfirmation)
        .where(WageConfirmation.id == confirmation.id, WageConfirmation.status.in_(OPEN))
        .values(status=Status.ANSWERED, answer=chosen, answered_at=now, claimed_amount=claimed, answered_via=via)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("You have already answered this. Your answer is recorded and cannot be changed here."))
    db.session.refresh(confirmation)
    stale_lines.lines((confirmation.line_id,))
    confirmation.note = cleaned
    _log(
        confirmation,
        "wage_confirmation_answered",
        now,
        answer=chosen.value,
        via=via,
        claimed_amount=str(claimed) if claimed is not None else None,
        note=ledger.keyed(cleaned, "note") if cleaned else None,
        slip=_slip_digest(confirmation),
        ip=ledger.keyed(requester.ip_address, "ip") if requester.ip_address else None,
        device=ledger.keyed(requester.user_agent, "device") if requester.user_agent else None,
    )
    queue_project(confirmation.project_id, now)
    return confirmation


def _validate_answer(
    confirmation: WageConfirmation, choice: str, note: str, amount: str
) -> tuple[Answer, Decimal | None, str | None]:
    errors: dict[str, str] = {}
    chosen = next((a for a in ANSWERS_FOR[confirmation.kind] if a.value == choice), None)
    if chosen is None:
        errors["answer"] = _("Please choose one of the answers.")
    cleaned = " ".join((note or "").split()) or None
    if cleaned is not None and len(cleaned) > 500:
        errors["note"] = _("The note can be at most 500 characters.")
    claimed = None
    try:
        claimed = parse_amount(amount) if chosen is not None and chosen.is_dispute else None
    except ValueError:
        errors["amount"] = _("Please enter the amount in yuan, for example 4500 or 4500.50.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    assert chosen is not None
    return chosen, claimed, cleaned


def _slip_digest(confirmation: WageConfirmation) -> str:
    """A keyed digest of what the worker was shown, so the log proves which slip was answered."""
    if confirmation.line is not None:
        shown = "|".join(str(v) for v in slip_of(confirmation.line))
    else:
        assert confirmation.settlement is not None
        shown = f"{confirmation.settlement.exit_date}|{confirmation.settlement.amount}"
    return ledger.keyed(shown, "slip")


def _log(confirmation: WageConfirmation, kind: str, now: datetime, **details: object) -> None:
    payload = {
        "project": confirmation.project_id,
        "kind": confirmation.kind.value,
        "month": f"{confirmation.month:%Y-%m}" if confirmation.month else None,
        "line": confirmation.line_id,
        "settlement": confirmation.settlement_id,
        "worker": ledger.keyed(f"worker:{confirmation.worker_id}", "actor"),
        **details,
    }
    ledger.append(kind, f"wage_confirmation:{confirmation.id}", payload, now=now)


def send_reminders(*, now: datetime) -> int:
    """Send held requests whose identity check is done, and the reminders due after 3 and 7 days; returns texts sent.

    Safe to re-run: a reminder is counted on the request in the same transaction, so it is never sent twice.
    """
    sent = 0
    for confirmation in db.session.scalars(sa.select(WageConfirmation).where(WageConfirmation.status == Status.HELD)):
        if not is_held(confirmation.worker):
            _text(confirmation, now, reminder=False)
            sent += 1
    due = sa.select(WageConfirmation).where(
        WageConfirmation.status == Status.PENDING,
        WageConfirmation.reminders_sent < len(REMINDER_AFTER),
        WageConfirmation.sent_at <= now - REMINDER_AFTER[0],
    )
    for confirmation in db.session.scalars(due.order_by(WageConfirmation.id)):
        age = now - clock.as_utc(confirmation.sent_at or now)
        target = sum(1 for after in REMINDER_AFTER if age >= after)
        if target <= confirmation.reminders_sent or is_held(confirmation.worker):
            continue
        confirmation.reminders_sent = target
        _text(confirmation, now, reminder=True)
        sent += 1
    db.session.flush()
    return sent


def record_settlement(
    actor: User, enrollment: Enrollment, *, exit_date: date | None, amount: str, note: str, now: datetime
) -> Settlement:
    """Record the worker's exit date and final settlement, and ask the worker to confirm it (结清).

    :raises ValidationFailed: no exit date, an exit before entry or in the future, a bad amount or a long note.
    """
    errors: dict[str, str] = {}
    if exit_date is None:
        errors["exit_date"] = _("Please enter the day the worker left the site.")
    elif exit_date > clock.china_date(now):
        errors["exit_date"] = _("The exit date cannot be in the future.")
    try:
        value = parse_amount(amount)
    except ValueError:
        value = None
    if value is None:
        errors["amount"] = _("Please enter the settlement amount in yuan, for example 4500 or 0.")
    cleaned = " ".join((note or "").split()) or None
    if cleaned is not None and len(cleaned) > 500:
        errors["note"] = _("The note can be at most 500 characters.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    assert exit_date is not None
    assert value is not None
    enrollment_services.update_enrollment(enrollment, crew_id=enrollment.crew_id, trade=enrollment.trade, exit_date=exit_date)
    _replace_settlement(enrollment, now)
    settlement = Settlement(
        enrollment=enrollment, exit_date=exit_date, amount=value, note=cleaned, recorded_by_id=actor.id, recorded_at=now
    )
    db.session.add(settlement)
    db.session.flush()
    ledger.append(
        "settlement_recorded",
        f"settlement:{settlement.id}",
        {
            "project": enrollment.project_id,
            "enrollment": enrollment.id,
            "exit_date": exit_date.isoformat(),
            "amount": str(value),
            "actor": ledger.keyed(f"staff:{actor.id}", "actor"),
        },
        now=now,
    )
    _create(Kind.SETTLEMENT, enrollment.project_id, enrollment.worker, now, settlement=settlement)
    return settlement


def _replace_settlement(enrollment: Enrollment, now: datetime) -> None:
    query = sa.select(Settlement).where(Settlement.enrollment_id == enrollment.id, Settlement.superseded_at.is_(None))
    for previous in db.session.scalars(query):
        previous.superseded_at = now
        for confirmation in db.session.scalars(sa.select(WageConfirmation).where(WageConfirmation.settlement_id == previous.id)):
            _supersede(confirmation, now)
