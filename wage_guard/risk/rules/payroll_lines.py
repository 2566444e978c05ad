"""What the payroll rules (R03-R06, R09) share: the current wage-sheet lines per person and month, pay due dates.

Why one place: every payroll rule must read only the current version of a project's month (``superseded_at`` is
null), read a person's month the same way (one line of the current sheet), and name the
subject the same way, so that the findings of different rules about one person and month line up on the pages
and a re-import (new line ids) updates findings instead of closing and reopening them. A person is the ID
number's blind index (present on every line, also for people the platform does not know); the subject uses the
worker id where one is matched and a prefix of the blind index otherwise (no ID number ever appears).

Date arithmetic is done in Python on the few rows the SQL returns (SQLite and PostgreSQL spell it differently);
each rule's SQL narrows the rows first so that the Python pass is over candidates, not the whole payroll.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from wage_guard.contracts.terms import add_months
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.risk.facts import SIGNED
from wage_guard.risk.models import ContractFact
from wage_guard.risk.rule import Scope

SIGNED_VALUES = [s.value for s in SIGNED]
#: How much of a digest of the blind index names an unmatched person in a subject (as ``payroll_people`` does).
PERSON_KEY_LENGTH = 16


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def due_date(month: date, pay_day: int) -> date:
    """The pay day for the wages of ``month``: that day of the next month, or its last day (31 in February)."""
    following = add_months(month.replace(day=1), 1)
    return following.replace(day=min(pay_day, month_end(following).day))


def period(month: date) -> str:
    return f"{month:%Y-%m}"


def subject(project_id: int, worker_id: int | None, person: str | None = None) -> str:
    """``project:<id>:worker:<id>``, or ``project:<id>:person:<index prefix>`` for someone not matched."""
    if worker_id is not None:
        return f"project:{project_id}:worker:{worker_id}"
    digest = hashlib.sha256((person or "").encode()).hexdigest()[:PERSON_KEY_LENGTH]
    return f"project:{project_id}:person:{digest}"


def is_current() -> sa.ColumnElement[bool]:
    return PayrollImport.superseded_at.is_(None)


def current_months(scope: Scope) -> list[date]:
    """The wage months of the current sheets in scope."""
    query = sa.select(PayrollImport.month).join(Project, Project.id == PayrollImport.project_id).where(is_current())
    return list(db.session.scalars(scope.where(query, Project.county_code, PayrollImport.project_id).distinct()))


def person_month(scope: Scope, *where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """One row per project, month and person over the current sheets in scope, filtered by ``where``.

    A sheet never lists a person twice (the import refuses it, and ``payroll_line`` is unique on the import and
    the ID number's blind index), so a person's month is one line of the current sheet and no grouping is needed:
    grouping twelve million lines by a 64-character key cost five times a plain scan of them
    (``benchmarks.province``). The columns keep the names of a person's month (``person``, ``lines``,
    ``first_row``, ``unpaid_lines`` …) that the rules and their evidence use.
    """
    line, sheet = PayrollLine, PayrollImport
    columns: list[Any] = [
        sheet.project_id,
        Project.county_code,
        Project.pay_day.label("project_pay_day"),
        sheet.month,
        sheet.id.label("import_id"),
        line.id_number_index.label("person"),
        line.worker_id,
        sa.literal(1).label("lines"),
        line.row_number.label("first_row"),
        line.gross,
        line.net,
        line.days_worked,
        sa.func.coalesce(line.overtime_hours, 0).label("overtime_hours"),
        line.pay_date,
        sa.case((line.pay_date.is_(None), 1), else_=0).label("unpaid_lines"),
    ]
    query = (
        sa.select(*columns)
        .select_from(line)
        .join(sheet, on_sheet(line, sheet))
        .join(Project, Project.id == sheet.project_id)
        .where(is_current(), *where)
    )
    return scope.where(query, Project.county_code, sheet.project_id)


def line_evidence(row: Any) -> dict[str, Any]:
    """The rows used: the sheet (import id), its month, the first row number and how many rows."""
    return {"payroll_import": row.import_id, "month": period(row.month), "row": row.first_row, "lines": row.lines}


def contracts_of(scope: Scope, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[ContractFact]]:
    """The signed, readable contract facts of the (project, worker) pairs, in one query per few hundred pairs."""
    found: dict[tuple[int, int], list[ContractFact]] = {}
    ordered = sorted(pairs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        query = sa.select(ContractFact).where(
            sa.tuple_(ContractFact.project_id, ContractFact.worker_id).in_(chunk),
            ContractFact.readable.is_(True),
            ContractFact.status.in_(SIGNED_VALUES),
            ContractFact.cover_from.is_not(None),
        )
        query = scope.where(query, ContractFact.county_code, ContractFact.project_id)
        for fact in db.session.scalars(query.order_by(ContractFact.cover_from)):
            found.setdefault((fact.project_id, fact.worker_id), []).append(fact)
    return found


def covered_days(fact: ContractFact, month: date) -> int:
    """How many days of ``month`` the signed contract covers (0 when it does not overlap)."""
    assert fact.cover_from is not None
    first = max(fact.cover_from, month)
    last = min(fact.cover_to or month_end(month), month_end(month))
    return max(0, (last - first).days + 1)


def contract_in(facts: list[ContractFact], month: date) -> ContractFact | None:
    """The contract whose terms apply to ``month``: of those covering part of it, the latest to start."""
    overlapping = [f for f in facts if covered_days(f, month) > 0]
    return overlapping[-1] if overlapping else None


def pay_day_of(fact: ContractFact | None, project_pay_day: int) -> int:
    """The contract's pay day, or the project's where the contract has none."""
    return fact.pay_day if fact is not None and fact.pay_day else project_pay_day


def deadline(month: date, pay_day: int, grace_days: int) -> date:
    """The last day the wages of ``month`` may be paid before a rule flags them."""
    return due_date(month, pay_day) + timedelta(days=grace_days)
