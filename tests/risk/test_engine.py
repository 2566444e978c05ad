"""The run as a whole: idempotent, closes what cleared and reopens what recurred (saying why), logs every
transition in the evidence log, texts a project's managers once per new red finding, and keeps the roll-up."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from jobs.registry import job_definitions
from jobs.risk import risk_cross_check
from jobs.runner import run_job
from tests.conftest import advance
from tests.factories import STAFF, World
from tests.risk.support import (
    KNOWN,
    UNKNOWN,
    at,
    contract,
    enrol,
    events_of,
    finding,
    open_findings,
    project_in,
    run,
    table_counts,
)
from wage_guard import clock
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import PayForm
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
from wage_guard.ledger.models import LedgerEntry
from wage_guard.risk.models import CountyRollup, CountyRuleCount, Finding, ProjectRollup
from wage_guard.sms.models import OutboundSms

TODAY = date(2026, 3, 2)
FOREMAN_A = STAFF["foreman_a"][1]


def _county(world: World) -> tuple[int, int]:
    """A project with one worker under contract (at 100 yuan a month: R02) and one without (R01)."""
    project = project_in(KNOWN, world.users)
    # From February: its wages are due on 15 March, so the payroll rules (R03) have nothing to say yet.
    covered = enrol(project, date(2026, 2, 1))
    row = contract(covered, start_date=date(2026, 2, 1), pay_form=PayForm.MONTHLY, pay_amount=Decimal("100"))
    enrol(project, date(2026, 2, 1))
    return project.id, row.id


def _red_sms() -> list[OutboundSms]:
    return list(db.session.scalars(sa.select(OutboundSms).where(OutboundSms.template == "risk_red_flag")))


def test_a_second_run_changes_nothing(app: Flask, world: World) -> None:
    with app.app_context():
        _county(world)
        first = run(TODAY)
        assert first.total("opened") == 2
        before, size = table_counts(), (ledger.size(), ledger.queued())
        evidence = {f.id: json.dumps(f.evidence, sort_keys=True) for f in db.session.scalars(sa.select(Finding))}
        second = run(TODAY)
        assert second.total("opened") == second.total("closed") == second.total("reopened") == 0
        assert table_counts() == before
        assert (ledger.size(), ledger.queued()) == size
        assert {f.id: json.dumps(f.evidence, sort_keys=True) for f in db.session.scalars(sa.select(Finding))} == evidence
        assert not db.session.dirty


def test_cleared_closes_and_recurrence_reopens_with_the_reason(app: Flask, world: World) -> None:
    with app.app_context():
        project_id, contract_id = _county(world)
        run(TODAY)
        item = finding("R02", f"contract:{contract_id}")
        assert item is not None
        assert item.status.value == "open"
        advance(minutes=1)  # the contract's updated_at moves on
        row = db.session.get(Contract, contract_id)
        assert row is not None
        row.terms_json = row.terms_json.replace('"pay_amount": "100"', '"pay_amount": "2500"')
        db.session.flush()
        counts = run(TODAY)
        assert counts.transitions["R02"]["closed"] == 1
        assert item.status.value == "closed"
        assert item.closed_at == at(TODAY)
        advance(minutes=1)
        row.terms_json = row.terms_json.replace('"pay_amount": "2500"', '"pay_amount": "100"')
        db.session.flush()
        counts = run(TODAY + timedelta(days=1))
        assert counts.transitions["R02"]["reopened"] == 1
        assert item.status.value == "open"
        assert events_of(item) == [
            ("opened", "first_detected"),
            ("closed", "condition_cleared"),
            ("reopened", "condition_recurred"),
        ]
        assert item.events[-1].details["summary"]["actual"] == "100.00"
        db.session.commit()  # the steps reach the log after the commit
        logged = [e.kind for e in ledger.entries_about(f"risk_finding:{item.id}")]
        assert logged == ["risk_finding_opened", "risk_finding_closed", "risk_finding_reopened"]
        assert [e.ledger_entry_id for e in item.events] == [e.entry_id for e in ledger.entries_about(f"risk_finding:{item.id}")]
        assert project_id == item.project_id


def test_log_entries_carry_no_personal_data(app: Flask, world: World) -> None:
    with app.app_context():
        _county(world)
        run(TODAY)
        db.session.commit()  # the steps reach the log after the commit
        payloads = " ".join(e.payload for e in db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind.like("risk_%"))))
        assert "risk_finding" not in payloads
        assert "R01" in payloads
        for text in ("工人", "+86", "370322198503"):
            assert text not in payloads


def test_a_new_red_finding_texts_the_project_managers_once(app: Flask, world: World) -> None:
    with app.app_context():
        project_id, _contract_id = _county(world)
        run(TODAY, county=KNOWN)
        [message] = [m for m in _red_sms() if m.recipient == FOREMAN_A]
        assert f"/projects/{project_id}" in message.body
        assert "R01" in message.body
        assert "R02" in message.body
        run(TODAY, county=KNOWN)
        run(date(2026, 3, 3), county=KNOWN)
        assert len([m for m in _red_sms() if m.recipient == FOREMAN_A]) == 1
        project = project_in(KNOWN, world.users)  # another new red: one more message, about that project only
        enrol(project, date(2026, 3, 1))
        run(date(2026, 3, 3), county=KNOWN)
        messages = [m for m in _red_sms() if m.recipient == FOREMAN_A]
        assert len(messages) == 2
        assert f"/projects/{project.id}" in messages[-1].body


def test_roll_up_per_project_and_county(app: Flask, world: World) -> None:
    with app.app_context():
        project_id, _contract_id = _county(world)
        clean = project_in(KNOWN, world.users)
        contract(enrol(clean, date(2026, 2, 1)), start_date=date(2026, 2, 1))
        run(TODAY, county=KNOWN)
        red = db.session.get(ProjectRollup, project_id)
        assert red is not None
        assert (red.tier.value if red.tier else None, red.priority, red.reds, red.workers_affected) == ("red", True, 2, 2)
        quiet = db.session.get(ProjectRollup, clean.id)
        assert quiet is not None
        assert (quiet.tier, quiet.priority, quiet.reds) == (None, False, 0)
        county = db.session.get(CountyRollup, KNOWN)
        assert county is not None
        assert (county.projects_red, county.projects_clear, county.projects_priority) == (1, 1, 1)
        assert (county.roster_workers, county.covered_workers, county.coverage_pct) == (3, 2, Decimal("66.7"))
        assert (county.open_flags, county.workers_affected) == (2, 2)
        counts = {(c.rule_code, c.severity): c.findings for c in db.session.scalars(sa.select(CountyRuleCount))}
        assert counts[("R01", "red")] == 1
        assert counts[("R02", "red")] == 1


def test_a_county_run_leaves_other_counties_alone(app: Flask, world: World) -> None:
    with app.app_context():
        other = project_in(UNKNOWN, world.users)
        enrol(other, date(2026, 1, 1))
        run(TODAY, county=UNKNOWN)
        theirs = {f.id for f in open_findings()}
        _county(world)
        run(TODAY, county=KNOWN)
        assert all(f.county_code == KNOWN for f in open_findings() if f.id not in theirs)
        assert {f.id for f in open_findings() if f.county_code == UNKNOWN} == theirs


def test_a_project_run_evaluates_that_project_only(app: Flask, world: World) -> None:
    with app.app_context():
        project_id, _contract_id = _county(world)
        other = project_in(KNOWN, world.users)
        enrol(other, date(2026, 1, 1))
        run(TODAY, project=project_id)
        assert {f.project_id for f in open_findings()} == {project_id}


def test_the_nightly_job_is_registered_and_runs(app: Flask, world: World) -> None:
    assert "risk_cross_check" in {job.id for job in job_definitions(app)}
    with app.app_context():
        _county(world)
        db.session.commit()
    clock.freeze(at(TODAY))
    result = run_job(app, risk_cross_check)
    assert result == {"opened": 2, "reopened": 0, "closed": 0, "sms": 1}
    assert run_job(app, risk_cross_check) == {"opened": 0, "reopened": 0, "closed": 0, "sms": 0}


def test_signed_status_counts_not_the_issue(app: Flask, world: World) -> None:
    """A contract refused by the worker never covers the roster (R01 stays open)."""
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = enrol(project, date(2026, 1, 1))
        contract(entry, status=Status.REFUSED, start_date=date(2026, 1, 1))
        run(TODAY, county=KNOWN)
        assert finding("R01", f"enrollment:{entry.id}", "2026-01-01") is not None
