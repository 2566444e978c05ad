"""R01 No contract and R14 Working on an expired contract, table-driven: violation, compliant and inconclusive,
with month ends, February and contracts that start or end mid-month."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask

from tests.factories import World
from tests.risk.support import KNOWN, contract, enrol, finding, open_findings, project_in, run
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.terms import TermType
from wage_guard.enrollment.models import Enrollment
from wage_guard.organisations.models import Project


@dataclass(frozen=True)
class Case:
    name: str
    today: date
    setup: Callable[[Project], Enrollment]
    #: None: compliant (no finding); else (outcome, severity, period)
    expect: tuple[str, str | None, str] | None
    evidence: dict[str, Any] = field(default_factory=dict)


def _fixed(start: date, end: date | None, **more: Any) -> dict[str, Any]:
    return {"start_date": start, "end_date": end, "term_type": TermType.FIXED, **more}


def _plain(entry: date, exit_date: date | None = None) -> Callable[[Project], Enrollment]:
    return lambda project: enrol(project, entry, exit_date)


def _with(entry: date, *contracts: dict[str, Any], exit_date: date | None = None) -> Callable[[Project], Enrollment]:
    def build(project: Project) -> Enrollment:
        row = enrol(project, entry, exit_date)
        for spec in contracts:
            contract(row, **spec)
        return row

    return build


def _renewed(project: Project) -> Enrollment:
    row = enrol(project, date(2026, 1, 1))
    original = contract(row, status=Status.RENEWED, **_fixed(date(2026, 1, 1), date(2026, 2, 28)))
    contract(row, kind=Kind.RENEWAL, parent=original, **_fixed(date(2026, 3, 1), date(2027, 2, 28)))
    return row


R01_CASES = [
    Case(
        "no contract since the last day of January: double wages from 28 February",
        date(2026, 3, 2),
        _plain(date(2026, 1, 31)),
        ("violation", "red", "2026-01-31"),
        {"double_wage_from": "2026-02-28", "double_wage_days": 3, "uncovered_days": 31, "ongoing": True},
    ),
    Case(
        "no contract for less than a month: no double wages yet",
        date(2026, 2, 27),
        _plain(date(2026, 2, 1)),
        ("violation", "red", "2026-02-01"),
        {"double_wage_from": "2026-03-01", "double_wage_days": 0},
    ),
    Case(
        "a signed contract covers the whole roster time",
        date(2026, 3, 2),
        _with(date(2026, 1, 31), _fixed(date(2026, 1, 31), date(2027, 1, 30))),
        None,
    ),
    Case(
        "contract starting mid-month after the entry: the first half of March is uncovered",
        date(2026, 4, 1),
        _with(date(2026, 3, 1), _fixed(date(2026, 3, 16), date(2027, 3, 15))),
        ("violation", "red", "2026-03-01"),
        {"uncovered_until": "2026-03-15", "uncovered_days": 15, "ongoing": False, "next_contract_from": "2026-03-16"},
    ),
    Case(
        "contract ending mid-month while the worker stays on",
        date(2026, 4, 30),
        _with(date(2026, 1, 1), _fixed(date(2026, 1, 1), date(2026, 4, 15), status=Status.EXPIRED)),
        ("violation", "red", "2026-04-16"),
        {"uncovered_days": 15, "ongoing": True},
    ),
    Case(
        "contract ending at the end of February, worker leaves that day",
        date(2026, 3, 31),
        _with(date(2026, 1, 1), _fixed(date(2026, 1, 1), date(2026, 2, 28), status=Status.EXPIRED), exit_date=date(2026, 2, 28)),
        None,
    ),
    Case("renewal follows on 1 March", date(2026, 3, 31), _renewed, None),
    Case(
        "contract issued but the worker has not signed",
        date(2026, 3, 2),
        _with(date(2026, 3, 1), {**_fixed(date(2026, 3, 1), date(2027, 2, 28)), "status": Status.AWAITING_WORKER}),
        ("violation", "red", "2026-03-01"),
        {"contract_awaiting_signature": True},
    ),
    Case(
        "signed contract whose terms cannot be read",
        date(2026, 3, 2),
        _with(date(2026, 3, 1), {"raw_terms": "{not json"}),
        ("inconclusive", None, "2026-03-01"),
        {"inconclusive_because": "contract_terms_unreadable"},
    ),
    Case("entry date in the future", date(2026, 3, 2), _plain(date(2026, 3, 3)), None),
]


@pytest.mark.parametrize("case", R01_CASES, ids=[c.name for c in R01_CASES])
def test_r01_no_contract(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = case.setup(project)
        run(case.today, county=KNOWN)
        found = [f for f in open_findings("R01") if f.subject == f"enrollment:{entry.id}"]
        if case.expect is None:
            assert found == []
            return
        [item] = found
        outcome, severity, period = case.expect
        assert (item.outcome.value, item.severity.value if item.severity else None, item.period) == (outcome, severity, period)
        assert item.project_id == project.id
        assert item.county_code == KNOWN
        assert {k: item.evidence[k] for k in case.evidence} == case.evidence


def _expired(end: date, *, exit_date: date | None = None, raw: bool = False) -> Callable[[Project], Enrollment]:
    def build(project: Project) -> Enrollment:
        row = enrol(project, date(2026, 1, 1), exit_date)
        spec = {"raw_terms": "[]"} if raw else _fixed(date(2026, 1, 1), end)
        contract(row, status=Status.EXPIRED, **spec)
        return row

    return build


def _expired_then_new(project: Project) -> Enrollment:
    row = _expired(date(2026, 2, 28))(project)
    contract(row, **_fixed(date(2026, 3, 1), date(2027, 2, 28)))
    return row


R14_CASES = [
    Case(
        "ended mid-April, still on the roster at the end of April",
        date(2026, 4, 30),
        _expired(date(2026, 4, 15)),
        ("violation", "orange", ""),
        {"days_since_end": 15, "working_on_since": "2026-04-16"},
    ),
    Case(
        "ended on the last day of February, checked on 1 March",
        date(2026, 3, 1),
        _expired(date(2026, 2, 28)),
        ("violation", "orange", ""),
        {"days_since_end": 1},
    ),
    Case("ends today: not past yet", date(2026, 2, 28), _expired(date(2026, 2, 28)), None),
    Case("left the day the contract ended", date(2026, 4, 30), _expired(date(2026, 4, 15), exit_date=date(2026, 4, 15)), None),
    Case("a new contract from 1 March", date(2026, 3, 31), _expired_then_new, None),
    Case(
        "expired contract whose terms cannot be read",
        date(2026, 4, 30),
        _expired(date(2026, 4, 15), raw=True),
        ("inconclusive", None, ""),
        {"inconclusive_because": "contract_terms_unreadable"},
    ),
]


@pytest.mark.parametrize("case", R14_CASES, ids=[c.name for c in R14_CASES])
def test_r14_expired_contract(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = case.setup(project)
        run(case.today, county=KNOWN)
        found = [f for f in open_findings("R14") if f.worker_id == entry.worker_id]
        if case.expect is None:
            assert found == []
            return
        [item] = found
        outcome, severity, period = case.expect
        assert (item.outcome.value, item.severity.value if item.severity else None, item.period) == (outcome, severity, period)
        assert item.subject.startswith("contract:")
        assert {k: item.evidence[k] for k in case.evidence} == case.evidence


def test_r14_grace_days_are_a_setting(app: Flask, world: World) -> None:
    app.config["RISK_R14_GRACE_DAYS"] = 7
    try:
        with app.app_context():
            project = project_in(KNOWN, world.users)
            entry = _expired(date(2026, 4, 15))(project)
            run(date(2026, 4, 22), county=KNOWN)
            assert finding("R14", f"contract:{entry.id}") is None
            assert [f for f in open_findings("R14") if f.worker_id == entry.worker_id] == []
            run(date(2026, 4, 23), county=KNOWN)
            assert [f.rule_code for f in open_findings("R14") if f.worker_id == entry.worker_id] == ["R14"]
    finally:
        app.config["RISK_R14_GRACE_DAYS"] = 0
