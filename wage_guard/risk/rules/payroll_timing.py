"""R03 Payroll missing and R04 Paid late: when the wages of a month were due against what the sheets show.

The wages of month M are due on the contract's pay day in M+1 (the project's pay day where the contract has
none; the month's last day when it is shorter, e.g. 28 February for a pay day of 31), and a rule flags them only
after the grace days of the settings. R03 looks at each month a signed contract covers, even a single day of it
(a contract starting or ending mid-month): no line for the worker on the project's current sheet of M once the
deadline has passed is orange, and red a further month later. A month in which the project had effective
contracts and no sheet at all is the same finding at project level, due by the latest of those contracts' pay
days (the project is late only once every worker's wages are). R04 measures each person's month on the
current sheet: paid after the deadline is late by the days since the pay day (yellow, orange from 30 days, red
beyond 60); a line without a pay date after the deadline is inconclusive (paid or not, the sheet does not say).

Each rule is two or three statements over the county: the months are a small literal table joined to the
contract facts (for R03's workers only those whose stored first month without a line is due, see
``risk.line_bounds``), and the lines are grouped per person and month with a pre-filter on the earliest possible
deadline, so that only candidates come back for the exact date check.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.contracts.terms import PayForm, add_months
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.risk import line_pass
from wage_guard.risk.models import ContractFact, Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope, iso, money, tier
from wage_guard.risk.rules.payroll_amounts import FEN
from wage_guard.risk.rules.payroll_lines import (
    SIGNED_VALUES,
    contract_in,
    contracts_of,
    current_months,
    deadline,
    due_date,
    is_current,
    line_evidence,
    month_end,
    pay_day_of,
    period,
    person_month,
    subject,
)
from wage_guard.risk.sql import days_between, days_past_deadline, smaller


def _due_months(scope: Scope) -> list[date]:
    """Every month from the earliest signed contract in scope whose earliest possible deadline has passed."""
    query = sa.select(sa.func.min(ContractFact.cover_from)).where(
        ContractFact.readable.is_(True), ContractFact.status.in_(SIGNED_VALUES)
    )
    first = db.session.scalar(scope.where(query, ContractFact.county_code, ContractFact.project_id))
    if first is None:
        return []
    months, month = [], first.replace(day=1)
    while deadline(month, 1, scope.settings.risk_r03_grace_days) < scope.today:
        months.append(month)
        month = add_months(month, 1)
    return months


def _months_table(months: list[date]) -> sa.Subquery:
    selects = [
        sa.select(sa.literal(m, sa.Date).label("month"), sa.literal(month_end(m), sa.Date).label("month_end")) for m in months
    ]
    return (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery("m")


def _overlaps(month: sa.Subquery) -> sa.ColumnElement[bool]:
    fact = ContractFact
    return sa.and_(
        fact.readable.is_(True),
        fact.status.in_(SIGNED_VALUES),
        fact.cover_from <= month.c.month_end,
        sa.or_(fact.cover_to.is_(None), fact.cover_to >= month.c.month),
    )


def _missing_severity(scope: Scope, month: date, pay_day: int) -> tuple[date, Severity] | None:
    """The deadline and severity of a month without payroll as of today, or None before the deadline."""
    grace = scope.settings.risk_r03_grace_days
    due = deadline(month, pay_day, grace)
    if scope.today <= due:
        return None
    escalated = add_months(due_date(month, pay_day), 1) + timedelta(days=grace)
    return due, Severity.RED if scope.today > escalated else Severity.ORANGE


def payroll_missing(scope: Scope) -> list[Result]:
    """R03: contract months without the worker's line, and project months without any sheet."""
    months = _due_months(scope)
    if not months:
        return []
    if not scope.shared_pass:
        return _missing_workers(scope, _months_table(months)) + _missing_projects(scope, _months_table(months))
    results = []
    for people in line_pass.chunked(_unlined_people(scope, months[-1])):
        results += _missing_workers(scope, _months_table(months), people)
    for projects in line_pass.chunked(_projects_without_a_sheet(scope, _months_table(months))):
        results += _missing_projects(scope, _months_table(months), projects)
    return results


def _projects_without_a_sheet(scope: Scope, month: sa.Subquery) -> list[int]:
    """Projects with a due month without a current sheet within the span of their signed contracts (from the
    first day any covers to the last): the candidates of ``_missing_projects``, found from one row per project
    instead of one per contract and month."""
    fact = ContractFact
    spans = sa.select(
        fact.project_id,
        sa.func.min(fact.cover_from).label("first"),
        sa.func.max(sa.func.coalesce(fact.cover_to, sa.literal(date.max, sa.Date))).label("last"),
    ).where(fact.readable.is_(True), fact.status.in_(SIGNED_VALUES), fact.cover_from.is_not(None))
    span = scope.where(spans, fact.county_code, fact.project_id).group_by(fact.project_id).subquery("span")
    has_sheet = sa.exists().where(
        PayrollImport.project_id == span.c.project_id, PayrollImport.month == month.c.month, is_current()
    )
    query = (
        sa.select(span.c.project_id)
        .join(month, sa.and_(span.c.first <= month.c.month_end, span.c.last >= month.c.month))
        .where(~has_sheet)
        .distinct()
    )
    return sorted(db.session.scalars(query))


def _unlined_people(scope: Scope, last_month: date) -> list[tuple[int, int]]:
    """The (project, worker) pairs with a signed contract whose first month without a line (its stored bound,
    ``ContractFact.unlined_from``) is due at the latest in ``last_month``, or not computed yet."""
    fact = ContractFact
    query = sa.select(fact.project_id, fact.worker_id).where(
        fact.readable.is_(True),
        fact.status.in_(SIGNED_VALUES),
        sa.or_(fact.lines_stale.is_(True), fact.unlined_from <= last_month),
    )
    query = scope.where(query, fact.county_code, fact.project_id).distinct()
    return sorted((row.project_id, row.worker_id) for row in db.session.execute(query))


def _missing_workers(scope: Scope, month: sa.Subquery, people: list[tuple[int, int]] | None = None) -> list[Result]:
    fact = ContractFact
    has_line = (
        sa.exists()
        .where(on_sheet(PayrollLine, PayrollImport), PayrollLine.worker_id == fact.worker_id)
        .where(PayrollImport.project_id == fact.project_id, PayrollImport.month == month.c.month, is_current())
    )
    query = (
        sa.select(fact, month.c.month, Project.pay_day.label("project_pay_day"))
        .join(month, _overlaps(month))
        .join(Project, Project.id == fact.project_id)
        .where(~has_line)
    )
    if people is not None:
        query = query.where(sa.tuple_(fact.project_id, fact.worker_id).in_(people))
    query = scope.where(query, fact.county_code, fact.project_id).order_by(fact.cover_from)
    results: dict[tuple[str, str], Result] = {}
    for row in db.session.execute(query):
        item: ContractFact = row.ContractFact
        flagged = _missing_severity(scope, row.month, pay_day_of(item, row.project_pay_day))
        if flagged is None:
            continue
        first = max(item.cover_from or row.month, row.month)
        last = min(item.cover_to or month_end(row.month), month_end(row.month))
        evidence = {
            "contract": item.contract_id,
            "month": period(row.month),
            "covered_from": iso(first),
            "covered_until": iso(last),
            "deadline": iso(flagged[0]),
            "days_overdue": (scope.today - flagged[0]).days,
            "expected": "payroll_line_for_the_month",
            "actual": "no_payroll_line",
        }
        if item.pay_form == PayForm.MONTHLY.value and item.pay_amount is not None:  # the month's pay, pro rata
            share = Decimal((last - first).days + 1) / month_end(row.month).day
            evidence["shortfall"] = money((item.pay_amount * share).quantize(FEN, ROUND_HALF_UP))
        key = subject(item.project_id, item.worker_id)
        results[(key, period(row.month))] = Result(
            key, period(row.month), item.project_id, item.county_code, item.worker_id, Outcome.VIOLATION, flagged[1], evidence
        )
    return list(results.values())


def _missing_projects(scope: Scope, month: sa.Subquery, projects: list[int] | None = None) -> list[Result]:
    fact = ContractFact
    has_sheet = sa.exists().where(PayrollImport.project_id == fact.project_id, PayrollImport.month == month.c.month, is_current())
    query = (
        sa.select(
            fact.project_id,
            fact.county_code,
            month.c.month,
            sa.func.max(sa.func.coalesce(fact.pay_day, Project.pay_day)).label("pay_day"),
            sa.func.count(sa.distinct(fact.worker_id)).label("workers"),
        )
        .join(month, _overlaps(month))
        .join(Project, Project.id == fact.project_id)
        .where(~has_sheet)
        .group_by(fact.project_id, fact.county_code, month.c.month)
    )
    if projects is not None:
        query = query.where(fact.project_id.in_(projects))
    results = []
    for row in db.session.execute(scope.where(query, fact.county_code, fact.project_id)):
        flagged = _missing_severity(scope, row.month, row.pay_day)
        if flagged is None:
            continue
        evidence = {
            "month": period(row.month),
            "workers_with_contracts": row.workers,
            "deadline": iso(flagged[0]),
            "days_overdue": (scope.today - flagged[0]).days,
            "expected": "payroll_sheet_for_the_month",
            "actual": "no_payroll_sheet",
        }
        key = f"project:{row.project_id}"
        results.append(
            Result(key, period(row.month), row.project_id, row.county_code, None, Outcome.VIOLATION, flagged[1], evidence)
        )
    return results


def paid_late(scope: Scope) -> list[Result]:
    """R04: each person's month paid after the pay day plus grace, by how many days; no pay date: inconclusive.

    SQL returns only the person-months paid after the earliest deadline any of the person's contracts or the
    project could set (the lowest of their pay days), or with a line without a pay date; Python then applies
    the contract that covers the month. A province's lines never travel to Python. With the shared pass, the
    pass names those lines from the pay day stored on each line, and Python checks them the same way.
    """
    months = current_months(scope)
    if not months:
        return []
    if scope.shared_pass:  # the candidates' own months; the Python check below is exact on its own
        return _late_results(scope, line_pass.rows(scope, person_month(scope), "R04"))
    fact = ContractFact
    contract_day = sa.select(fact.project_id, fact.worker_id, sa.func.min(fact.pay_day).label("pay_day")).where(
        fact.readable.is_(True), fact.status.in_(SIGNED_VALUES), fact.pay_day.is_not(None)
    )
    contract_day = scope.where(contract_day, fact.county_code, fact.project_id).group_by(fact.project_id, fact.worker_id)
    days = contract_day.subquery("contract_day")
    lowest_pay_day = smaller(Project.pay_day, sa.func.coalesce(days.c.pay_day, Project.pay_day))
    late = days_past_deadline(
        PayrollImport.month, months, lowest_pay_day, scope.settings.risk_r04_grace_days, PayrollLine.pay_date
    )
    query = person_month(scope, sa.or_(late > 0, PayrollLine.pay_date.is_(None))).outerjoin(
        days, sa.and_(days.c.project_id == PayrollImport.project_id, days.c.worker_id == PayrollLine.worker_id)
    )
    return _late_results(scope, list(db.session.execute(query)))


@line_pass.narrowing("R04")
def _candidates(scope: Scope) -> sa.ColumnElement[bool]:
    """Lines without a pay date, or paid after the earliest deadline the project's or any contract's pay day could
    set (the statement above, with that earliest pay day stored on the line)."""
    line = PayrollLine
    late = days_between(line.earliest_due, line.pay_date) > scope.settings.risk_r04_grace_days
    return sa.or_(line.bounds_stale.is_(True), line.pay_date.is_(None), late)


def _late_results(scope: Scope, rows: list[Any]) -> list[Result]:
    facts = contracts_of(scope, {(r.project_id, r.worker_id) for r in rows if r.worker_id is not None})
    results = []
    for row in rows:
        fact_of_month = contract_in(facts.get((row.project_id, row.worker_id), []), row.month)
        result = _late_result(scope, row, fact_of_month)
        if result is not None:
            results.append(result)
    return results


def _late_result(scope: Scope, row: Any, fact: ContractFact | None) -> Result | None:
    settings = scope.settings
    pay_day = pay_day_of(fact, row.project_pay_day)
    due, last = due_date(row.month, pay_day), deadline(row.month, pay_day, settings.risk_r04_grace_days)
    unpaid = row.unpaid_lines > 0
    paid_on = scope.today if unpaid else row.pay_date
    if paid_on <= last:
        return None
    days_late = (paid_on - due).days
    evidence = {
        **line_evidence(row),
        "contract": fact.contract_id if fact else None,
        "pay_day": pay_day,
        "expected": iso(due),
        "deadline": iso(last),
        "actual": None if unpaid else iso(row.pay_date),
        "days_late": days_late,
    }
    key = subject(row.project_id, row.worker_id, row.person)
    if unpaid:
        evidence["inconclusive_because"] = "pay_date_not_recorded"
        return Result(
            key, period(row.month), row.project_id, row.county_code, row.worker_id, Outcome.INCONCLUSIVE, None, evidence
        )
    severity = tier(days_late, settings.risk_r04_orange_days, settings.risk_r04_red_days)
    return Result(key, period(row.month), row.project_id, row.county_code, row.worker_id, Outcome.VIOLATION, severity, evidence)


RULES = (
    Rule(
        "R03",
        _l("Payroll missing"),
        "条例 Art. 12–13; PRISM payroll not reported",
        _l(
            "Orange: no payroll line for a month a signed contract covers, after the pay day and grace days; red a "
            "further month later. Also a project month with contracts and no wage sheet at all."
        ),
        _l("Ask the employer for the month's wage sheet and proof of payment; if the wages are unpaid, order payment."),
        payroll_missing,
    ),
    Rule(
        "R04",
        _l("Paid late"),
        "条例 Art. 12, 14",
        _l("By days after the pay day: yellow under 30, orange 30 to 60, red over 60."),
        _l("Remind the employer of the agreed pay day and check that the next month is paid on time."),
        paid_late,
    ),
)
