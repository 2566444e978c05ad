"""R03 Payroll missing and R04 Paid late, table-driven: violation, compliant and inconclusive cases on the edge dates
(the pay day and the grace boundary, month ends, February, contracts starting or ending mid-month)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask

from tests.factories import World
from tests.risk.payroll_support import Pay, sheet
from tests.risk.support import KNOWN, contract, enrol, finding, open_findings, project_in, run
from wage_guard.extensions import db

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@dataclass(frozen=True)
class Case:
    name: str
    today: date
    #: None: no finding about the worker; else (outcome, severity).
    expect: tuple[str, str | None] | None
    terms: dict[str, Any] = field(default_factory=lambda: {"start_date": JAN, "end_date": date(2026, 12, 31)})
    #: (month, pay date or None, whether the sheet is superseded, whether the worker is on it)
    sheets: tuple[tuple[date, date | None, bool, bool], ...] = ()
    month: date = JAN
    evidence: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    #: R03 only: (outcome, severity) expected of the project-level finding, None for none.
    project: tuple[str, str | None] | None = None


def _check(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, case: Case, rule: str) -> None:
    for key, value in case.config.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = enrol(project, date(2025, 12, 1))
        other = enrol(project, date(2025, 12, 1))
        contract(entry, **case.terms)
        for month, paid, superseded, present in case.sheets:
            lines = [Pay(other, pay_date=paid)] + ([Pay(entry, pay_date=paid)] if present else [])
            sheet(project, month, *lines, superseded=superseded)
        run(case.today, county=KNOWN)
        label = f"{case.month:%Y-%m}"
        item = finding(rule, f"project:{project.id}:worker:{entry.worker_id}", label)
        _expect(item, case.expect, case.evidence)
        if rule == "R03":
            _expect(finding("R03", f"project:{project.id}", label), case.project, {})
        db.session.rollback()


def _expect(item: Any, expect: tuple[str, str | None] | None, evidence: dict[str, Any]) -> None:
    if expect is None:
        assert item is None or item.status.value == "closed", item.evidence if item else None
        return
    assert item is not None
    assert item.status.value == "open"
    assert (item.outcome.value, item.severity.value if item.severity else None) == expect
    assert {k: item.evidence.get(k) for k in evidence} == evidence


ORANGE, RED = ("violation", "orange"), ("violation", "red")
R03_CASES = [
    Case("January unpaid, the day after the pay day", date(2026, 2, 16), ORANGE, project=ORANGE, evidence={"days_overdue": 1}),
    Case("January on the pay day itself is not yet missing", date(2026, 2, 15), None),
    Case("within the grace days", date(2026, 2, 18), None, config={"RISK_R03_GRACE_DAYS": 3}),
    Case(
        "the day after the grace days",
        date(2026, 2, 19),
        ORANGE,
        project=ORANGE,
        config={"RISK_R03_GRACE_DAYS": 3},
        evidence={"deadline": "2026-02-18"},
    ),
    Case("a further month: still orange on 15 March", date(2026, 3, 15), ORANGE, project=ORANGE),
    Case("a further month: red from 16 March", date(2026, 3, 16), RED, project=RED),
    Case(
        "a sheet for the month without this worker: the worker only",
        date(2026, 2, 16),
        ORANGE,
        sheets=((JAN, date(2026, 2, 10), False, False),),
    ),
    Case("the worker's line on the current sheet", date(2026, 4, 1), None, sheets=((JAN, date(2026, 2, 10), False, True),)),
    Case(
        "the worker only on a superseded sheet",
        date(2026, 2, 16),
        ORANGE,
        sheets=((JAN, date(2026, 2, 10), True, True), (JAN, date(2026, 2, 10), False, False)),
    ),
    Case(
        "a contract starting on 31 January covers January",
        date(2026, 2, 16),
        ORANGE,
        terms={"start_date": date(2026, 1, 31), "end_date": date(2026, 12, 31)},
        evidence={"covered_from": "2026-01-31", "covered_until": "2026-01-31"},
        project=ORANGE,
    ),
    Case(
        "a contract starting mid-February: January is not expected",
        date(2026, 3, 20),
        None,
        terms={"start_date": date(2026, 2, 14), "end_date": date(2026, 12, 31)},
    ),
    Case(
        "a contract ending mid-January still needs its January line",
        date(2026, 2, 16),
        ORANGE,
        terms={"start_date": date(2025, 12, 1), "end_date": date(2026, 1, 14)},
        evidence={"covered_until": "2026-01-14"},
        project=ORANGE,
    ),
    Case(
        "February with pay day 31 is due on 31 March; January's wages on 28 February",
        date(2026, 3, 1),
        ORANGE,
        terms={"start_date": JAN, "end_date": date(2026, 12, 31), "pay_day": 31},
        evidence={"deadline": "2026-02-28"},
        project=ORANGE,
    ),
    Case(
        "pay day 31: nothing due for January on 28 February",
        date(2026, 2, 28),
        None,
        terms={"start_date": JAN, "end_date": date(2026, 12, 31), "pay_day": 31},
    ),
]


@pytest.mark.parametrize("case", R03_CASES, ids=[c.name for c in R03_CASES])
def test_r03_payroll_missing(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    _check(app, world, monkeypatch, case, "R03")


YELLOW = ("violation", "yellow")
R04_CASES = [
    Case("paid on the pay day", date(2026, 6, 1), None, sheets=((JAN, date(2026, 2, 15), False, True),)),
    Case(
        "paid the day after",
        date(2026, 6, 1),
        YELLOW,
        sheets=((JAN, date(2026, 2, 16), False, True),),
        evidence={"expected": "2026-02-15", "actual": "2026-02-16", "days_late": 1},
    ),
    Case(
        "paid on the last grace day",
        date(2026, 6, 1),
        None,
        sheets=((JAN, date(2026, 2, 20), False, True),),
        config={"RISK_R04_GRACE_DAYS": 5},
    ),
    Case(
        "paid the day after the grace days: late counted from the pay day",
        date(2026, 6, 1),
        YELLOW,
        sheets=((JAN, date(2026, 2, 21), False, True),),
        config={"RISK_R04_GRACE_DAYS": 5},
        evidence={"days_late": 6, "deadline": "2026-02-20"},
    ),
    Case("29 days late", date(2026, 6, 1), YELLOW, sheets=((JAN, date(2026, 3, 16), False, True),), evidence={"days_late": 29}),
    Case("30 days late", date(2026, 6, 1), ORANGE, sheets=((JAN, date(2026, 3, 17), False, True),), evidence={"days_late": 30}),
    Case("60 days late", date(2026, 6, 1), ORANGE, sheets=((JAN, date(2026, 4, 16), False, True),), evidence={"days_late": 60}),
    Case("61 days late", date(2026, 6, 1), RED, sheets=((JAN, date(2026, 4, 17), False, True),), evidence={"days_late": 61}),
    Case(
        "pay day 31 in February is 28 February",
        date(2026, 6, 1),
        None,
        terms={"start_date": JAN, "end_date": date(2026, 12, 31), "pay_day": 31},
        sheets=((JAN, date(2026, 2, 28), False, True),),
    ),
    Case(
        "pay day 31: 1 March is late",
        date(2026, 6, 1),
        YELLOW,
        terms={"start_date": JAN, "end_date": date(2026, 12, 31), "pay_day": 31},
        sheets=((JAN, date(2026, 3, 1), False, True),),
        evidence={"expected": "2026-02-28", "days_late": 1},
    ),
    Case(
        "the contract's pay day 5 before the project's: the 12th is late (SQL must not look at the project's only)",
        date(2026, 6, 1),
        YELLOW,
        terms={"start_date": JAN, "end_date": date(2026, 12, 31), "pay_day": 5},
        sheets=((JAN, date(2026, 2, 12), False, True),),
        config={"RISK_R04_GRACE_DAYS": 0},
        evidence={"expected": "2026-02-05", "days_late": 7},
    ),
    Case(
        "February wages with pay day 31 are due on 31 March",
        date(2026, 6, 1),
        None,
        terms={"start_date": JAN, "end_date": date(2026, 12, 31), "pay_day": 31},
        sheets=((FEB, date(2026, 3, 31), False, True),),
        month=FEB,
    ),
    Case(
        "a late superseded sheet does not count",
        date(2026, 6, 1),
        None,
        sheets=((JAN, date(2026, 5, 1), True, True), (JAN, date(2026, 2, 10), False, True)),
    ),
    Case(
        "no pay date after the deadline: inconclusive",
        date(2026, 2, 16),
        ("inconclusive", None),
        sheets=((JAN, None, False, True),),
        evidence={"inconclusive_because": "pay_date_not_recorded", "actual": None},
    ),
    Case("no pay date before the deadline", date(2026, 2, 15), None, sheets=((JAN, None, False, True),)),
]


@pytest.mark.parametrize("case", R04_CASES, ids=[c.name for c in R04_CASES])
def test_r04_paid_late(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    _check(app, world, monkeypatch, case, "R04")


def test_r03_closes_when_the_sheet_arrives_and_r04_takes_over(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = enrol(project, date(2026, 1, 1))
        contract(entry, start_date=JAN, end_date=date(2026, 12, 31))
        run(date(2026, 3, 20), county=KNOWN)
        assert {(f.subject, f.period, f.severity.value if f.severity else None) for f in open_findings("R03")} == {
            (f"project:{project.id}:worker:{entry.worker_id}", "2026-01", "red"),
            (f"project:{project.id}", "2026-01", "red"),
            (f"project:{project.id}:worker:{entry.worker_id}", "2026-02", "orange"),
            (f"project:{project.id}", "2026-02", "orange"),
        }
        sheet(project, JAN, Pay(entry, pay_date=date(2026, 3, 20)))
        run(date(2026, 3, 21), county=KNOWN)
        assert {f.period for f in open_findings("R03")} == {"2026-02"}
        late = open_findings("R04")
        assert [(f.period, f.severity.value if f.severity else None, f.evidence["days_late"]) for f in late] == [
            ("2026-01", "orange", 33)
        ]
