"""Keep the risk bounds on each current payroll line (``PayrollLine.covered`` … ``answered``) up to date.

Why: each payroll rule used to join every current line to the person's contracts or confirmations on every run;
at a province's twelve million lines those joins cost ten times one scan of the lines (docs/performance.md,
"Province-scale risk cross-check"). What such a join says about a line changes only when the line is imported,
when the person's contract facts change, or when the line's confirmation changes. So it is computed then, once,
and stored on the line, and the nightly shared pass (``risk.line_pass``) is a single scan with comparisons.

A change marks the lines it touches stale (``risk.stale_lines``; new lines start stale) and the next
cross-check of their scope recomputes them in one set-based statement. Until then a stale line is a candidate
of every rule, so staleness costs speed, never a finding. Contract facts carry one such bound for R03
(``ContractFact.unlined_from``), marked stale when the fact is written or the project's sheets change (an
import). The stored values are bounds, not results: they only narrow which lines or contracts the rules look
at, and each rule decides on its candidates with its own exact statement.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wage_guard.confirmations.models import Kind, Status, WageConfirmation
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.risk.models import ContractFact
from wage_guard.risk.rule import Scope
from wage_guard.risk.rules.payroll_amounts import PRICED_FORMS, promised_upper
from wage_guard.risk.rules.payroll_lines import SIGNED_VALUES, month_end
from wage_guard.risk.sql import due_date, month_start, next_month, smaller


def refresh(scope: Scope) -> int:
    """Compute the bounds of the stale current lines and contract facts in ``scope``; returns how many lines were
    computed."""
    computed = _refresh_lines(scope)
    _refresh_facts(scope)
    return computed


def _refresh_lines(scope: Scope) -> int:
    """One statement per month with stale lines: on PostgreSQL each reads and writes that month's partition only
    (the run after an import touches the imported month's), and its hash of lines stays a month's size."""
    line, sheet = PayrollLine, PayrollImport
    stale_months = (
        sa.select(sheet.month)
        .join(Project, Project.id == sheet.project_id)
        .where(sheet.superseded_at.is_(None), sa.exists().where(on_sheet(line, sheet), line.bounds_stale.is_(True)))
    )
    months = sorted(db.session.scalars(scope.where(stale_months, Project.county_code, sheet.project_id).distinct()))
    return sum(_refresh_month(scope, month) for month in months)


def _refresh_month(scope: Scope, month: date) -> int:
    line = PayrollLine
    derived = _line_bounds(scope, month)
    statement = (
        sa.update(line)
        .where(line.month == month, line.id == derived.c.line_id)
        .values(
            bounds_stale=False,
            covered=derived.c.covered == 1,
            earliest_due=derived.c.earliest_due,
            promised_max=derived.c.promised,
            piece_rate=derived.c.piece == 1,
            answered=_answered(),
        )
        .execution_options(synchronize_session=False)
    )
    return int(db.session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _line_bounds(scope: Scope, month: date) -> sa.Subquery:
    """Per stale current line of ``month`` in ``scope``, its bounds from the person's signed contract facts."""
    line, sheet, fact = PayrollLine, PayrollImport, ContractFact
    last_day = sa.literal(month_end(month), sa.Date)
    in_force = sa.and_(fact.contract_id.is_not(None), sa.or_(fact.cover_to.is_(None), fact.cover_to >= sheet.month))
    covering = sa.and_(in_force, fact.cover_from <= last_day)
    promised = promised_upper(fact, line.days_worked)
    lowest_pay_day = smaller(Project.pay_day, sa.func.coalesce(sa.func.min(fact.pay_day), Project.pay_day))
    grouped = (
        sa.select(
            line.id.label("line_id"),
            sa.func.max(sa.case((covering, 1), else_=0)).label("covered"),
            due_date(sheet.month, [month], lowest_pay_day).label("earliest_due"),
            sa.func.max(sa.case((in_force, promised), else_=None)).label("promised"),
            sa.func.max(sa.case((sa.and_(in_force, fact.pay_form.not_in(PRICED_FORMS)), 1), else_=0)).label("piece"),
        )
        .select_from(line)
        .join(sheet, on_sheet(line, sheet))
        .join(Project, Project.id == sheet.project_id)
        .outerjoin(
            fact,
            sa.and_(
                fact.project_id == sheet.project_id,
                fact.worker_id == line.worker_id,
                fact.readable.is_(True),
                fact.status.in_(SIGNED_VALUES),
            ),
        )
        .where(line.month == month, sheet.month == month, line.bounds_stale.is_(True), sheet.superseded_at.is_(None))
        .group_by(line.id, sheet.month, Project.pay_day)
    )
    return scope.where(grouped, Project.county_code, sheet.project_id).subquery("bounds")


def _answered() -> sa.ColumnElement[bool]:
    """The line (of the UPDATE) has a live monthly confirmation, and every live one is answered."""
    c = WageConfirmation
    live = sa.and_(c.line_id == PayrollLine.id, c.kind == Kind.MONTHLY, c.status != Status.SUPERSEDED)
    return sa.and_(sa.exists().where(live), ~sa.exists().where(live, c.status.in_((Status.PENDING, Status.HELD))))


def _refresh_facts(scope: Scope) -> None:
    """R03's bound: each stale signed fact's first covered month without a line for the worker on the project.

    That month is the contract's first month, or the month after one of the worker's lines, whichever is the
    first not to have a line itself and to lie within the contract; computed for every stale fact at once.
    """
    fact, sheet, line, other = ContractFact, PayrollImport, PayrollLine, aliased(ContractFact)
    stale = scope.where(sa.select(fact.contract_id).where(fact.lines_stale.is_(True)), fact.county_code, fact.project_id)
    if db.session.scalar(stale.limit(1)) is None:  # a run that changes nothing writes nothing
        return
    signed = sa.and_(
        fact.contract_id.in_(stale), fact.readable.is_(True), fact.status.in_(SIGNED_VALUES), fact.cover_from.is_not(None)
    )
    first = month_start(fact.cover_from)
    firsts = sa.select(fact.contract_id.label("contract_id"), first.label("month")).where(signed)
    after_lines = (
        sa.select(fact.contract_id.label("contract_id"), next_month(sheet.month).label("month"))
        .select_from(fact)
        .join(sheet, sa.and_(sheet.project_id == fact.project_id, sheet.superseded_at.is_(None), sheet.month >= first))
        .join(line, sa.and_(on_sheet(line, sheet), line.worker_id == fact.worker_id))
        .where(signed)
    )
    candidate = sa.union_all(firsts, after_lines).subquery("candidate")
    lined = sa.exists().where(
        on_sheet(line, sheet),
        line.worker_id == other.worker_id,
        sheet.project_id == other.project_id,
        sheet.month == candidate.c.month,
        sheet.superseded_at.is_(None),
    )
    first_gap = (
        sa.select(candidate.c.contract_id, sa.func.min(candidate.c.month).label("unlined_from"))
        .join(other, other.contract_id == candidate.c.contract_id)
        .where(sa.or_(other.cover_to.is_(None), candidate.c.month <= other.cover_to), ~lined)
        .group_by(candidate.c.contract_id)
        .subquery("first_gap")
    )
    # Three plain statements: joining the gaps to every stale fact in one (an outer join, for the facts without
    # a gap) made PostgreSQL recompute them once per fact, 0.3 s for one project's fifty contracts.
    _update(fact, fact.contract_id.in_(stale), unlined_from=None)
    _update(fact, fact.contract_id == first_gap.c.contract_id, unlined_from=first_gap.c.unlined_from)
    _update(fact, fact.contract_id.in_(stale), lines_stale=False)


def _update(table: Any, where: sa.ColumnElement[bool], **values: Any) -> None:
    db.session.execute(sa.update(table).where(where).values(**values).execution_options(synchronize_session=False))
