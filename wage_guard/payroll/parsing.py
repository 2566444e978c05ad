"""A wage sheet (工资表) as rows of cells → validated payroll lines, or every problem in it.

Pure (no Flask, no database): the import service reads the file (``sheets.reading``), calls :func:`parse_sheet`
and stores the lines only when the problem list is empty, so a foreman fixes the whole sheet in one go instead of
one error per upload. Each problem names the row as the spreadsheet shows it, the column header as written in the
file, the value and the reason, in the user's language.

Sheets as offices make them: one or two title rows above the header (``某项目2026年10月农民工工资表``), headers in
Chinese or English with common variants and units (``应发工资（元）``), a 序号 column, a 合计 row and a 制表人 line
at the bottom; those are recognised and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from wage_guard.i18n import _
from wage_guard.payroll import columns as by_column
from wage_guard.payroll import values
from wage_guard.payroll.values import BadValue, Cell

#: Rows looked at for the header (title rows come first).
HEADER_SEARCH_ROWS = 10
#: field -> accepted headers, compared after :func:`header_key` (lower case, no spaces, units, or brackets).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "工人姓名", "员工姓名", "农民工姓名", "name", "workername"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "idnumber", "id_number", "idno", "idcard"),
    "days_worked": ("出勤天数", "出勤", "出勤日数", "工日", "实际出勤天数", "days_worked", "daysworked", "days"),
    "overtime_hours": ("加班小时", "加班时长", "加班工时", "加班小时数", "加班", "overtime_hours", "overtimehours", "overtime"),
    "gross": ("应发工资", "应发金额", "应发合计", "应付工资", "应发", "gross", "grosspay", "gross_pay"),
    "deductions": ("扣款", "扣款金额", "代扣款", "扣除金额", "扣款合计", "deductions", "deduction"),
    "deduction_reason": ("扣款原因", "扣款事由", "扣款说明", "deduction_reason", "deductionreason"),
    "net": ("实发工资", "实发金额", "实发合计", "实发", "net", "netpay", "net_pay"),
    "pay_date": ("发放日期", "支付日期", "发薪日期", "发放时间", "pay_date", "paydate"),
    "channel": ("发放方式", "支付方式", "发薪方式", "channel", "paymentmethod", "payment_method"),
    "payee_name": ("收款账户名", "收款人", "收款人姓名", "账户名", "户名", "开户名", "payee_name", "payeename", "payee"),
    "account_tail": ("银行卡号后四位", "卡号后四位", "银行卡后四位", "账号后四位", "account_tail", "accounttail"),
    "month": ("工资月份", "所属月份", "发放月份", "月份", "month", "pay_month"),
}
REQUIRED = ("name", "id_number", "days_worked", "gross", "net")
#: The header shown for a required column that is missing (in the file's own language).
CANONICAL = {"name": "姓名", "id_number": "身份证号", "days_worked": "出勤天数", "gross": "应发工资", "net": "实发工资"}
REQUIRED_VALUES = frozenset(REQUIRED)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACES = re.compile(r"\s+")
_FIELD_OF = {alias.lower(): key for key, aliases in HEADERS.items() for alias in aliases}
_UNITS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]|[\s:：*]")
_FOOTER = re.compile(r"^(合计|总计|小计|共计|制表|审核|复核|负责人|项目负责人|劳资专管员|签字|备注|total)", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the row as the spreadsheet shows it (None: the whole file), the column as written."""

    row: int | None
    column: str
    value: str
    reason: str


@dataclass
class ParsedLine:
    row_number: int
    name: str
    id_number: str
    days_worked: Decimal
    overtime_hours: Decimal | None
    gross: Decimal
    deductions: Decimal
    deduction_reason: str | None
    net: Decimal
    pay_date: date | None
    channel: str | None
    payee_name: str | None
    account_tail: str | None


#: The fields of a line, in :class:`ParsedLine`'s order.
LINE_FIELDS = tuple(ParsedLine.__dataclass_fields__)


@dataclass
class ParsedSheet:
    """Every problem, or (when there is none) the lines as columns: field -> one value per line, in row order.

    Columns, not line objects: the import stores them column-wise (see ``payroll.columns``); :attr:`lines` builds
    the objects for the callers that want them.
    """

    columns: dict[str, list[Any]] = field(default_factory=lambda: {key: [] for key in LINE_FIELDS})
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        return len(self.columns["row_number"])

    @property
    def lines(self) -> list[ParsedLine]:
        return [ParsedLine(*line) for line in zip(*(self.columns[key] for key in LINE_FIELDS), strict=True)]


def header_key(cell: Cell) -> str:
    """A header as compared: ASCII, lower case, without spaces, units in brackets, colons or asterisks."""
    return _UNITS.sub("", values.to_ascii(values.text(cell))).lower()


def parse_sheet(rows: Sequence[tuple[int, Sequence[Cell]]], *, month: date, today: date) -> ParsedSheet:
    """Find the header, read every row, and collect every problem (nothing is dropped silently).

    ``rows`` are (row number as shown, cells), empty rows left out; ``month`` is the wage month's first day.
    """
    result = ParsedSheet()
    found = _find_header(rows)
    if found is None:
        expected = "、".join(CANONICAL.values())
        reason = _("No header row found. The first rows must name the columns, e.g. %(names)s.", names=expected)
        result.problems.append(Problem(None, "", "", reason))
        return result
    header_index, columns, written = found
    header_row = rows[header_index][0]
    for key in REQUIRED:
        if key not in columns:
            reason = _("This required column is missing.")
            result.problems.append(Problem(header_row, CANONICAL[key], "", reason))
    _check_title(rows[:header_index], month, result)
    if not result.ok:
        return result
    data = [(number, cells) for number, cells in rows[header_index + 1 :] if not _is_footer(cells, columns)]
    _read_columns(data, columns, written, result, month=month, today=today)
    if result.ok and not result.count:
        result.problems.append(Problem(None, "", "", _("The sheet has a header but no wage lines.")))
    return result


def _read_columns(
    data: list[tuple[int, Sequence[Cell]]],
    columns: dict[str, int],
    written: dict[str, str],
    result: ParsedSheet,
    *,
    month: date,
    today: date,
) -> None:
    """Parse ``data`` column by column (``payroll.columns``) into ``result``: its columns, or every problem."""
    numbers = [number for number, _cells in data]
    rows = [cells for _number, cells in data]
    shortest = min(map(len, rows), default=0)
    parsers = by_column.parsers(month, today, _name)
    raw = {key: by_column.column(rows, columns.get(key), shortest) for key in (*parsers, "deduction_reason")}
    parsed: dict[str, list[Any]] = {}
    found: list[by_column.Found] = []
    for order, (key, parse) in enumerate(parsers.items()):
        memo: dict[Any, Any] | None = None if key in by_column.UNIQUE_FIELDS else {}
        parsed[key], refused, empty = by_column.parse_column(raw[key], parse, memo)
        found.extend((index, order, key, reason, None) for index, reason in refused.items())
        if key in REQUIRED_VALUES:
            found.extend((index, order, key, _("This value is required."), None) for index in empty)
    parsed["deductions"] = [by_column.ZERO if value is None else value for value in parsed["deductions"]]
    found.extend(by_column.cross_check(parsed, month))
    found.extend(by_column.duplicates(parsed["id_number"], numbers, {index for index, *_rest in found}))
    if found:
        found.sort(key=lambda problem: (problem[0], problem[1]))
        for index, _order, key, reason, value in found:
            shown = values.text(raw[key][index]) if value is None else value
            result.problems.append(Problem(numbers[index], written.get(key, CANONICAL.get(key, key)), shown, reason))
        return
    del parsed["month"]
    result.columns = {"row_number": numbers, **parsed, "deduction_reason": by_column.reasons(raw["deduction_reason"])}


def _find_header(rows: Sequence[tuple[int, Sequence[Cell]]]) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """The first of the top rows that names at least three known columns: (its index, field -> column, field ->
    header as written)."""
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        written: dict[str, str] = {}
        for position, cell in enumerate(cells):
            key = _FIELD_OF.get(header_key(cell))
            if key is not None and key not in columns:
                columns[key] = position
                written[key] = values.text(cell)
        if len(columns) >= 3:
            return index, columns, written
    return None


def _check_title(title_rows: Sequence[tuple[int, Sequence[Cell]]], month: date, result: ParsedSheet) -> None:
    """A title such as ``2026年9月工资表`` above the header must name the month being imported."""
    for number, cells in title_rows:
        for cell in cells:
            named = values.month_in_text(values.text(cell)) if isinstance(cell, str) else None
            if named is not None and named != month:
                reason = _(
                    "The title names %(named)s, but this import is for %(month)s.", named=f"{named:%Y-%m}", month=f"{month:%Y-%m}"
                )
                result.problems.append(Problem(number, "", values.text(cell), reason))
                return


def _is_footer(cells: Sequence[Cell], columns: dict[str, int]) -> bool:
    """A 合计 (totals) row or a 制表人/审核 line: no ID number, and a footer word where the name or 序号 goes."""
    position = columns["id_number"]
    id_cell = cells[position] if position < len(cells) else None
    if id_cell is not None and (id_cell.__class__ is not str or id_cell.strip()):  # type: ignore[union-attr]
        return False
    leading = [values.text(c) for c in cells[: columns["name"] + 1]]
    return any(_FOOTER.match(t.replace(" ", "")) for t in leading if t)


def _name(cell: Cell) -> str:
    raw = cell.strip() if cell.__class__ is str else values.text(cell)  # type: ignore[union-attr]
    name = raw
    if _CJK.search(raw):  # a Chinese name loses its spaces ("张 三"); a Latin one keeps them
        name = values.to_ascii(raw)
        name = name if name.isalnum() else _SPACES.sub("", name)
    if len(name) > 64:
        raise BadValue(_("A name has at most 64 characters."))
    return name
