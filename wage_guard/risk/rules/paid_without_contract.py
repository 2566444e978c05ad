"""R01's payroll half: someone paid on a project's current wage sheet for a month in which no signed contract
covers a single day, and who was not on the project's roster that month.

Why a half of its own: risk-rules.md defines R01 as a worker on the roster, *or in the payroll*, on a date no
signed contract covers. The roster half (``roster.no_contract``) names each uncovered stretch of roster time
day by day; people on a sheet but not on the roster that month have no roster days, so this half names their
months. A sheet line carries no dates, so the month is the unit: a contract covering any day of it counts
(which days were worked is not known). Someone the platform does not know at all has no contract on it, so
their line is a violation too (R07 names the same line for the roster). Set-based: one statement over the
current lines of the scope with two anti-joins, run on the shared pass's candidates (lines whose stored bounds
say no contract covers the month); only the lines it returns reach Python.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wage_guard.enrollment.models import Enrollment
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.risk import line_pass
from wage_guard.risk.models import ContractFact, Severity
from wage_guard.risk.rule import Result, Scope, unless_unreadable
from wage_guard.risk.rules.payroll_lines import (
    SIGNED_VALUES,
    current_months,
    line_evidence,
    month_end,
    period,
    person_month,
    subject,
)


def paid_without_contract(scope: Scope) -> list[Result]:
    """R01 for sheet lines: months paid without any day of a signed contract and without a roster entry."""
    months = current_months(scope)
    if not months:
        return []
    line, sheet = PayrollLine, PayrollImport
    last_day = sa.case({m: sa.literal(month_end(m), sa.Date) for m in months}, value=sheet.month)
    entry, fact, unreadable = Enrollment, aliased(ContractFact), aliased(ContractFact)
    on_roster = sa.exists().where(
        entry.project_id == sheet.project_id,
        entry.worker_id == line.worker_id,
        entry.entry_date <= last_day,
        sa.or_(entry.exit_date.is_(None), entry.exit_date >= sheet.month),
    )
    covered = sa.exists().where(
        fact.project_id == sheet.project_id,
        fact.worker_id == line.worker_id,
        fact.readable.is_(True),
        fact.status.in_(SIGNED_VALUES),
        fact.cover_from <= last_day,
        sa.or_(fact.cover_to.is_(None), fact.cover_to >= sheet.month),
    )
    has_unreadable = sa.exists().where(
        unreadable.project_id == sheet.project_id, unreadable.worker_id == line.worker_id, unreadable.readable.is_(False)
    )
    query = person_month(scope, ~on_roster, ~covered, _old_enough(scope))
    return [_result(row) for row in line_pass.rows(scope, query.add_columns(has_unreadable.label("unreadable")), "R01")]


def _old_enough(scope: Scope) -> sa.ColumnElement[bool]:
    return PayrollImport.month <= scope.today - timedelta(days=scope.settings.risk_r01_grace_days)


@line_pass.narrowing("R01")
def _candidates(scope: Scope) -> sa.ColumnElement[bool]:
    """Lines whose month no signed contract covers, as their stored bounds say (or not yet computed)."""
    line = PayrollLine
    return sa.and_(sa.or_(line.bounds_stale.is_(True), line.covered.is_not(True)), _old_enough(scope))


def _result(row: Any) -> Result:
    evidence: dict[str, Any] = {
        **line_evidence(row),
        "known_person": row.worker_id is not None,
        "expected": "signed_contract_covering_the_month",
        "actual": "no_signed_contract_and_not_on_roster",
    }
    outcome, severity = unless_unreadable(Severity.RED, bool(row.unreadable), evidence)
    key = subject(row.project_id, row.worker_id, row.person)
    return Result(key, period(row.month), row.project_id, row.county_code, row.worker_id, outcome, severity, evidence)
