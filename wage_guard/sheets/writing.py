"""Writing XLSX workbooks and CSV files (the wage ledger and flag exports): the only module that imports openpyxl.

Why openpyxl in write-only mode: it streams rows to the file instead of building every cell in memory, so a
ledger of thousands of lines costs little, and it writes real numbers and dates (an inspector sums a column in
Excel or WPS without converting text). The domains hand over rows of plain values; nothing here knows payroll.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Value = str | int | float | Decimal | date | datetime | None
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel formats: money with two decimals and thousands separators, ISO dates.
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
#: Characters that make a spreadsheet read a text cell as a formula (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: ``preamble`` rows (a title block), then ``header`` (bold, frozen), ``rows`` and ``footer``."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Value]]
    preamble: Sequence[Sequence[Value]] = ()
    footer: Sequence[Sequence[Value]] = ()
    #: Column widths in characters (a CJK character counts about two).
    widths: Sequence[int] = field(default_factory=tuple)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Build an .xlsx with one worksheet per ``Sheet`` and return its bytes."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(title=sheet.title[:31]), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(worksheet: WriteOnlyWorksheet, sheet: Sheet) -> None:
    for index, width in enumerate(sheet.widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = f"A{len(sheet.preamble) + 2}"
    for row in sheet.preamble:
        worksheet.append([_cell(worksheet, value) for value in row])
    bold = Font(bold=True)
    header = []
    for title in sheet.header:
        cell = WriteOnlyCell(worksheet, value=title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    worksheet.append(header)
    for row in sheet.rows:
        worksheet.append([_cell(worksheet, value) for value in row])
    for row in sheet.footer:
        worksheet.append([_cell(worksheet, value, font=bold) for value in row])


def _cell(worksheet: WriteOnlyWorksheet, value: Value, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=_safe(value))
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    return cell


def _safe(value: Value) -> Value:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(sheet: Sheet) -> bytes:
    """The sheet's header and rows as CSV, UTF-8 with a byte-order mark (Excel and WPS then read the Chinese
    headers right), formula-looking text defused as in the workbook."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode()
