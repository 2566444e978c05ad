"""The county figures that come with the payroll rules: the amount owed (R03/R05/R06 shortfalls, the largest per
person and month), open complaints, flags closed this China month with the median days to close, and the trend by
month; each run writes only what changed, and a county run leaves other counties' figures alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.factories import World
from tests.risk.payroll_support import Pay, sheet
from tests.risk.people_support import complaint
from tests.risk.support import KNOWN, UNKNOWN, at, contract, enrol, finding, project_in, run, table_counts
from wage_guard.complaints.models import ComplaintStatus
from wage_guard.contracts.terms import PayForm
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk import services
from wage_guard.risk.models import CountyRollup, CountyTrend, Finding, Outcome
from wage_guard.risk.rule import Result
from wage_guard.risk.store import amount_owed

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
#: January's wages were due on 15 February; February's are not due yet.
TODAY = date(2026, 3, 10)
YEAR = {"start_date": JAN, "end_date": date(2026, 12, 31)}
PAID = date(2026, 2, 10)


def _owing(project: Project) -> dict[str, str]:
    """January with an R03 estimate, an R05 shortfall, an R05 and an R06 on the same wages, and an R06 alone."""
    monthly = enrol(project, date(2026, 1, 15))  # 6,000 a month from 15 January: 17 of 31 days, no line at all
    contract(
        monthly, start_date=date(2026, 1, 15), end_date=date(2026, 12, 31), pay_form=PayForm.MONTHLY, pay_amount=Decimal("6000")
    )
    short, poor = enrol(project, JAN), enrol(project, JAN)
    contract(short, **YEAR)  # 350 a day for 22 days is 7,700
    contract(poor, **YEAR)
    lines = [Pay(short, gross="7622.00", pay_date=PAID), Pay(poor, gross="2000.00", pay_date=PAID)]
    sheet(project, JAN, *lines, Pay(None, gross="1800.00", pay_date=PAID))  # a stranger under the minimum (2,400)
    return {
        "R03": f"project:{project.id}:worker:{monthly.worker_id}",
        "R05": f"project:{project.id}:worker:{short.worker_id}",
        "both": f"project:{project.id}:worker:{poor.worker_id}",
    }


def _county(code: str) -> CountyRollup:
    row = db.session.get(CountyRollup, code)
    assert row is not None
    return row


def _trend(code: str) -> dict[date, tuple[int, int, Decimal]]:
    query = sa.select(CountyTrend).where(CountyTrend.county_code == code).order_by(CountyTrend.month)
    return {t.month: (t.opened, t.closed, t.amount_owed_opened) for t in db.session.scalars(query)}


def _figures(code: str) -> tuple[Any, ...]:
    row = _county(code)
    return (row.amount_owed, row.open_complaints, row.closed_this_month, row.median_days_to_close, _trend(code))


@contextmanager
def _writes() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements sent to the database inside the block, with their parameters."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            statements.append(f"{statement} {parameters}")

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_amounts_owed_are_stored_per_finding_and_summed_per_county(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        subjects = _owing(project)
        run(TODAY, county=KNOWN)
        owed = {
            ("R03", "R03"): Decimal("3290.32"),  # 6,000 x 17 / 31
            ("R05", "R05"): Decimal("78.00"),
            ("R05", "both"): Decimal("5700.00"),
            ("R06", "both"): Decimal("400.00"),
        }
        for (rule, who), amount in owed.items():
            item = finding(rule, subjects[who], "2026-01")
            assert item is not None
            assert item.amount_owed == amount
        [stranger] = [
            f for f in db.session.scalars(sa.select(Finding).where(Finding.rule_code == "R06")) if ":person:" in f.subject
        ]
        assert stranger.amount_owed == Decimal("600.00")
        project_level = finding("R03", f"project:{project.id}", "2026-01")
        assert project_level is None  # the month has a sheet
        without = db.session.scalars(sa.select(Finding).where(Finding.rule_code.not_in(["R03", "R05", "R06"]))).all()
        assert without
        assert all(f.amount_owed is None for f in without)
        # The R05 and R06 findings about the same wages owe the larger shortfall (5,700), not both.
        county = _county(KNOWN)
        assert county.amount_owed == Decimal("3290.32") + Decimal("78.00") + Decimal("5700.00") + Decimal("600.00")
        assert _trend(KNOWN)[MAR][2] == county.amount_owed


def test_r03_owes_a_monthly_wage_pro_rata_and_nothing_for_a_daily_wage(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        daily = enrol(project, JAN)
        contract(daily, **YEAR)
        monthly = enrol(project, JAN)
        contract(monthly, start_date=JAN, end_date=date(2026, 2, 14), pay_form=PayForm.MONTHLY, pay_amount=Decimal("5600"))
        run(date(2026, 3, 20), county=KNOWN)  # January and February are both due
        owed = {
            (f.subject, f.period): f.amount_owed for f in db.session.scalars(sa.select(Finding).where(Finding.rule_code == "R03"))
        }
        assert owed == {
            (f"project:{project.id}:worker:{daily.worker_id}", "2026-01"): None,
            (f"project:{project.id}:worker:{daily.worker_id}", "2026-02"): None,
            (f"project:{project.id}:worker:{monthly.worker_id}", "2026-01"): Decimal("5600.00"),
            (f"project:{project.id}:worker:{monthly.worker_id}", "2026-02"): Decimal("2800.00"),  # 14 of 28 days
            (f"project:{project.id}", "2026-01"): None,
            (f"project:{project.id}", "2026-02"): None,
        }
        assert _county(KNOWN).amount_owed == Decimal("8400.00")


def test_a_closed_shortfall_leaves_the_amount_owed(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = enrol(project, JAN)
        contract(entry, **YEAR)
        first = sheet(project, JAN, Pay(entry, gross="7000.00", pay_date=PAID))
        run(TODAY, county=KNOWN)
        assert _county(KNOWN).amount_owed == Decimal("700.00")
        first.superseded_at = first.imported_at
        sheet(project, JAN, Pay(entry, gross="7700.00", pay_date=PAID))
        run(date(2026, 3, 11), county=KNOWN)
        item = finding("R05", f"project:{project.id}:worker:{entry.worker_id}", "2026-01")
        assert item is not None
        assert (item.status.value, item.amount_owed) == ("closed", Decimal("700.00"))  # kept for the trend
        county = _county(KNOWN)
        assert county.amount_owed == Decimal("0.00")
        assert (county.closed_this_month, county.median_days_to_close) == (1, Decimal("1.0"))
        assert _trend(KNOWN)[MAR][1:] == (1, Decimal("700.00"))


def test_open_complaints_count_and_closed_or_unverified_ones_do_not(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        elsewhere = project_in(UNKNOWN, world.users)
        complaint(project, ComplaintStatus.OPEN)
        complaint(project, ComplaintStatus.CLOSED)
        complaint(project, ComplaintStatus.UNVERIFIED)
        complaint(elsewhere, ComplaintStatus.OPEN)
        complaint(elsewhere, ComplaintStatus.OPEN)
        run(TODAY, county=KNOWN)
        assert _county(KNOWN).open_complaints == 1
        assert db.session.get(CountyRollup, UNKNOWN) is None
        run(TODAY, county=UNKNOWN)
        assert (_county(KNOWN).open_complaints, _county(UNKNOWN).open_complaints) == (1, 2)


def _closures(world: World) -> None:
    """Three R01 findings opened on 2 February, closed on 20 February, 4 March and 7 March (18, 30 and 33 days)."""
    project = project_in(KNOWN, world.users)
    entries = [enrol(project, FEB) for _ in range(3)]
    run(date(2026, 2, 2), county=KNOWN)
    for entry, day in zip(entries, (date(2026, 2, 20), date(2026, 3, 4), date(2026, 3, 7)), strict=True):
        contract(entry, start_date=FEB, end_date=date(2026, 12, 31))
        run(day, county=KNOWN)


def test_closures_this_china_month_and_the_median_days_to_close(app: Flask, world: World) -> None:
    with app.app_context():
        _closures(world)
        county = _county(KNOWN)
        assert (county.closed_this_month, county.median_days_to_close) == (2, Decimal("31.5"))
        assert county.open_flags == 0
        run(date(2026, 4, 1), county=KNOWN)  # a new month: nothing closed in it yet
        county = _county(KNOWN)
        assert (county.closed_this_month, county.median_days_to_close) == (0, None)


def test_the_month_follows_china_time(app: Flask, world: World) -> None:
    """Closed at 23:30 UTC on 31 March is 1 April in China: counted in April, not March."""
    with app.app_context():
        project = project_in(KNOWN, world.users)
        entry = enrol(project, FEB)
        run(date(2026, 3, 2), county=KNOWN)
        contract(entry, start_date=FEB, end_date=date(2026, 12, 31))
        late = at(date(2026, 3, 31)).replace(hour=23, minute=30)
        services.run(KNOWN, now=late)
        assert _county(KNOWN).closed_this_month == 1  # the run's own month is April
        trend = _trend(KNOWN)
        assert (trend[MAR][1], trend[date(2026, 4, 1)][1]) == (0, 1)
        assert min(trend) == date(2025, 5, 1)


def test_a_trend_row_for_each_of_the_last_twelve_months(app: Flask, world: World) -> None:
    with app.app_context():
        _closures(world)
        trend = _trend(KNOWN)
        assert list(trend) == [date(2025, m, 1) for m in range(4, 13)] + [JAN, FEB, MAR]
        assert trend[FEB] == (3, 1, Decimal("0.00"))
        assert trend[MAR] == (0, 2, Decimal("0.00"))
        assert all(v == (0, 0, Decimal("0.00")) for m, v in trend.items() if m < FEB)
        run(date(2026, 4, 1), county=KNOWN)  # the window moves on: April 2025 goes, April 2026 comes
        trend = _trend(KNOWN)
        assert (min(trend), max(trend), len(trend)) == (date(2025, 5, 1), date(2026, 4, 1), 12)


def test_a_second_run_writes_nothing(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        _owing(project)
        complaint(project, ComplaintStatus.OPEN)
        run(TODAY, county=KNOWN)
        before, figures = table_counts(), _figures(KNOWN)
        with _writes() as writes:
            second = run(TODAY, county=KNOWN)
        assert second.total("opened") == second.total("closed") == 0
        assert writes == []
        assert table_counts() == before
        assert _figures(KNOWN) == figures


def test_a_county_run_leaves_the_other_countys_figures_alone(app: Flask, world: World) -> None:
    with app.app_context():
        other = project_in(UNKNOWN, world.users)
        entry = enrol(other, JAN)
        contract(entry, **YEAR)
        sheet(other, JAN, Pay(entry, gross="7000.00", pay_date=PAID))
        complaint(other, ComplaintStatus.OPEN)
        run(TODAY, county=UNKNOWN)
        theirs = _figures(UNKNOWN)
        assert theirs[:2] == (Decimal("700.00"), 1)
        _owing(project_in(KNOWN, world.users))
        with _writes() as writes:
            run(TODAY, county=KNOWN)
        assert [w for w in writes if "risk_county" in w and KNOWN in w]
        assert not [w for w in writes if UNKNOWN in w]
        assert _figures(UNKNOWN) == theirs
        assert _county(KNOWN).amount_owed == Decimal("9668.32")
        assert _trend(KNOWN)[MAR][0] > 0
        # A run over everything recomputes both and changes neither.
        with _writes() as writes:
            run(TODAY)
        assert not [w for w in writes if KNOWN in w or UNKNOWN in w]
        assert _figures(UNKNOWN) == theirs


def test_only_violations_of_the_owing_rules_carry_an_amount() -> None:
    def result(rule: str, outcome: str, evidence: dict[str, Any]) -> tuple[str, Result]:
        return rule, Result("s", "p", 1, KNOWN, None, Outcome(outcome), None, evidence)

    cases = [
        (result("R05", Outcome.VIOLATION, {"shortfall": "12.30"}), Decimal("12.30")),
        (result("R06", Outcome.VIOLATION, {"shortfall": "1.00"}), Decimal("1.00")),
        (result("R03", Outcome.VIOLATION, {}), None),
        (result("R05", Outcome.INCONCLUSIVE, {"shortfall": "12.30"}), None),
        (result("R10", Outcome.VIOLATION, {"shortfall": "12.30"}), None),
    ]
    assert [amount_owed(*args) for args, _ in cases] == [expected for _, expected in cases]
