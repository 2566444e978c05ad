"""R05 Underpaid against contract, R06 Paid below minimum wage and R09 Outsized individual pay, table-driven:
violation, compliant and inconclusive cases, with the band edges, February and contracts starting or ending
mid-month, plus the pure helpers (``expected_pay``, ``base_pay``) as properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import World
from tests.risk.payroll_support import Pay, sheet
from tests.risk.support import KNOWN, UNKNOWN, contract, enrol, finding, open_findings, project_in, run
from wage_guard.contracts.terms import PayForm
from wage_guard.extensions import db
from wage_guard.risk.rules.payroll_amounts import base_pay

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
YEAR_2026 = {"start_date": JAN, "end_date": date(2026, 12, 31)}


@dataclass(frozen=True)
class Case:
    name: str
    #: (month, Pay keyword arguments) for the worker's lines; a sheet per entry.
    pays: tuple[tuple[date, dict[str, Any]], ...]
    #: None: no finding; else (outcome, severity).
    expect: tuple[str, str | None] | None
    period: str = "2026-01"
    #: The worker's contract terms; None for no contract.
    terms: dict[str, Any] | None = field(default_factory=lambda: dict(YEAR_2026))
    evidence: dict[str, Any] = field(default_factory=dict)
    county: str = KNOWN
    stranger: bool = False


def _check(app: Flask, world: World, case: Case, rule: str) -> None:
    with app.app_context():
        project = project_in(case.county, world.users)
        entry = enrol(project, date(2025, 9, 1))
        if case.terms is not None:
            contract(entry, **case.terms)
        for month, pay in case.pays:
            sheet(project, month, Pay(None if case.stranger else entry, **pay))
        run(date(2026, 12, 31), county=case.county)
        if case.stranger:
            found = [f for f in open_findings(rule) if f.period == case.period]
            item = found[0] if found else None
            assert item is None or item.subject.startswith(f"project:{project.id}:person:")
        else:
            item = finding(rule, f"project:{project.id}:worker:{entry.worker_id}", case.period)
        if case.expect is None:
            assert item is None, item.evidence if item else None
        else:
            assert item is not None
            assert (item.outcome.value, item.severity.value if item.severity else None) == case.expect
            assert {k: item.evidence.get(k) for k in case.evidence} == case.evidence
        db.session.rollback()


YELLOW, ORANGE, RED = ("violation", "yellow"), ("violation", "orange"), ("violation", "red")
INCONCLUSIVE = ("inconclusive", None)


def daily(gross: str, days: str = "22", month: date = JAN) -> tuple[tuple[date, dict[str, Any]], ...]:
    return ((month, {"gross": gross, "days": days}),)


MONTHLY_6000 = {"pay_form": PayForm.MONTHLY, "pay_amount": Decimal("6000")}
R05_CASES = [
    Case("350 a day for 22 days paid in full", daily("7700.00"), None),
    Case("short by 76 yuan (0.99 per cent)", daily("7624.00"), None),
    Case(
        "short by 78 yuan (1.01 per cent): yellow even under 5 per cent",
        daily("7622.00"),
        YELLOW,
        evidence={"expected": "7700.00", "actual": "7622.00", "shortfall": "78.00", "contract_days_in_month": 31},
    ),
    Case("short by 14.9 per cent", daily("6553.00"), YELLOW),
    Case("short by exactly 15 per cent", daily("6545.00"), ORANGE, evidence={"shortfall_pct": "15.0"}),
    Case("short by exactly 25 per cent", daily("5775.00"), ORANGE),
    Case("short by just over 25 per cent", daily("5774.00"), RED),
    Case("2.6 per cent but only 0.90 yuan", daily("33.60", days="0.1"), None, terms={**YEAR_2026, "pay_amount": Decimal("345")}),
    Case("1.10 yuan and over 1 per cent", daily("48.90", days="1"), YELLOW, terms={**YEAR_2026, "pay_amount": Decimal("50")}),
    Case("paid more than the contract", daily("9000.00"), None),
    Case("monthly wage for a whole month", ((JAN, {"gross": "6000.00"}),), None, terms={**YEAR_2026, **MONTHLY_6000}),
    Case(
        "monthly wage, contract from 15 February: 14 of 28 days",
        ((FEB, {"gross": "2900.00", "days": "10"}),),
        YELLOW,
        period="2026-02",
        terms={"start_date": date(2026, 2, 15), "end_date": date(2026, 12, 31), **MONTHLY_6000},
        evidence={"expected": "3000.00", "contract_days_in_month": 14},
    ),
    Case(
        "monthly wage pro rata paid in full in February",
        ((FEB, {"gross": "3000.00", "days": "10"}),),
        None,
        period="2026-02",
        terms={"start_date": date(2026, 2, 15), "end_date": date(2026, 12, 31), **MONTHLY_6000},
    ),
    Case(
        "monthly wage, contract ending 10 March: 10 of 31 days",
        ((MAR, {"gross": "1400.00", "days": "8"}),),
        RED,
        period="2026-03",
        terms={"start_date": JAN, "end_date": date(2026, 3, 10), **MONTHLY_6000},
        evidence={"expected": "1935.48"},
    ),
    Case(
        "piece rate: inconclusive",
        daily("100.00"),
        INCONCLUSIVE,
        terms={**YEAR_2026, "pay_form": PayForm.PIECE, "piece_unit": "平方米", "pay_amount": Decimal("30")},
        evidence={"inconclusive_because": "piece_rate", "expected": None},
    ),
    Case("no contract: R01's business", daily("10.00"), None, terms=None),
    Case("a month the contract does not cover", daily("10.00", month=date(2027, 1, 1)), None, period="2027-01"),
]


@pytest.mark.parametrize("case", R05_CASES, ids=[c.name for c in R05_CASES])
def test_r05_underpaid_against_contract(app: Flask, world: World, case: Case) -> None:
    _check(app, world, case, "R05")


def full(gross: str, days: str = "22", overtime: str | None = None, month: date = JAN) -> tuple[tuple[date, dict[str, Any]], ...]:
    return ((month, {"gross": gross, "days": days, "overtime": overtime}),)


R06_CASES = [
    Case("a full month at the minimum (2,400)", full("2400.00"), None),
    Case(
        "a full month one yuan under",
        full("2399.00"),
        RED,
        evidence={"expected": "2400.00", "actual": "2399.00", "shortfall": "1.00", "minimum_wage_from": "2025-10-01"},
    ),
    Case("exactly 21.75 days is a full month", full("2000.00", days="21.75"), RED),
    Case("21.5 days is not a full month", full("1000.00", days="21.5"), None),
    Case(
        "overtime excluded: 2,600 with 20 overtime hours is 2,221.36 base",
        full("2600.00", overtime="20"),
        RED,
        evidence={"actual": "2221.36", "gross": "2600.00"},
    ),
    Case("overtime excluded and still above", full("3000.00", overtime="20"), None),
    Case(
        "February, 28 days worked",
        full("2300.00", days="28", month=FEB),
        RED,
        period="2026-02",
    ),
    Case("someone not on the roster", full("1800.00"), RED, terms=None, stranger=True),
    Case(
        "a county without a minimum wage: inconclusive, never compared with zero",
        full("100.00"),
        INCONCLUSIVE,
        county=UNKNOWN,
        evidence={"inconclusive_because": "no_minimum_wage_known", "expected": None},
    ),
    Case(
        "a month before the first known standard: inconclusive",
        full("100.00", month=date(2025, 9, 1)),
        INCONCLUSIVE,
        period="2025-09",
    ),
    Case("a high wage needs no standard", full("9000.00"), None, county=UNKNOWN),
]


@pytest.mark.parametrize("case", R06_CASES, ids=[c.name for c in R06_CASES])
def test_r06_paid_below_minimum_wage(app: Flask, world: World, case: Case) -> None:
    _check(app, world, case, "R06")


def months(net: str, count: int, first: int = 1, year: int = 2026) -> tuple[tuple[date, dict[str, Any]], ...]:
    return tuple((date(year, m, 1), {"gross": net, "net": net}) for m in range(first, first + count))


R09_CASES = [
    Case("50,000 in a month", months("50000.00", 1), None),
    Case(
        "50,000.01 in a month",
        months("50000.01", 1),
        RED,
        evidence={"expected": "50000.00", "actual": "50000.01"},
    ),
    Case("300,000 in a year", months("30000.00", 10), None, period="2026"),
    Case(
        "over 300,000 in a year without any month over 50,000",
        months("45000.00", 7),
        RED,
        period="2026",
        evidence={"months": 7, "actual": "315000.00", "year": 2026},
    ),
    Case(
        "December and January are different years",
        months("45000.00", 4, first=9, year=2025) + months("45000.00", 4),
        None,
        period="2026",
    ),
    Case("a stranger who collects 80,000", months("80000.00", 1), RED, terms=None, stranger=True),
]


@pytest.mark.parametrize("case", R09_CASES, ids=[c.name for c in R09_CASES])
def test_r09_outsized_individual_pay(app: Flask, world: World, case: Case) -> None:
    _check(app, world, case, "R09")


def test_r05_uses_the_current_sheet_and_closes_when_corrected(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = enrol(project, date(2026, 1, 1))
        contract(entry, **YEAR_2026)
        first = sheet(project, JAN, Pay(entry, gross="5000.00"))
        run(date(2026, 3, 1), county=KNOWN)
        item = finding("R05", f"project:{project.id}:worker:{entry.worker_id}", "2026-01")
        assert item is not None
        assert (item.status.value, item.severity.value if item.severity else None) == ("open", "red")
        first.superseded_at = first.imported_at
        sheet(project, JAN, Pay(entry, gross="7700.00"))
        run(date(2026, 3, 2), county=KNOWN)
        assert item.status.value == "closed"


@given(
    gross=st.decimals(min_value=0, max_value=100000, places=2),
    days=st.decimals(min_value=1, max_value=31, places=1),
    overtime=st.decimals(min_value=0, max_value=200, places=1),
)
def test_base_pay_never_exceeds_gross_and_is_gross_without_overtime(gross: Decimal, days: Decimal, overtime: Decimal) -> None:
    base = base_pay(gross, days, overtime)
    assert base <= gross
    assert base_pay(gross, days, Decimal(0)) == gross
    if overtime > 0 and gross > 0:
        assert base < gross or base == gross.quantize(Decimal("0.01"))
