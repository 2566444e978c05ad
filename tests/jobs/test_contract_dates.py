"""The contract calendar job: a fixed term's foreman is reminded 30 days ahead, the contract expires the day after its
last day, and a worker still on the roster after that is shown as working on without a contract (Art. 82, Art. 14)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from jobs.contracts import contract_dates
from jobs.registry import job_definitions
from jobs.runner import run_job
from tests.conftest import advance
from tests.factories import STAFF
from tests.journeys.conftest import SigningWorld, contract_state
from tests.journeys.test_endings import TODAY, fixed, foreman, issue_notice, messages_to, seal, sign_contract
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger

FOREMAN_PHONE = STAFF["foreman_a"][1]
END = TODAY + timedelta(days=40)


def days_until(day: date) -> None:
    """Move the frozen clock to 09:00 China time on ``day``."""
    from wage_guard import clock

    current = clock.china_date(clock.utcnow())
    advance(days=(day - current).days)


def reminders(app: Flask) -> list[str]:
    return [m for m in messages_to(app, FOREMAN_PHONE) if "30" in m and "/contracts" in m]


def test_the_job_is_registered(app: Flask) -> None:
    assert "contract_dates" in {job.id for job in job_definitions(app)}


def test_the_foreman_is_reminded_once_thirty_days_before_the_end(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_contract(app, signing_world, **fixed(END))
    project = signing_world.base.project_a
    days_until(END - timedelta(days=31))
    assert run_job(app, contract_dates) == {"notices_took_effect": 0, "expired": 0, "reminded": 0}
    assert reminders(app) == []
    days_until(END - timedelta(days=30))
    assert run_job(app, contract_dates)["reminded"] == 1
    [text] = reminders(app)
    assert f"/projects/{project}/contracts" in text
    assert END.isoformat() in text
    assert run_job(app, contract_dates)["reminded"] == 0  # idempotent: the same day
    days_until(END - timedelta(days=29))
    assert run_job(app, contract_dates)["reminded"] == 0  # and later
    assert len(reminders(app)) == 1
    with app.app_context():
        kinds = [e.kind for e in db.session.scalars(sa.select(ContractEvent).where(ContractEvent.contract_id == contract_id))]
    assert kinds.count("expiry_reminder_sent") == 1
    page = foreman(app).get(f"/projects/{project}?lang=en").get_data(as_text=True)
    assert "Fixed terms ending within 30 days" in page
    assert "29 days left" in page


def test_no_reminder_when_a_notice_already_ends_the_contract(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_contract(app, signing_world, **fixed(END))
    issue_notice(app, signing_world, contract_id, ground="44.1", effective_date=END.isoformat(), reason="")
    seal(app)
    days_until(END - timedelta(days=30))
    assert run_job(app, contract_dates)["reminded"] == 0
    days_until(END)
    assert run_job(app, contract_dates)["notices_took_effect"] == 1
    days_until(END + timedelta(days=1))
    assert run_job(app, contract_dates) == {"notices_took_effect": 0, "expired": 0, "reminded": 0}
    assert contract_state(app, contract_id)[0] == "terminated"


def test_the_contract_expires_the_day_after_its_last_day_once(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_contract(app, signing_world, **fixed(END))
    task_contract = sign_contract(app, signing_world, "王五")
    days_until(END)
    assert run_job(app, contract_dates)["expired"] == 0
    assert contract_state(app, contract_id)[0] == "in_force"  # the last day is still in force
    days_until(END + timedelta(days=1))
    assert run_job(app, contract_dates)["expired"] == 1
    assert contract_state(app, contract_id)[0] == "expired"
    assert contract_state(app, task_contract)[0] == "in_force"  # a task-based contract has no end date
    assert run_job(app, contract_dates)["expired"] == 0
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        logged = [e for e in ledger.entries_about(f"contract:{contract.number}") if e.kind == "expired"]
    assert len(logged) == 1


def test_working_on_after_expiry_is_visible_until_renewed_or_left(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_contract(app, signing_world, **fixed(END))
    project = signing_world.base.project_a
    days_until(END + timedelta(days=1))
    run_job(app, contract_dates)
    client = foreman(app)
    listing = client.get(f"/projects/{project}/contracts/?lang=en").get_data(as_text=True)
    assert "Expired, not renewed, still working" in listing
    assert "Art. 82" in listing
    roster = client.get(f"/projects/{project}?lang=zh_Hans_CN").get_data(as_text=True)
    assert "到期未续签，仍在岗" in roster
    detail = client.get(f"/projects/{project}/contracts/{contract_id}?lang=en").get_data(as_text=True)
    assert "Art. 14" in detail
    assert "End the contract by notice" in detail  # an expired contract can still be ended or renewed
    with app.app_context():
        entry = db.session.get(Enrollment, signing_world.enrollments["李四"])
        assert entry is not None
        entry.exit_date = END
        db.session.commit()
    listing = client.get(f"/projects/{project}/contracts/?lang=en").get_data(as_text=True)
    assert "Expired, not renewed, still working" not in listing
    assert "Expired" in listing


def test_an_expired_contract_can_be_renewed(app: Flask, signing_world: SigningWorld) -> None:
    from tests.journeys.test_changes import change, sign_change

    contract_id = sign_contract(app, signing_world, **fixed(END))
    days_until(END + timedelta(days=1))
    run_job(app, contract_dates)
    advance(seconds=61)
    new_end = (END + timedelta(days=200)).isoformat()
    renewal = change(
        app,
        signing_world,
        contract_id,
        "renewal",
        term_type="fixed",
        start_date=(END + timedelta(days=1)).isoformat(),
        end_date=new_end,
        task_description="",
    )
    sign_change(app)
    assert contract_state(app, contract_id)[0] == "renewed"
    assert contract_state(app, renewal)[0] == "in_force"
    listing = foreman(app).get(f"/projects/{signing_world.base.project_a}/contracts/?lang=en").get_data(as_text=True)
    assert "Expired, not renewed, still working" not in listing
