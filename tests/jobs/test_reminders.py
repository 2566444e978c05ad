"""The reminder job: a contract unsigned 1 and 3 days after its link (worker and foreman, once each), and a pay day
1-3 days away without the month's wage sheet (the managers, once); boundaries to the second and across month ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from jobs.registry import job_definitions
from jobs.reminders import send_reminders
from tests.confirmations.support import import_month
from tests.factories import STAFF, World
from tests.risk.support import KNOWN, at, contract, enrol, project_in
from wage_guard import boundary
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import SigningLink
from wage_guard.extensions import db
from wage_guard.organisations.models import Project, ProjectStatus
from wage_guard.reminders import services
from wage_guard.reminders.models import ReminderSent
from wage_guard.sms.models import OutboundSms

FOREMAN = STAFF["foreman_a"][1]
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
TEXTED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def _sent(template: str) -> list[OutboundSms]:
    query = sa.select(OutboundSms).where(OutboundSms.template == template).order_by(OutboundSms.id)
    return list(db.session.scalars(query))


def _run(now: datetime) -> dict[str, int]:
    result = send_reminders(now=now)
    boundary.commit()
    return result


def _unsigned(world: World, *, status: Status = Status.AWAITING_WORKER, link: bool = True) -> tuple[str, str]:
    """A contract of a new project's worker waiting for the signature; returns (project name, worker phone)."""
    project = project_in(KNOWN, world.users)
    entry = enrol(project, date(2026, 11, 1))
    row = contract(entry, status=status)
    if link:
        db.session.add(
            SigningLink(party="worker", contract=row, token_hash=f"{row.id:064d}", created_at=TEXTED, expires_at=TEXTED + 7 * DAY)
        )
    db.session.commit()
    return project.name, entry.worker.phone


def test_the_job_is_registered_hourly(app: Flask) -> None:
    [job] = [j for j in job_definitions(app) if j.id == "send_reminders"]
    assert (job.function, job.seconds) == (send_reminders, 3600)


def test_unsigned_contract_reminded_after_one_and_three_days_once_each(app: Flask, world: World) -> None:
    with app.app_context():
        name, phone = _unsigned(world)
        steps = [(DAY - SECOND, 0), (DAY, 1), (DAY, 0), (3 * DAY - SECOND, 0), (3 * DAY, 1), (3 * DAY + SECOND, 0), (4 * DAY, 0)]
        for offset, expected in steps:
            assert _run(TEXTED + offset)["contracts_unsigned"] == expected, offset
        to_worker = _sent("signing_reminder")
        assert [m.recipient for m in to_worker] == [phone, phone]
        assert "2026-11-02" in (to_worker[0].body or "")
        assert "等待您签字" in (to_worker[0].body or "")  # in Chinese
        assert "/me/" in (to_worker[0].body or "")
        assert "/sign/" not in (to_worker[0].body or "")  # no new signing link
        to_foreman = [m for m in _sent("signing_reminder_foreman") if name in (m.body or "")]
        assert [m.recipient for m in to_foreman] == [FOREMAN, FOREMAN]
        assert "1" in (to_foreman[0].body or "")
        assert "3" in (to_foreman[1].body or "")
        assert sorted(r.stage for r in db.session.scalars(sa.select(ReminderSent))) == ["1d", "3d"]


def test_a_late_run_sends_only_the_stage_due_then(app: Flask, world: World) -> None:
    with app.app_context():
        _unsigned(world)
        assert _run(TEXTED + 3 * DAY + timedelta(hours=5))["contracts_unsigned"] == 1
        assert [r.stage for r in db.session.scalars(sa.select(ReminderSent))] == ["3d"]


@pytest.mark.parametrize(("status", "link"), [(Status.IN_FORCE, True), (Status.REFUSED, True), (Status.AWAITING_WORKER, False)])
def test_signed_refused_or_held_contracts_are_not_reminded(app: Flask, world: World, status: Status, link: bool) -> None:
    with app.app_context():
        _unsigned(world, status=status, link=link)
        assert _run(TEXTED + DAY)["contracts_unsigned"] == 0
        assert _sent("signing_reminder") == []


@pytest.mark.parametrize(
    ("pay_day", "today", "pay_date"),
    [
        (15, date(2026, 11, 12), date(2026, 11, 15)),
        (15, date(2026, 11, 15), date(2026, 11, 15)),
        (15, date(2026, 11, 16), date(2026, 12, 15)),
        (31, date(2027, 2, 25), date(2027, 2, 28)),  # a short month pays on its last day
        (31, date(2028, 2, 26), date(2028, 2, 29)),
        (2, date(2026, 12, 30), date(2027, 1, 2)),  # across the year end
    ],
)
def test_next_pay_date(pay_day: int, today: date, pay_date: date) -> None:
    assert services.next_pay_date(pay_day, today) == pay_date


def _payroll_project(world: World, pay_day: int, entry: date) -> Project:
    project = project_in(KNOWN, world.users)
    project.pay_day = pay_day
    enrol(project, entry)
    db.session.commit()
    return project


def _payroll_texts(project: Project) -> list[OutboundSms]:
    return [m for m in _sent("payroll_due_reminder") if project.name in (m.body or "")]


@pytest.mark.parametrize(
    ("pay_day", "pay_date", "month"),
    [(15, date(2026, 12, 15), "2026-11"), (31, date(2027, 2, 28), "2027-01"), (2, date(2027, 1, 2), "2026-12")],
)
def test_pay_day_without_a_wage_sheet_reminds_the_managers_once(
    app: Flask, world: World, pay_day: int, pay_date: date, month: str
) -> None:
    with app.app_context():
        project = _payroll_project(world, pay_day, date(2026, 10, 1))
        assert _payroll_texts(project) == []
        assert _run(at(pay_date - 4 * DAY)) is not None
        assert _payroll_texts(project) == []
        _run(at(pay_date - 3 * DAY))
        [text] = _payroll_texts(project)
        assert text.recipient == FOREMAN
        assert month in (text.body or "")
        assert pay_date.isoformat() in (text.body or "")
        for later in (pay_date - 3 * DAY, pay_date - DAY, pay_date):
            _run(at(later))
        assert len(_payroll_texts(project)) == 1


def test_no_payroll_reminder_with_the_sheet_imported_without_workers_or_when_inactive(app: Flask, world: World) -> None:
    with app.app_context():
        imported = _payroll_project(world, 15, date(2026, 10, 1))
        import_month(imported.id, [], month=date(2026, 11, 1))
        later = _payroll_project(world, 15, date(2026, 12, 1))  # nobody on the roster in November
        stopped = _payroll_project(world, 15, date(2026, 10, 1))
        stopped.status = ProjectStatus.SUSPENDED
        db.session.commit()
        _run(at(date(2026, 12, 12)))
        assert [_payroll_texts(p) for p in (imported, later, stopped)] == [[], [], []]
