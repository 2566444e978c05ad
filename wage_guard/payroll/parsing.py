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

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from wage_guard.i18n import _
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
#: What offices write in a cell that has nothing to say.
EMPTY_MARKS = frozenset({"", "-", "—", "--", "/", "无"})
REQUIRED_VALUES = frozenset(REQUIRED)
DAY_UNITS = ("天", "日", "days", "d")
HOUR_UNITS = ("小时", "h", "hours")
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


@dataclass
class ParsedSheet:
    lines: list[ParsedLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


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
    reader = _RowReader(columns, written, month=month, today=today)
    seen: dict[str, int] = {}
    for number, cells in rows[header_index + 1 :]:
        if _is_footer(cells, columns):
            continue
        line = reader.read(number, cells, result.problems)
        if line is None:
            continue
        if line.id_number in seen:
            reason = _("This person is already listed in row %(row)d.", row=seen[line.id_number])
            result.problems.append(Problem(number, written["id_number"], line.id_number, reason))
            continue
        seen[line.id_number] = number
        result.lines.append(line)
    if result.ok and not result.lines:
        result.problems.append(Problem(None, "", "", _("The sheet has a header but no wage lines.")))
    if not result.ok:
        result.lines = []
    return result


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
    id_cell = _cell(cells, columns["id_number"])
    if values.text(id_cell):
        return False
    leading = [values.text(c) for c in cells[: columns["name"] + 1]]
    return any(_FOOTER.match(t.replace(" ", "")) for t in leading if t)


def _cell(cells: Sequence[Cell], position: int | None) -> Cell:
    return cells[position] if position is not None and position < len(cells) else None


class _RowReader:
    """Reads one row into a line, adding a :class:`Problem` for each bad cell (all of them, not the first).

    The column positions and parsers are resolved once per sheet, not per row: a 50,000-row sheet has 600,000
    cells, and per-cell overhead is what an import's time is made of.
    """

    def __init__(self, columns: dict[str, int], written: dict[str, str], *, month: date, today: date) -> None:
        self.columns, self.written, self.month, self.today = columns, written, month, today
        self.month_days = calendar.monthrange(month.year, month.month)[1]
        parsers: dict[str, Callable[[Cell], object]] = {
            "name": _name,
            "id_number": lambda c: values.id_number(c, today=today),
            "days_worked": lambda c: values.quantity(c, DAY_UNITS),
            "overtime_hours": lambda c: values.quantity(c, HOUR_UNITS),
            "gross": values.amount,
            "deductions": values.amount,
            "net": values.amount,
            "pay_date": values.day,
            "channel": values.channel,
            "payee_name": _name,
            "account_tail": values.account_tail,
            "month": self._month,
        }
        #: (field, column position or None, parser, required), in the order problems are reported.
        self.fields = [(key, columns.get(key), parse, key in REQUIRED_VALUES) for key, parse in parsers.items()]
        self.reason_column = columns.get("deduction_reason")

    def read(self, number: int, cells: Sequence[Cell], problems: list[Problem]) -> ParsedLine | None:
        before = len(problems)
        found: dict[str, Any] = {}
        size = len(cells)
        for key, position, parse, required in self.fields:
            cell = cells[position] if position is not None and position < size else None
            if cell is None or (cell.__class__ is str and cell.strip() in EMPTY_MARKS):  # type: ignore[union-attr]
                if required:
                    problems.append(self._problem(number, key, cell, _("This value is required.")))
                found[key] = None
                continue
            try:
                found[key] = parse(cell)
            except BadValue as exc:
                problems.append(self._problem(number, key, cell, str(exc)))
                found[key] = None
        del found["month"]
        if found["deductions"] is None:
            found["deductions"] = Decimal("0.00")
        reason_cell = cells[self.reason_column] if self.reason_column is not None and self.reason_column < size else None
        found["deduction_reason"] = values.text(reason_cell)[:200] or None
        problems.extend(self._cross_check(number, cells, found))
        if len(problems) > before:
            return None
        return ParsedLine(row_number=number, **found)

    def _cross_check(self, number: int, cells: Sequence[Cell], found: dict[str, Any]) -> list[Problem]:
        """Rules between cells: days in the month, pay date not before it, net = gross − deductions."""
        days, pay_date, gross, net, deductions = (found[k] for k in ("days_worked", "pay_date", "gross", "net", "deductions"))
        problems = []
        month = f"{self.month:%Y-%m}"
        if days is not None and days > self.month_days:
            reason = _("%(month)s has only %(n)d days.", month=month, n=self.month_days)
            problems.append(self._problem(number, "days_worked", _cell(cells, self.columns.get("days_worked")), reason))
        if pay_date is not None and pay_date < self.month:
            reason = _("This pay date is before the wage month %(month)s.", month=month)
            problems.append(self._problem(number, "pay_date", _cell(cells, self.columns.get("pay_date")), reason))
        if gross is not None and net is not None and net != gross - deductions:
            reason = _(
                "Net pay must be gross pay minus deductions: %(gross)s − %(deductions)s = %(expected)s.",
                gross=gross,
                deductions=deductions,
                expected=gross - deductions,
            )
            problems.append(self._problem(number, "net", _cell(cells, self.columns.get("net")), reason))
        return problems

    def _problem(self, number: int, key: str, cell: Cell, reason: str) -> Problem:
        column = self.written.get(key, CANONICAL.get(key, key))
        return Problem(number, column, values.text(cell), reason)

    def _month(self, cell: Cell) -> date:
        named = values.month_in_text(values.text(cell)) if not isinstance(cell, date) else cell.replace(day=1)
        if named is None:
            raise BadValue(_("This is not a month. Write it as 2026-10."))
        if named != self.month:
            raise BadValue(_("This import is for %(month)s.", month=f"{self.month:%Y-%m}"))
        return named


def _name(cell: Cell) -> str:
    raw = values.text(cell)
    name = _SPACES.sub("", values.to_ascii(raw)) if _CJK.search(raw) else raw
    if len(name) > 64:
        raise BadValue(_("A name has at most 64 characters."))
    return name
