"""SQL the rules share that SQLite and PostgreSQL spell differently: whole days between two dates, a date plus
days, and the pay day and deadline of a wage month as SQL expressions; and the PostgreSQL planner setting the
cross-check runs with.

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


class month_start(FunctionElement[date]):  # noqa: N801 - a SQL function, named like one
    """``month_start(day)``: the first day of ``day``'s month."""

    type = sa.Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_sqlite(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class next_month(FunctionElement[date]):  # noqa: N801 - a SQL function, named like one
    """``next_month(first)``: the first day of the month after the month that ``first`` (a first day) starts."""

    type = sa.Date()
    inherit_cache = True


@compiles(next_month)
def _next_month_sqlite(element: next_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+1 month')"


@compiles(next_month, "postgresql")
def _next_month_postgresql(element: next_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} + INTERVAL '1 month' AS DATE)"


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


def without_jit(session: Any) -> None:
    """PostgreSQL: no JIT compilation for the rest of the transaction (``SET LOCAL``; SQLite has none).

    Why: a cross-check is a few dozen statements of a fraction of a second to a few seconds each, and PostgreSQL
    JIT-compiles every one whose estimated cost crosses its threshold. The compilation cost more than it saved:
    570 ms of a 620 ms statement (R01's roster half at 100,000 workers), a fixed 2.5 s for a scan of twelve
    million lines (``benchmarks.province``).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL jit = off"))
