"""The wage sheet's data rows read column by column: one parser per column over every row, then the rules
between cells, then duplicates, collecting every problem.

Why column by column rather than row by row: a 50,000-row sheet has 600,000 cells, and the per-cell overhead
(choosing a parser, a Python call, a ``try``) is what an import's time was made of. Most columns repeat a handful
of values (22 days, 银行代发, the pay date, the same amounts), so each column's parser runs once per distinct cell
and the rest are dictionary look-ups in C (``map``); the columns unique per person (names, ID number) skip the memo.
The problems are reported in the order a person reads the sheet: row by row, and within a row in column order.
"""

from __future__ import annotations

import calendar
import operator
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from wage_guard.i18n import _
from wage_guard.payroll import values
from wage_guard.payroll.values import BadValue, Cell

#: What offices write in a cell that has nothing to say.
EMPTY_MARKS = frozenset({"", "-", "—", "--", "/", "无"})
DAY_UNITS = ("天", "日", "days", "d")
HOUR_UNITS = ("小时", "h", "hours")
#: Fields different on every line: a memo would cost more than it saves.
UNIQUE_FIELDS = frozenset({"name", "id_number", "payee_name"})
ZERO = Decimal("0.00")
#: Where problems between cells and duplicate rows sort within a row (after the cells' own problems).
_CROSS_ORDER, _DUPLICATE_ORDER = 100, 200


class _Empty:
    """Marks a cell with nothing in it (None, blank, or one of :data:`EMPTY_MARKS`)."""


class _Refused:
    """A memoised refusal: the reason shown for that cell."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_EMPTY = _Empty()
_UNSEEN = object()
Parser = Callable[[Cell], Any]
#: (row index among the data rows, order within the row, field, reason, value shown or None for the cell's text).
Found = tuple[int, int, str, str, str | None]


def parsers(month: date, today: date, name: Parser) -> dict[str, Parser]:
    """Each field's parser, in the order problems are reported within a row."""

    def in_month(cell: Cell) -> date:
        named = values.month_in_text(values.text(cell)) if not isinstance(cell, date) else cell.replace(day=1)
        if named is None:
            raise BadValue(_("This is not a month. Write it as 2026-10."))
        if named != month:
            raise BadValue(_("This import is for %(month)s.", month=f"{month:%Y-%m}"))
        return named

    return {
        "name": name,
        "id_number": lambda cell: values.id_number(cell, today=today),
        "days_worked": lambda cell: values.quantity(cell, DAY_UNITS),
        "overtime_hours": lambda cell: values.quantity(cell, HOUR_UNITS),
        "gross": values.amount,
        "deductions": values.amount,
        "net": values.amount,
        "pay_date": values.day,
        "channel": values.channel,
        "payee_name": name,
        "account_tail": values.account_tail,
        "month": in_month,
    }


def column(rows: Sequence[Sequence[Cell]], position: int | None, shortest: int) -> list[Cell]:
    """The cells at ``position`` of every row (None where a row is shorter or the column is absent);
    ``shortest`` is the length of the shortest row."""
    if position is None:
        return [None] * len(rows)
    if position < shortest:
        return list(map(operator.itemgetter(position), rows))
    return [cells[position] if len(cells) > position else None for cells in rows]


def parse_column(
    cells: list[Cell], parse: Parser, memo: dict[tuple[type, Cell], Any] | None
) -> tuple[list[Any], dict[int, str], list[int]]:
    """``parse`` over a column, once per distinct cell (``memo``; None for a column of unique values):
    (values with None for empty or refused cells, refusals by row index, the indexes of empty cells).

    The cells are keyed by (type, value) so that ``1`` and ``True`` or ``22`` and ``22.0`` stay apart."""
    if memo is None:
        parsed = [_parse_cell(cell, parse) for cell in cells]
    else:
        keys = list(zip(map(type, cells), cells, strict=True))
        for key in set(keys).difference(memo):
            memo[key] = _parse_cell(key[1], parse)
        parsed = list(map(memo.__getitem__, keys))
    refused: dict[int, str] = {}
    empty: list[int] = []
    if not {_Empty, _Refused}.isdisjoint(map(type, parsed)):  # only a sheet with gaps or mistakes pays for this loop
        for index, result in enumerate(parsed):
            if result is _EMPTY:
                empty.append(index)
                parsed[index] = None
            elif result.__class__ is _Refused:
                refused[index] = result.reason
                parsed[index] = None
    return parsed, refused, empty


def _parse_cell(cell: Cell, parse: Parser) -> Any:
    if cell is None or (cell.__class__ is str and cell.strip() in EMPTY_MARKS):  # type: ignore[union-attr]
        return _EMPTY
    try:
        return parse(cell)
    except BadValue as exc:
        return _Refused(str(exc))


def reasons(cells: list[Cell]) -> list[str | None]:
    """The 扣款原因 column as stored: trimmed text of at most 200 characters, None when blank."""
    memo: dict[tuple[type, Cell], str | None] = {}
    found = []
    for cell in cells:
        key = (cell.__class__, cell)
        if key not in memo:
            memo[key] = values.text(cell)[:200] or None
        found.append(memo[key])
    return found


def cross_check(parsed: dict[str, list[Any]], month: date) -> list[Found]:
    """Rules between cells: days in the month, pay date not before it, net = gross − deductions."""
    month_days = calendar.monthrange(month.year, month.month)[1]
    written = f"{month:%Y-%m}"
    found: list[Found] = []
    rows = zip(parsed["days_worked"], parsed["pay_date"], parsed["gross"], parsed["deductions"], parsed["net"], strict=True)
    for index, (days, pay_date, gross, deductions, net) in enumerate(rows):
        if days is not None and days > month_days:
            reason = _("%(month)s has only %(n)d days.", month=written, n=month_days)
            found.append((index, _CROSS_ORDER, "days_worked", reason, None))
        if pay_date is not None and pay_date < month:
            reason = _("This pay date is before the wage month %(month)s.", month=written)
            found.append((index, _CROSS_ORDER + 1, "pay_date", reason, None))
        if gross is not None and net is not None and net != gross - deductions:
            reason = _(
                "Net pay must be gross pay minus deductions: %(gross)s − %(deductions)s = %(expected)s.",
                gross=gross,
                deductions=deductions,
                expected=gross - deductions,
            )
            found.append((index, _CROSS_ORDER + 2, "net", reason, None))
    return found


def duplicates(ids: list[str | None], row_numbers: list[int], failed: set[int]) -> list[Found]:
    """A person listed twice: every later row of the same ID number (rows that failed already are left out)."""
    first: dict[str, int] = {}
    found: list[Found] = []
    for index, id_number in enumerate(ids):
        if id_number is None or index in failed:
            continue
        if id_number in first:
            reason = _("This person is already listed in row %(row)d.", row=row_numbers[first[id_number]])
            found.append((index, _DUPLICATE_ORDER, "id_number", reason, id_number))
        else:
            first[id_number] = index
    return found
