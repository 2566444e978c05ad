"""Real-shaped wage sheets for tests: XLSX written with openpyxl (a title row, Excel serial dates, number cells),
CSV in the encodings Chinese Excel and WPS save (UTF-8 with BOM, GBK), and hostile files (a zip bomb, a
non-zip .xlsx). Shared by the payroll, bank-result and confirmation tests.

Use :func:`wage_line` for a row as an office writes it, :func:`sheet` for the header plus rows, then :func:`xlsx`
or :func:`csv_bytes` for the file's bytes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from tests.factories import id_number
from wage_guard.payroll import values

#: The header as most Chinese wage sheets write it (序号 and 签字 are ignored by the import).
HEADER = (
    "序号",
    "姓名",
    "身份证号码",
    "出勤天数",
    "加班小时",
    "应发工资",
    "扣款",
    "扣款原因",
    "实发工资",
    "发放日期",
    "发放方式",
    "收款账户名",
    "银行卡号后四位",
    "签字",
)
ENGLISH_HEADER = (
    "no",
    "name",
    "id_number",
    "days_worked",
    "overtime_hours",
    "gross",
    "deductions",
    "deduction_reason",
    "net",
    "pay_date",
    "channel",
    "payee_name",
    "account_tail",
    "signature",
)
#: People for sheets: name -> first 17 digits of the ID number (the check character is computed).
PEOPLE = {
    "张三": "37032219850315123",
    "李四": "37032219900101002",
    "王五": "37032119780606005",
    "赵六": "37032119800101123",
    "钱七": "37032119900202003",
}
Cell = Any


def excel_serial(day: date) -> int:
    """The day as Excel stores a date (days since 1899-12-30)."""
    return (day - date(1899, 12, 30)).days


def wage_line(
    name: str,
    *,
    number: int = 1,
    id_no: str | None = None,
    days: Cell = 22,
    overtime: Cell = 8,
    gross: Cell = "5000.00",
    deductions: Cell = "200.00",
    reason: str | None = "伙食费",
    net: Cell | None = None,
    pay_date: Cell = "2026-11-15",
    channel: str = "银行代发",
    payee: str | None = None,
    tail: Cell = "6789",
) -> list[Cell]:
    """One row in :data:`HEADER` order; ``net`` defaults to gross − deductions (when both are plain numbers)."""
    if net is None:
        net = f"{_plain(gross) - _plain(deductions):.2f}"
    return [
        number,
        name,
        id_no if id_no is not None else id_number(PEOPLE[name]),
        days,
        overtime,
        gross,
        deductions,
        reason,
        net,
        pay_date,
        channel,
        payee if payee is not None else name,
        tail,
        None,
    ]


def sheet(
    lines: Sequence[Sequence[Cell]], *, title: str | None = "桓台县项目B2026年10月农民工工资表", header: Sequence[str] = HEADER
) -> list[list[Cell]]:
    """A title row (optional), the header and the rows, plus a 合计 row and a 制表人 line as offices add them."""
    rows: list[list[Cell]] = [[title]] if title else []
    rows.append(list(header))
    rows += [list(line) for line in lines]
    rows.append(["合计", None, None, None, None, None, None, None, None, None, None, None, None, None])
    rows.append(["制表人：赵会计", None, None, None, None, None, "审核人：王经理"])
    return rows


def xlsx(rows: Sequence[Sequence[Cell]], *, text_columns: Sequence[int] = (2,)) -> bytes:
    """An .xlsx of ``rows`` (first sheet); ``text_columns`` (0-based) are formatted as text, as an office formats
    the ID column. Dates, numbers and text are stored as given."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = "工资表"
    for row in rows:
        worksheet.append([_xlsx_value(v) for v in row])
    for column in text_columns:
        for cells in worksheet.iter_cols(min_col=column + 1, max_col=column + 1):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value: Cell) -> Decimal:
    try:
        return values.amount(value)
    except values.BadValue:
        return Decimal(0)


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_bytes(rows: Sequence[Sequence[Cell]], *, encoding: str = "utf-8-sig") -> bytes:
    """A CSV as Excel saves it: ``utf-8-sig`` ("CSV UTF-8", with BOM), ``utf-8`` or ``gbk`` ("CSV", ANSI)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in row])
    return buffer.getvalue().encode(encoding)


def _csv_text(value: Cell) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def zip_bomb(*, inflated_bytes: int = 300 * 1024 * 1024) -> bytes:
    """A tiny .xlsx-shaped zip whose sheet inflates to ``inflated_bytes`` (written without holding it in memory)."""
    buffer = io.BytesIO()
    chunk = b"<row>" + b" " * (1024 * 1024 - 11) + b"</row>"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def not_a_zip() -> bytes:
    """What a mislabelled .xlsx often is: a CSV (or an HTML page) renamed."""
    return "姓名,身份证号\n张三,370322198503151234\n".encode()
