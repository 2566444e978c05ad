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


def _dialect_function(name: str, returns: sa.types.TypeEngine[Any], sqlite: str, postgresql: str) -> type[FunctionElement[Any]]:
    """A SQL function ``name(arguments…)`` written from a template per dialect (``{0}``, ``{1}``: the arguments)."""
    function: type[FunctionElement[Any]] = type(name, (FunctionElement,), {"type": returns, "inherit_cache": True})

    def compiler_for(template: str) -> Any:
        def compile_(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
            return template.format(*(compiler.process(argument, **kw) for argument in element.clauses))

        return compile_

    compiles(function)(compiler_for(sqlite))
    compiles(function, "postgresql")(compiler_for(postgresql))
    return function


#: ``days_between(earlier, later)``: whole days from the first date to the second (negative if before).
days_between = _dialect_function("days_between", sa.Integer(), "CAST(julianday({1}) - julianday({0}) AS INTEGER)", "({1} - {0})")
#: ``add_days(day, n)``: the date ``n`` days after ``day``.
add_days = _dialect_function("add_days", sa.Date(), "date({0}, '+' || ({1}) || ' days')", "({0} + ({1}))")
#: ``month_start(day)``: the first day of ``day``'s month.
month_start = _dialect_function("month_start", sa.Date(), "date({0}, 'start of month')", "CAST(date_trunc('month', {0}) AS DATE)")
#: ``next_month(first)``: the first day of the month after the month that ``first`` (a first day) starts.
next_month = _dialect_function("next_month", sa.Date(), "date({0}, '+1 month')", "CAST({0} + INTERVAL '1 month' AS DATE)")


def due_date(month_column: Any, months: list[date], pay_day: Any) -> sa.ColumnElement[date]:
    """The pay day of the wages of ``month_column`` (one of ``months``): ``pay_day`` of the following month, or
    its last day when shorter (as ``rules.payroll_lines.due_date``). Each month's following first day and length
    come as literals (a wage run covers a few dozen months); the pay day may be a column."""
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

    The same arithmetic as ``rules.payroll_lines.deadline``, in SQL (``due_date`` plus the grace days).
    """
    return days_between(due_date(month_column, months, pay_day), paid) - grace_days


def without_jit(session: Any) -> None:
    """PostgreSQL: no JIT compilation for the rest of the transaction (``SET LOCAL``; SQLite has none).

    Why: a cross-check is a few dozen statements of a fraction of a second to a few seconds each, and PostgreSQL
    JIT-compiles every one whose estimated cost crosses its threshold. The compilation cost more than it saved:
    570 ms of a 620 ms statement (R01's roster half at 100,000 workers), a fixed 2.5 s for a scan of twelve
    million lines (``benchmarks.province``).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL jit = off"))
