"""R02 Contract wage below minimum and R16 Unlawful probation, table-driven: violation, compliant, inconclusive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from tests.factories import World
from tests.risk.support import KNOWN, UNKNOWN, contract, enrol, finding, project_in, run
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import PayForm, TermType
from wage_guard.extensions import db


@dataclass(frozen=True)
class Case:
    name: str
    terms: dict[str, Any]
    #: None: compliant; else (outcome, severity)
    expect: tuple[str, str | None] | None
    evidence: dict[str, Any] = field(default_factory=dict)
    county: str = KNOWN
    status: Status = Status.IN_FORCE
    raw_terms: str | None = None


def _check(app: Flask, world: World, case: Case, rule: str, today: date) -> Any:
    with app.app_context():
        project = project_in(case.county, world.users)
        entry = enrol(project, date(2026, 1, 1))
        row = contract(entry, status=case.status, raw_terms=case.raw_terms, **case.terms)
        if rule == "R02" and case.county == UNKNOWN:
            row.data_quality = {"R02": {"outcome": "inconclusive", "reason": "no_minimum_wage"}}
        run(today, county=case.county)
        item = finding(rule, f"contract:{row.id}")
        if case.expect is None:
            assert item is None
            return
        assert item is not None
        assert (item.outcome.value, item.severity.value if item.severity else None) == case.expect
        assert {k: item.evidence[k] for k in case.evidence} == case.evidence


DAILY = {"pay_form": PayForm.DAILY, "start_date": date(2026, 1, 1)}
MONTHLY = {"pay_form": PayForm.MONTHLY, "start_date": date(2026, 1, 1)}
R02_CASES = [
    Case(
        "daily 110 yuan is 2,392.50 a month, under 2,400",
        {**DAILY, "pay_amount": Decimal("110")},
        ("violation", "red"),
        {"actual": "2392.50", "expected": "2400.00", "shortfall": "7.50"},
    ),
    Case("daily 111 yuan is 2,414.25 a month", {**DAILY, "pay_amount": Decimal("111")}, None),
    Case("monthly exactly the minimum", {**MONTHLY, "pay_amount": Decimal("2400")}, None),
    Case("monthly one fen under", {**MONTHLY, "pay_amount": Decimal("2399.99")}, ("violation", "red"), {"shortfall": "0.01"}),
    Case(
        "start on the day the 2025 standard took effect",
        {"pay_form": PayForm.MONTHLY, "start_date": date(2025, 10, 1), "pay_amount": Decimal("2300")},
        ("violation", "red"),
        {"minimum_wage_from": "2025-10-01"},
    ),
    Case(
        "start the day before any standard is known",
        {"pay_form": PayForm.MONTHLY, "start_date": date(2025, 9, 30), "pay_amount": Decimal("100")},
        ("inconclusive", None),
        {"inconclusive_because": "no_minimum_wage_known", "expected": None},
    ),
    Case(
        "county without a known minimum wage: inconclusive, never compliant, with the issue note",
        {**MONTHLY, "pay_amount": Decimal("100")},
        ("inconclusive", None),
        {
            "inconclusive_because": "no_minimum_wage_known",
            "issued_with_note": {"outcome": "inconclusive", "reason": "no_minimum_wage"},
        },
        county=UNKNOWN,
    ),
    Case(
        "piece rate cannot be compared",
        {**DAILY, "pay_form": PayForm.PIECE, "piece_unit": "平方米", "pay_amount": Decimal("30")},
        ("inconclusive", None),
        {"inconclusive_because": "piece_rate"},
    ),
    Case("withdrawn contract is not checked", {**DAILY, "pay_amount": Decimal("10")}, None, status=Status.WITHDRAWN),
    Case(
        "unreadable terms",
        {},
        ("inconclusive", None),
        {"inconclusive_because": "contract_terms_unreadable"},
        raw_terms="{}",
    ),
]


@pytest.mark.parametrize("case", R02_CASES, ids=[c.name for c in R02_CASES])
def test_r02_contract_wage_below_minimum(app: Flask, world: World, case: Case) -> None:
    _check(app, world, case, "R02", date(2026, 1, 15))


def _term(start: date, end: date | None, months: int, **more: Any) -> dict[str, Any]:
    return {"term_type": TermType.FIXED, "start_date": start, "end_date": end, "probation_months": months, **more}


YEAR = (date(2026, 3, 1), date(2027, 2, 28))
R16_CASES = [
    Case("one year with two months' probation", _term(*YEAR, 2), None),
    Case(
        "one year with three months' probation",
        _term(*YEAR, 3),
        ("violation", "yellow"),
        {"problems": ["probation_too_long"], "expected": 2},
    ),
    Case(
        "task-based contract with probation",
        {"term_type": TermType.TASK, "end_date": None, "task_description": "钢筋绑扎", "probation_months": 1},
        ("violation", "yellow"),
        {"problems": ["task_based_contract"]},
    ),
    Case(
        "1 March to 30 May is under three months",
        _term(date(2026, 3, 1), date(2026, 5, 30), 1),
        ("violation", "yellow"),
        {"problems": ["term_under_three_months"]},
    ),
    Case("1 March to 31 May is exactly three months", _term(date(2026, 3, 1), date(2026, 5, 31), 1), None),
    Case("31 January to 29 April is three months (the month-end rule)", _term(date(2026, 1, 31), date(2026, 4, 29), 1), None),
    Case(
        "31 January to 28 April is not",
        _term(date(2026, 1, 31), date(2026, 4, 28), 1),
        ("violation", "yellow"),
        {"problems": ["term_under_three_months"]},
    ),
    Case(
        "probation pay 279 of 350 a day is under 80 per cent",
        _term(*YEAR, 1, probation_pay=Decimal("279")),
        ("violation", "yellow"),
        {"problems": ["probation_pay_below_80_percent"], "probation_pay_floor": "280.00"},
    ),
    Case("probation pay exactly 80 per cent", _term(*YEAR, 1, probation_pay=Decimal("280")), None),
    Case("no probation", _term(*YEAR, 0), None),
    Case(
        "fixed term without an end date",
        _term(date(2026, 3, 1), None, 1),
        ("inconclusive", None),
        {"inconclusive_because": "fixed_term_without_end"},
    ),
    Case("unreadable terms", {}, ("inconclusive", None), {"inconclusive_because": "contract_terms_unreadable"}, raw_terms="oops"),
]


@pytest.mark.parametrize("case", R16_CASES, ids=[c.name for c in R16_CASES])
def test_r16_unlawful_probation(app: Flask, world: World, case: Case) -> None:
    _check(app, world, case, "R16", date(2026, 3, 15))


def test_r02_becomes_conclusive_when_the_administrator_adds_the_tier(app: Flask, world: World) -> None:
    from wage_guard.organisations import minimum_wages

    with app.app_context():
        project = project_in(UNKNOWN, world.users)
        row = contract(enrol(project, date(2026, 1, 1)), **MONTHLY, pay_amount=Decimal("2100"))
        run(date(2026, 1, 15), county=UNKNOWN)
        item = finding("R02", f"contract:{row.id}")
        assert item is not None
        assert item.outcome.value == "inconclusive"
        minimum_wages.set_county_tier(UNKNOWN, "三档")  # 2,020: compliant
        run(date(2026, 1, 15), county=UNKNOWN)
        assert item.status.value == "closed"
        minimum_wages.set_county_tier(UNKNOWN, "二档")  # 2,210: a violation
        run(date(2026, 1, 16), county=UNKNOWN)
        db.session.refresh(item)
        assert (item.status.value, item.outcome.value, item.severity.value if item.severity else None) == (
            "open",
            "violation",
            "red",
        )
        assert db.session.get(Contract, row.id) is not None
