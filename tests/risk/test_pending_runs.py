"""The run after a change: payroll and bank imports, a worker's answer and filing or closing a complaint queue the
project (once, in the same transaction), and the ``risk_pending_projects`` job runs the engine for it and empties
the queue; a project changed again while it is being run stays queued."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from jobs.registry import job_definitions
from jobs.risk import risk_pending_projects
from jobs.runner import run_job
from tests.authz_world import portal_login
from tests.confirmations.support import Row, import_month
from tests.factories import World, login
from tests.payroll.bank_support import bank_csv, import_sheet
from tests.payroll.test_bank_import import import_bank
from tests.risk.support import KNOWN, at, contract, enrol, open_findings, project_in
from wage_guard import boundary, clock
from wage_guard.codes.services import Requester
from wage_guard.complaints.models import Complaint
from wage_guard.confirmations import services as confirmations
from wage_guard.confirmations.models import WageConfirmation
from wage_guard.contracts.terms import PayForm
from wage_guard.extensions import db
from wage_guard.risk import queue
from wage_guard.risk.queue_models import PendingProject

WHO = Requester(ip_address="10.0.0.1", user_agent="test")


def _queued(app: Flask) -> dict[int, datetime]:
    with app.app_context():
        return {row.project_id: clock.as_utc(row.queued_at) for row in db.session.scalars(sa.select(PendingProject))}


def _empty_queue(app: Flask) -> None:
    with app.app_context():
        db.session.execute(sa.delete(PendingProject))
        db.session.commit()


def test_the_job_is_registered_every_minute(app: Flask) -> None:
    [job] = [j for j in job_definitions(app) if j.id == "risk_pending_projects"]
    assert (job.function, job.seconds) == (risk_pending_projects, 60)


def test_queueing_twice_keeps_one_row_with_the_latest_time(app: Flask, world: World) -> None:
    first = at(date(2026, 3, 2))
    with app.app_context():
        queue.queue_project(world.project_a, first)
        queue.queue_project(world.project_a, first + timedelta(minutes=5))
        queue.queue_project(world.project_b, first)
        db.session.commit()
    assert _queued(app) == {world.project_a: first + timedelta(minutes=5), world.project_b: first}


def test_a_payroll_import_queues_its_project_and_the_job_runs_it(app: Flask, world: World) -> None:
    import_sheet(app, world.project_b)
    assert list(_queued(app)) == [world.project_b]
    result = run_job(app, risk_pending_projects)
    assert isinstance(result, dict)
    assert result["projects"] == 1
    assert _queued(app) == {}


def test_the_job_runs_the_engine_for_the_queued_project_only(app: Flask, world: World) -> None:
    day = date(2026, 3, 2)
    with app.app_context():
        queued = project_in(KNOWN, world.users)
        other = project_in(KNOWN, world.users)
        for project in (queued, other):  # one worker below the minimum wage (R02) and one without a contract (R01)
            row = enrol(project, date(2026, 2, 1))
            contract(row, start_date=date(2026, 2, 1), pay_form=PayForm.MONTHLY, pay_amount=Decimal("100"))
            enrol(project, date(2026, 2, 1))
        queue.queue_project(queued.id, at(day))
        db.session.commit()
        ids = queued.id, other.id
    with app.app_context():
        result = risk_pending_projects(now=at(day) + timedelta(minutes=1))
        boundary.commit()
        assert result["projects"] == 1
        assert result["opened"] >= 2
        assert {f.project_id for f in open_findings()} == {ids[0]}
    assert _queued(app) == {}
    with app.app_context():  # nothing queued: the job does nothing
        assert risk_pending_projects(now=at(day) + timedelta(minutes=2)) == {"projects": 0, "opened": 0, "closed": 0, "sms": 0}


def test_a_change_after_the_job_read_the_queue_stays_queued(app: Flask, world: World) -> None:
    start = at(date(2026, 3, 2))
    with app.app_context():
        queue.queue_project(world.project_a, start)
        db.session.commit()
        [(project_id, queued_at)] = queue.pending(now=start + timedelta(seconds=30))
        queue.queue_project(world.project_a, start + timedelta(seconds=10))  # changed again meanwhile
        queue.done(project_id, queued_at)
        db.session.commit()
    assert _queued(app) == {world.project_a: start + timedelta(seconds=10)}
    with app.app_context():  # a change later than the job's "now" waits for the next round
        assert queue.pending(now=start + timedelta(seconds=5)) == []


def test_a_bank_import_queues_its_project(app: Flask, world: World) -> None:
    import_sheet(app, world.project_b)
    _empty_queue(app)
    import_bank(app, world.project_b, bank_csv())
    assert list(_queued(app)) == [world.project_b]


def test_a_workers_answer_queues_its_project(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        boundary.commit()
        db.session.execute(sa.delete(PendingProject))
        confirmation = db.session.scalars(sa.select(WageConfirmation)).one()
        confirmations.answer(confirmation, "received", via="link", now=clock.utcnow(), requester=WHO)
        boundary.commit()
    assert list(_queued(app)) == [world.project_b]


def test_filing_and_closing_a_complaint_queue_its_project(app: Flask, world: World) -> None:
    worker = app.test_client()
    portal_login(worker, "+8613700000001")
    filed = worker.post("/me/complaints", data={"project_id": str(world.project_b), "months": "2026-10", "amount": "5000"})
    assert filed.status_code == 302
    assert list(_queued(app)) == [world.project_b]
    _empty_queue(app)
    with app.app_context():
        complaint_id = db.session.scalars(sa.select(Complaint.id)).one()
    inspector = app.test_client()
    login(inspector, "inspector_y")
    url = f"/projects/{world.project_b}/complaints/{complaint_id}"
    assert inspector.post(url, data={"resolution": "监察大队已责令支付"}).status_code == 302
    assert list(_queued(app)) == [world.project_b]
