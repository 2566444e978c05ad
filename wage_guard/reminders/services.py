"""Reminders sent by the scheduler, each once (``ReminderSent``), in the caller's transaction (no commit here).

- A contract still unsigned by the worker 1 day and 3 days after its signing link was texted: one SMS to the worker
  and one to the project's foremen (grouped per project). The link is not re-issued (only its hash is stored, and
  a new link would let two links sign one contract); the worker is pointed to the earlier text and to "My contracts".
  A link held for the foreman's in-person check was never texted, so it is not reminded.
- The pay day 1 to 3 days away and no wage sheet imported for the month it pays: one SMS to the project's managers.

Why windows and not exact instants: the job runs hourly; each stage is due from its day until the next stage (the
1-day reminder until day 3, the 3-day one until day 4), so a late run still sends it and an old contract does not
get a stale reminder.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.contracts.expiry import foreman_phones
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract, SigningLink
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project, ProjectStatus
from wage_guard.payroll.models import PayrollImport
from wage_guard.reminders.models import ReminderSent
from wage_guard.sms import services as sms

CONTRACT_UNSIGNED, PAYROLL_MISSING = "contract_unsigned", "payroll_missing"
#: Stage name -> (due from, due until) after the signing link was texted.
SIGNING_STAGES = {"1d": (timedelta(days=1), timedelta(days=3)), "3d": (timedelta(days=3), timedelta(days=4))}
#: The wage-sheet reminder is due when the pay day is at most this many days ahead (and not yet reached).
PAY_DAY_AHEAD = 3


def run(*, now: datetime) -> dict[str, int]:
    """Every reminder due at ``now``; returns how many subjects were reminded per kind."""
    return {"contracts_unsigned": remind_unsigned(now=now), "payroll_missing": remind_missing_payroll(now=now)}


def _already(kind: str, subject: str, stage: str) -> bool:
    query = sa.select(ReminderSent.id).where(
        ReminderSent.kind == kind, ReminderSent.subject == subject, ReminderSent.stage == stage
    )
    return db.session.scalar(query) is not None


def _mark(kind: str, subject: str, stage: str, now: datetime) -> None:
    db.session.add(ReminderSent(kind=kind, subject=subject, stage=stage, sent_at=now))


def signing_stage(texted_at: datetime, now: datetime) -> str | None:
    """The reminder stage due ``now`` for a link texted at ``texted_at``, or None."""
    elapsed = now - clock.as_utc(texted_at)
    return next((stage for stage, (start, end) in SIGNING_STAGES.items() if start <= elapsed < end), None)


def remind_unsigned(*, now: datetime) -> int:
    """Text workers (and their foremen, per project) about contracts unsigned 1 and 3 days after the link."""
    first_link = (
        sa.select(SigningLink.contract_id, sa.func.min(SigningLink.created_at).label("texted_at"))
        .where(SigningLink.party == "worker", SigningLink.created_at > now - timedelta(days=4))
        .group_by(SigningLink.contract_id)
        .subquery()
    )
    query = (
        sa.select(Contract, first_link.c.texted_at)
        .join(first_link, first_link.c.contract_id == Contract.id)
        .where(Contract.status == Status.AWAITING_WORKER)
        .order_by(Contract.id)
    )
    by_project: dict[tuple[int, str], list[Contract]] = defaultdict(list)
    for contract, texted_at in db.session.execute(query):
        stage = signing_stage(texted_at, now)
        if stage is None or _already(CONTRACT_UNSIGNED, f"contract:{contract.id}", stage):
            continue
        _text_worker(contract, texted_at)
        _mark(CONTRACT_UNSIGNED, f"contract:{contract.id}", stage, now)
        by_project[(contract.project_id, stage)].append(contract)
    for (_project_id, stage), due in by_project.items():
        _text_foremen(due, stage)
    return sum(len(due) for due in by_project.values())


def _text_worker(contract: Contract, texted_at: datetime) -> None:
    sms.queue_sms(
        contract.worker.phone,
        "signing_reminder",
        employer=contract.employer.name,
        date=clock.china_date(clock.as_utc(texted_at)).isoformat(),
        url=links.public_url("portal.start"),
    )


def _text_foremen(due: list[Contract], stage: str) -> None:
    project = due[0].project
    for phone in foreman_phones(project, due[0]):
        sms.queue_sms(
            phone,
            "signing_reminder_foreman",
            count=len(due),
            days=SIGNING_STAGES[stage][0].days,
            project_name=project.name,
            url=links.public_url("contracts.list_contracts", project_id=project.id),
        )


def next_pay_date(pay_day: int, today: date) -> date:
    """The first pay date on or after ``today`` (a short month pays on its last day)."""
    this_month = _pay_date(today.year, today.month, pay_day)
    if this_month >= today:
        return this_month
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return _pay_date(year, month, pay_day)


def _pay_date(year: int, month: int, pay_day: int) -> date:
    return date(year, month, min(pay_day, calendar.monthrange(year, month)[1]))


def month_paid(pay_date: date) -> date:
    """The month whose wages are paid on ``pay_date``: the month before (first day)."""
    return (pay_date.replace(day=1) - timedelta(days=1)).replace(day=1)


def remind_missing_payroll(*, now: datetime) -> int:
    """Text the managers of each active project whose pay day is 1-3 days away without the month's wage sheet."""
    today = clock.china_date(now)
    reminded = 0
    for project in db.session.scalars(sa.select(Project).where(Project.status == ProjectStatus.ACTIVE).order_by(Project.id)):
        pay_date = next_pay_date(project.pay_day, today)
        month = month_paid(pay_date)
        subject, stage = f"project:{project.id}", f"{month:%Y-%m}"
        if not 0 < (pay_date - today).days <= PAY_DAY_AHEAD or _already(PAYROLL_MISSING, subject, stage):
            continue
        if _has_payroll(project.id, month) or not _had_workers(project.id, month):
            continue
        for phone in sorted({u.phone for u in project.managers if u.is_enabled and u.phone}):
            sms.queue_sms(
                phone,
                "payroll_due_reminder",
                project_name=project.name,
                month=stage,
                date=pay_date.isoformat(),
                url=links.public_url("payroll.upload", project_id=project.id),
            )
        _mark(PAYROLL_MISSING, subject, stage, now)
        reminded += 1
    return reminded


def _has_payroll(project_id: int, month: date) -> bool:
    query = sa.select(PayrollImport.id).where(
        PayrollImport.project_id == project_id, PayrollImport.month == month, PayrollImport.superseded_at.is_(None)
    )
    return db.session.scalar(query.limit(1)) is not None


def _had_workers(project_id: int, month: date) -> bool:
    """Someone was on the roster during ``month`` (a project without workers has no wages to import)."""
    end = _pay_date(month.year, month.month, 31)
    query = sa.select(Enrollment.id).where(
        Enrollment.project_id == project_id,
        Enrollment.entry_date <= end,
        sa.or_(Enrollment.exit_date.is_(None), Enrollment.exit_date >= month),
    )
    return db.session.scalar(query.limit(1)) is not None
