"""Reading imported payroll: the current version of a month, the history of versions, and month totals.

Why here: every total, page and rule reads only the current version of a month (``superseded_at`` is null), so a
re-imported month is never counted twice; keeping that condition in one place keeps it right everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet


@dataclass(frozen=True)
class MonthTotals:
    month: date
    version: int
    lines: int
    gross: Decimal
    deductions: Decimal
    net: Decimal


def current_import(project: Project, month: date) -> PayrollImport | None:
    """The current version of ``project``'s ``month`` (any day of it), or None if the month was never imported."""
    return db.session.scalar(
        sa.select(PayrollImport).where(
            PayrollImport.project_id == project.id,
            PayrollImport.month == month.replace(day=1),
            PayrollImport.superseded_at.is_(None),
        )
    )


def history(project: Project, month: date) -> list[PayrollImport]:
    """Every version of the month, newest first (the superseded ones included)."""
    return list(
        db.session.scalars(
            sa.select(PayrollImport)
            .where(PayrollImport.project_id == project.id, PayrollImport.month == month.replace(day=1))
            .order_by(PayrollImport.version.desc())
        )
    )


def month_totals(project: Project) -> list[MonthTotals]:
    """Each imported month of the project with the totals of its current version only, newest month first."""
    rows = db.session.scalars(
        sa.select(PayrollImport)
        .where(PayrollImport.project_id == project.id, PayrollImport.superseded_at.is_(None))
        .order_by(PayrollImport.month.desc())
    )
    return [MonthTotals(r.month, r.version, r.line_count, r.total_gross, r.total_deductions, r.total_net) for r in rows]


def totals_for(project: Project, month: date) -> MonthTotals | None:
    """The month's totals (current version), or None if it was never imported."""
    current = current_import(project, month)
    if current is None:
        return None
    return MonthTotals(
        current.month, current.version, current.line_count, current.total_gross, current.total_deductions, current.total_net
    )


def off_roster_count(payroll_import: PayrollImport) -> int:
    """Lines of the import for people who are not on the project's roster."""
    query = sa.select(sa.func.count()).where(on_sheet(PayrollLine, payroll_import), PayrollLine.on_roster.is_(False))
    return db.session.scalar(query) or 0
