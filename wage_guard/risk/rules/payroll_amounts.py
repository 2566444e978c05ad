"""R05 Underpaid against contract, R06 Paid below minimum wage and R09 Outsized individual pay: sheet amounts.

R05 compares each person's gross pay for a month on the current sheet with what the signed contract covering
the month promises: the daily rate times the days worked, or the monthly wage pro rata to the calendar days the
contract covers in that month (a contract starting or ending mid-month). A shortfall counts when it is over the
tolerance in yuan and over the tolerance share (1 yuan and 1 per cent by default); its share of the expected
amount sets the severity (yellow under 15 per cent, orange to 25, red beyond). Piece rates cannot be turned into
an expected amount without the quantities, so those months are inconclusive.

R06 takes a full month (at least 21.75 days worked, the statutory monthly working days) and removes overtime:
the sheet gives overtime hours but not overtime pay, so the base pay is estimated as the gross times the regular
hours over regular plus 1.5 times the overtime hours (8 hours a day; 1.5 is the lowest overtime rate of 劳动法
Art. 44, which leaves the most to base pay and so never overstates a shortfall). The base below the county's
minimum wage in force on the first day of the month is red; with no minimum known, inconclusive (never zero).

R09 sums what one person received (net) on a project in a month and in a calendar year; over 50,000 or 300,000
yuan is red: wages passed through one person, usually a crew boss, instead of paid to each worker.

Each rule runs one or two statements whose conditions keep only candidates (e.g. base pay below the largest
minimum wage known), on the lines the shared pass (``risk.line_pass``) names, so the Python pass that finishes
the comparison sees few rows.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.contracts.rules import WORKING_DAYS_PER_MONTH
from wage_guard.contracts.terms import PayForm
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations.models import MinimumWage, TierMinimumWage
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.risk import line_pass
from wage_guard.risk.models import ContractFact, Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope, iso, money, tier
from wage_guard.risk.rules.payroll_lines import (
    SIGNED_VALUES,
    contract_in,
    contracts_of,
    covered_days,
    line_evidence,
    month_end,
    period,
    person_month,
    subject,
)

FEN = Decimal("0.01")
HOURS_PER_DAY = Decimal(8)
#: 劳动法 Art. 44: overtime on working days is paid at 150 per cent (rest days 200, holidays 300).
LOWEST_OVERTIME_RATE = Decimal("1.5")


def _result(row: Any, key: str, outcome: Outcome, severity: Severity | None, evidence: dict[str, Any], when: str) -> Result:
    return Result(key, when, row.project_id, row.county_code, row.worker_id, outcome, severity, evidence)


#: Pay forms with an expected amount (the rest, piece rates, make R05 inconclusive).
PRICED_FORMS = (PayForm.DAILY.value, PayForm.MONTHLY.value)


def promised_upper(fact: Any, days_worked: Any) -> sa.ColumnElement[Any]:
    """The most a contract fact promises for a month (daily rate times days, or the full monthly wage); NULL for
    a piece rate."""
    return sa.case(
        (fact.pay_form == PayForm.DAILY.value, fact.pay_amount * days_worked),
        (fact.pay_form == PayForm.MONTHLY.value, fact.pay_amount),
        else_=None,
    )


def _short_of(scope: Scope, promised: Any) -> sa.ColumnElement[bool]:
    """The line's gross is below ``promised`` by more than both tolerances."""
    settings, gross = scope.settings, PayrollLine.gross
    return sa.and_(
        gross + settings.risk_amount_tolerance_yuan < promised,
        gross < promised * (1 - settings.risk_amount_tolerance_share),
    )


def underpaid(scope: Scope) -> list[Result]:
    """R05: each worker's month paid less than the contract covering it promises, beyond the tolerance."""
    fact = ContractFact
    candidate = sa.or_(fact.pay_form.not_in(PRICED_FORMS), _short_of(scope, promised_upper(fact, PayrollLine.days_worked)))
    query = (
        person_month(scope, PayrollLine.worker_id.is_not(None))
        .add_columns(fact.contract_id)
        .join(
            fact,
            sa.and_(
                fact.project_id == PayrollImport.project_id,
                fact.worker_id == PayrollLine.worker_id,
                fact.readable.is_(True),
                fact.status.in_(SIGNED_VALUES),
                sa.or_(fact.cover_to.is_(None), fact.cover_to >= PayrollImport.month),
            ),
        )
        .where(candidate)
    )
    rows = line_pass.rows(scope, query, "R05")
    facts = contracts_of(scope, {(r.project_id, r.worker_id) for r in rows})
    results = []
    for row in rows:
        applies = contract_in(facts.get((row.project_id, row.worker_id), []), row.month)
        if applies is None or applies.contract_id != row.contract_id:
            continue
        result = _underpaid_result(scope, row, applies)
        if result is not None:
            results.append(result)
    return results


@line_pass.narrowing("R05")
def _underpaid_candidates(scope: Scope) -> sa.ColumnElement[bool]:
    """The statement above with the contracts' promise read from the line: the most any contract in force in the
    month promises (a shortfall against one contract is a shortfall against the largest), or a piece rate."""
    line = PayrollLine
    short = _short_of(scope, line.promised_max)
    return sa.and_(line.worker_id.is_not(None), sa.or_(line.bounds_stale.is_(True), line.piece_rate.is_(True), short))


def expected_pay(fact: ContractFact, month: date, days_worked: Decimal) -> Decimal | None:
    """What the contract promises for ``month``: daily rate times days worked, or the monthly wage pro rata."""
    if fact.pay_amount is None:
        return None
    if fact.pay_form == PayForm.DAILY.value:
        return (fact.pay_amount * days_worked).quantize(FEN, ROUND_HALF_UP)
    if fact.pay_form == PayForm.MONTHLY.value:
        share = Decimal(covered_days(fact, month)) / Decimal(month_end(month).day)
        return (fact.pay_amount * share).quantize(FEN, ROUND_HALF_UP)
    return None


def _underpaid_result(scope: Scope, row: Any, fact: ContractFact) -> Result | None:
    settings = scope.settings
    expected = expected_pay(fact, row.month, Decimal(row.days_worked))
    actual = Decimal(row.gross)
    evidence: dict[str, Any] = {
        **line_evidence(row),
        "contract": fact.contract_id,
        "pay_form": fact.pay_form,
        "pay_amount": money(fact.pay_amount),
        "days_worked": str(row.days_worked),
        "contract_days_in_month": covered_days(fact, row.month),
        "expected": money(expected),
        "actual": money(actual),
    }
    key = subject(row.project_id, row.worker_id)
    if expected is None:
        evidence["inconclusive_because"] = "piece_rate"
        return _result(row, key, Outcome.INCONCLUSIVE, None, evidence, period(row.month))
    shortfall = expected - actual
    if shortfall <= settings.risk_amount_tolerance_yuan or shortfall <= expected * settings.risk_amount_tolerance_share:
        return None
    share = shortfall / expected
    evidence.update(shortfall=money(shortfall), shortfall_pct=f"{share * 100:.1f}")
    severity = tier(share, settings.risk_r05_orange_share, settings.risk_r05_red_share)
    return _result(row, key, Outcome.VIOLATION, severity, evidence, period(row.month))


def _largest_minimum() -> Decimal | None:
    """The largest minimum wage in the tables: gross pay above it is above any county's minimum."""
    own = db.session.scalar(sa.select(sa.func.max(MinimumWage.monthly)))
    tier = db.session.scalar(sa.select(sa.func.max(TierMinimumWage.monthly)))
    known = [Decimal(v) for v in (own, tier) if v is not None]
    return max(known) if known else None


@line_pass.narrowing("R06")
def _below_minimum_candidates(scope: Scope) -> sa.ColumnElement[bool]:
    """A full month whose base pay (as ``base_pay`` estimates it) is below the largest minimum wage known,
    compared without division."""
    line = PayrollLine
    full_month = line.days_worked >= WORKING_DAYS_PER_MONTH
    ceiling = _largest_minimum()
    if ceiling is None:
        return full_month
    regular = line.days_worked * HOURS_PER_DAY
    with_overtime = line.gross * regular < ceiling * (regular + line.overtime_hours * LOWEST_OVERTIME_RATE)
    # Without overtime the base pay is the gross: one comparison for most lines, the products only for the rest.
    return sa.and_(full_month, sa.or_(line.gross < ceiling, sa.and_(line.overtime_hours > 0, with_overtime)))


def below_minimum_wage(scope: Scope) -> list[Result]:
    """R06: a full month's base pay (overtime estimated out) below the county's minimum wage that month."""
    results = []
    for row in line_pass.rows(scope, person_month(scope, _below_minimum_candidates(scope)), "R06"):
        result = _minimum_result(scope, row)
        if result is not None:
            results.append(result)
    return results


def base_pay(gross: Decimal, days_worked: Decimal, overtime_hours: Decimal) -> Decimal:
    """Gross pay without the overtime part, at the lowest overtime rate (the most generous split to base pay)."""
    regular = days_worked * HOURS_PER_DAY
    if overtime_hours <= 0 or regular <= 0:
        return gross
    return (gross * regular / (regular + LOWEST_OVERTIME_RATE * overtime_hours)).quantize(FEN, ROUND_HALF_UP)


def _minimum_result(scope: Scope, row: Any) -> Result | None:
    base = base_pay(Decimal(row.gross), Decimal(row.days_worked), Decimal(row.overtime_hours))
    standard = scope.wages.on(row.county_code, row.month)
    evidence: dict[str, Any] = {
        **line_evidence(row),
        "days_worked": str(row.days_worked),
        "overtime_hours": str(row.overtime_hours),
        "gross": money(row.gross),
        "actual": money(base),
        "expected": money(standard.monthly) if standard else None,
        "minimum_wage_from": iso(standard.effective_from) if standard else None,
        "minimum_wage_source": standard.source[:80] if standard else None,
    }
    key = subject(row.project_id, row.worker_id, row.person)
    if standard is None:
        evidence["inconclusive_because"] = "no_minimum_wage_known"
        return _result(row, key, Outcome.INCONCLUSIVE, None, evidence, period(row.month))
    if base >= standard.monthly:
        return None
    evidence["shortfall"] = money(standard.monthly - base)
    return _result(row, key, Outcome.VIOLATION, Severity.RED, evidence, period(row.month))


def outsized_pay(scope: Scope) -> list[Result]:
    """R09: one person's net pay on a project over the monthly limit in a month, or the yearly limit in a year."""
    settings = scope.settings
    results = []
    for row in line_pass.rows(scope, person_month(scope, _over_month_limit(scope)), "R09_month"):
        evidence = {**line_evidence(row), "expected": money(settings.risk_r09_month_limit), "actual": money(row.net)}
        key = subject(row.project_id, row.worker_id, row.person)
        results.append(_result(row, key, Outcome.VIOLATION, Severity.RED, evidence, period(row.month)))
    for row in _yearly_rows(scope):
        evidence = {
            "year": int(row.year),
            "months": row.months,
            "expected": money(settings.risk_r09_year_limit),
            "actual": money(row.net),
        }
        key = subject(row.project_id, row.worker_id, row.person)
        results.append(_result(row, key, Outcome.VIOLATION, Severity.RED, evidence, str(int(row.year))))
    return results


@line_pass.narrowing("R09_month")
def _over_month_limit(scope: Scope) -> sa.ColumnElement[bool]:
    return PayrollLine.net > scope.settings.risk_r09_month_limit


@line_pass.narrowing("R09_year")
def _over_a_twelfth(scope: Scope) -> sa.ColumnElement[bool]:
    """Only someone with a month over a twelfth of the yearly limit can be over it."""
    return PayrollLine.net > scope.settings.risk_r09_year_limit / 12


def _yearly_rows(scope: Scope) -> list[Any]:
    """People paid over the yearly limit on a project: the grouping reads the months of the people with a month
    over a twelfth of it alone (a semi-join), not every line of the year."""
    high = person_month(scope, _over_a_twelfth(scope)).with_only_columns(PayrollImport.project_id, PayrollLine.id_number_index)
    if not scope.shared_pass:
        return list(db.session.execute(_yearly(scope, high)))
    people = sorted({(row.project_id, row.id_number_index) for row in line_pass.rows(scope, high, "R09_year")})
    found: list[Any] = []
    for chunk in line_pass.chunked(people):
        found.extend(db.session.execute(_yearly(scope, chunk)))
    return found


def _yearly(scope: Scope, people: Any) -> sa.Select[Any]:
    """The yearly sums of ``people`` ((project, blind index) pairs, or a query of them) over the limit."""
    limit = scope.settings.risk_r09_year_limit
    monthly = person_month(scope, sa.tuple_(PayrollImport.project_id, PayrollLine.id_number_index).in_(people)).subquery("pm")
    query = (
        sa.select(
            monthly.c.project_id,
            monthly.c.county_code,
            monthly.c.person,
            sa.extract("year", monthly.c.month).label("year"),
            sa.func.max(monthly.c.worker_id).label("worker_id"),
            sa.func.count().label("months"),
            sa.func.sum(monthly.c.net).label("net"),
        )
        .group_by(monthly.c.project_id, monthly.c.county_code, monthly.c.person, sa.extract("year", monthly.c.month))
        .having(sa.func.sum(monthly.c.net) > limit)
    )
    return query


RULES = (
    Rule(
        "R05",
        _l("Underpaid against contract"),
        "条例 Art. 3; LCPtracker penalty report",
        _l("By the shortfall against the contract: yellow under 15 per cent, orange 15 to 25, red over 25."),
        _l("Ask the employer to explain the difference and pay the shortfall to the worker."),
        underpaid,
    ),
    Rule(
        "R06",
        _l("Paid below minimum wage"),
        "劳动法 Art. 48; 最低工资规定 Art. 12",
        _l("Red: a full month's pay, overtime excluded, below the county's minimum wage."),
        _l("Order the employer to pay at least the minimum wage and the difference for the month."),
        below_minimum_wage,
    ),
    Rule(
        "R09",
        _l("Outsized individual pay"),
        "provincial warning rules",
        _l("Red: one person receives more than 50,000 yuan in a month or 300,000 yuan in a year."),
        _l("Check whether the money was passed on to a crew boss and confirm each worker's own pay with them."),
        outsized_pay,
    ),
)
