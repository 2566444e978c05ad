"""SQL the rules share that SQLite and PostgreSQL spell differently: whole days between two dates, a date plus
days, and the pay day and deadline of a wage month as SQL expressions.

Why: the rules must narrow rows in SQL, not in Python, or a province's twelve million payroll lines all travel
to Python (``benchmarks.province``). Date arithmetic is the one thing the two databases write differently
(PostgreSQL subtracts dates; SQLite stores ISO text and needs ``julianday``), so it is compiled per dialect
here and nowhere else.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from wage_guard.contracts.terms import add_months


class days_between(FunctionElement[int]):  # noqa: N801 - a SQL function, named like one
    """``days_between(earlier, later)``: whole days from the first date to the second (negative if before)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"({later} - {earlier})"


class add_days(FunctionElement[date]):  # noqa: N801 - a SQL function, named like one
    """``add_days(day, n)``: the date ``n`` days after ``day``."""

    type = sa.Date()
    inherit_cache = True


@compiles(add_days)
def _add_days_sqlite(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"date({day}, '+' || ({days}) || ' days')"


@compiles(add_days, "postgresql")
def _add_days_postgresql(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"({day} + ({days}))"


def due_date(month_column: Any, months: list[date], pay_day: Any) -> sa.ColumnElement[date]:
    """The pay day of the wages of ``month_column`` (one of ``months``): ``pay_day`` of the following month, or
    its last day when shorter (as ``rules.payroll_lines.due_date``)."""
    following = {m: add_months(m.replace(day=1), 1) for m in months}
    first = sa.case({m: sa.literal(f, sa.Date) for m, f in following.items()}, value=month_column)
    length = sa.case({m: calendar.monthrange(f.year, f.month)[1] for m, f in following.items()}, value=month_column)
    return add_days(first, smaller(pay_day, length) - 1)


def smaller(first: Any, second: Any) -> sa.ColumnElement[Any]:
    """The smaller of two values (``LEAST`` in PostgreSQL, two-argument ``min`` in SQLite): a CASE both read."""
    return sa.case((first <= second, first), else_=second)


def days_past_deadline(month_column: Any, months: list[date], pay_day: Any, grace_days: int, paid: Any) -> sa.ColumnElement[int]:
    """How many days ``paid`` is after the deadline of the wages of ``month_column`` (one of ``months``): the
    pay day of the following month (its last day when shorter) plus ``grace_days``; positive means late.

    The same arithmetic as ``rules.payroll_lines.deadline``, in SQL: each month's following first day and length
    come as literals (a wage run covers a few dozen months), the pay day may be a column.
    """
    following = {m: add_months(m.replace(day=1), 1) for m in months}
    first = sa.case({m: sa.literal(f, sa.Date) for m, f in following.items()}, value=month_column)
    length = sa.case({m: calendar.monthrange(f.year, f.month)[1] for m, f in following.items()}, value=month_column)
    return days_between(first, paid) - (smaller(pay_day, length) - 1 + grace_days)
