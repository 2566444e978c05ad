"""Keep the risk bounds on each current payroll line (``PayrollLine.covered`` … ``answered``) up to date.

Why: each payroll rule used to join every current line to the person's contracts or confirmations on every run;
at a province's twelve million lines those joins cost ten times one scan of the lines (docs/performance.md,
"Province-scale risk cross-check"). What such a join says about a line changes only when the line is imported,
when the person's contract facts change, or when the line's confirmation changes. So it is computed then, once,
and stored on the line, and the nightly shared pass (``risk.line_pass``) is a single scan with comparisons.

A change marks the lines it touches stale (``risk.stale_lines``; new lines start stale)
and the next cross-check of their scope recomputes them in one set-based statement. Until then a stale line is
a candidate of every rule, so staleness costs speed, never a finding. The stored values are bounds, not
results: they only narrow which lines the rules look at, and each rule decides on its candidates with its own
exact statement.
"""

from __future__ import annotations

import sqlalchemy as sa

from wage_guard.confirmations.models import Kind, Status, WageConfirmation
from wage_guard.contracts.terms import PayForm
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.risk.models import ContractFact
from wage_guard.risk.rule import Scope
from wage_guard.risk.rules.payroll_lines import SIGNED_VALUES, month_end
from wage_guard.risk.sql import due_date, smaller

#: Pay forms with an expected amount (the rest, piece rates, make R05 inconclusive).
PRICED_FORMS = (PayForm.DAILY.value, PayForm.MONTHLY.value)


def refresh(scope: Scope) -> int:
    """Compute the bounds of the stale current lines in ``scope``; returns how many lines were computed."""
    line, sheet, fact = PayrollLine, PayrollImport, ContractFact
    stale_months = (
        sa.select(sheet.month)
        .join(Project, Project.id == sheet.project_id)
        .where(sheet.superseded_at.is_(None), sa.exists().where(line.import_id == sheet.id, line.bounds_stale.is_(True)))
    )
    months = list(db.session.scalars(scope.where(stale_months, Project.county_code, sheet.project_id).distinct()))
    if not months:
        return 0
    last_day = sa.case({m: sa.literal(month_end(m), sa.Date) for m in months}, value=sheet.month)
    in_force = sa.and_(fact.contract_id.is_not(None), sa.or_(fact.cover_to.is_(None), fact.cover_to >= sheet.month))
    covering = sa.and_(in_force, fact.cover_from <= last_day)
    promised = sa.case(
        (fact.pay_form == PayForm.DAILY.value, fact.pay_amount * line.days_worked),
        (fact.pay_form == PayForm.MONTHLY.value, fact.pay_amount),
        else_=None,
    )
    lowest_pay_day = smaller(Project.pay_day, sa.func.coalesce(sa.func.min(fact.pay_day), Project.pay_day))
    grouped = (
        sa.select(
            line.id.label("line_id"),
            sa.func.max(sa.case((covering, 1), else_=0)).label("covered"),
            due_date(sheet.month, months, lowest_pay_day).label("earliest_due"),
            sa.func.max(sa.case((in_force, promised), else_=None)).label("promised"),
            sa.func.max(sa.case((sa.and_(in_force, fact.pay_form.not_in(PRICED_FORMS)), 1), else_=0)).label("piece"),
        )
        .select_from(line)
        .join(sheet, sheet.id == line.import_id)
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
        .where(line.bounds_stale.is_(True), sheet.superseded_at.is_(None))
        .group_by(line.id, sheet.month, Project.pay_day)
    )
    derived = scope.where(grouped, Project.county_code, sheet.project_id).subquery("bounds")
    live = sa.and_(
        WageConfirmation.line_id == line.id, WageConfirmation.kind == Kind.MONTHLY, WageConfirmation.status != Status.SUPERSEDED
    )
    answered = sa.and_(
        sa.exists().where(live),
        ~sa.exists().where(live, WageConfirmation.status.in_((Status.PENDING, Status.HELD))),
    )
    statement = (
        sa.update(line)
        .where(line.id == derived.c.line_id)
        .values(
            bounds_stale=False,
            covered=derived.c.covered == 1,
            earliest_due=derived.c.earliest_due,
            promised_max=derived.c.promised,
            piece_rate=derived.c.piece == 1,
            answered=answered,
        )
        .execution_options(synchronize_session=False)
    )
    return int(db.session.execute(statement).rowcount)  # type: ignore[attr-defined]
