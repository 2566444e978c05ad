"""Reading a wage sheet as rows of cells: XLSX (first sheet, python-calamine) and CSV as Chinese offices save it.

Why python-calamine: it reads a 50,000-row XLSX several times faster than openpyxl's streaming mode and with
less memory (``python -m benchmarks.payroll``, docs/performance.md). This is the only module that imports it.

Everything a hostile or careless upload can do is refused here with a specific message before any domain code
sees a cell: an empty file, a file that is not what its name says (an .xlsx that is no zip, a binary .csv, an old
.xls), an XLSX whose zip directory says it would expand far beyond its size (a zip bomb: checked before a byte is
inflated), and files or row counts over the configured limits.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import python_calamine

from wage_guard.errors import ValidationFailed
from wage_guard.i18n import _

#: A cell as the domain gets it: text (stripped of nothing), a number, a boolean, a date or date-time, or None.
Cell = str | float | int | bool | date | datetime | None
#: A member of an XLSX may not inflate more than this many times its compressed size (real sheets stay under 30).
MAX_EXPANSION_RATIO = 200
#: Members smaller than this once inflated are not held to the ratio (tiny XML parts compress extremely well).
RATIO_FLOOR_BYTES = 1024 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_rows: int
    max_expanded_bytes: int


class Row(NamedTuple):
    """A non-empty row: its number as the spreadsheet shows it (1-based) and its cells (a tuple, so the parsers
    take it as the ``(number, cells)`` pair they expect, and cheap to build fifty thousand times)."""

    number: int
    cells: tuple[Cell, ...]


class UnreadableSheet(ValidationFailed):
    """The file cannot be used at all (as opposed to rows with wrong values); the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


def read_rows(file_name: str, data: bytes, limits: Limits) -> list[Row]:
    """Read the first sheet of an .xlsx or a .csv into its non-empty rows.

    :raises UnreadableSheet: for an empty, oversized, mislabelled, damaged or zip-bomb file, or too many rows.
    """
    kind = _kind(file_name)
    if not data:
        raise UnreadableSheet(_("The file is empty."))
    if len(data) > limits.max_file_bytes:
        raise UnreadableSheet(
            _("The file is too large: the limit is %(mb)d MB.", mb=max(1, limits.max_file_bytes // (1024 * 1024)))
        )
    rows = _read_xlsx(data, limits) if kind == "xlsx" else _read_csv(data, limits)
    if not rows:
        raise UnreadableSheet(_("The file has no rows with data."))
    return rows


def _kind(file_name: str) -> str:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix in ("xlsx", "csv"):
        return suffix
    if suffix in ("xls", "et", "wps"):
        raise UnreadableSheet(
            _("This is an old Excel/WPS file (.%(ext)s). Please save it as .xlsx and upload again.", ext=suffix)
        )
    raise UnreadableSheet(_("Please upload the wage sheet as an .xlsx or .csv file."))


def _read_xlsx(data: bytes, limits: Limits) -> list[Row]:
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableSheet(_("This file is named .xlsx but is an old .xls file. Please save it as .xlsx and upload again."))
    if not data.startswith(_ZIP_MAGIC):
        raise UnreadableSheet(_("This file is named .xlsx but is not an Excel workbook."))
    _check_zip(data, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height > limits.max_rows:
            raise UnreadableSheet(_too_many_rows(limits))
        first = sheet.start[0] + 1 if sheet.start else 1
        # Row by row, not ``to_python()``: the whole sheet as Python lists beside its converted copy doubled the
        # peak memory of a 50,000-row import. Each step is one C-level call per row, not a Python step per cell.
        rows = []
        empty_to_none = _EMPTY_TO_NONE.get
        cells: list[Any]
        for offset, cells in enumerate(sheet.iter_rows()):
            if cells.count("") == len(cells):
                continue
            if not _PLAIN.issuperset(map(type, cells)):
                cells = [_cell(cell) for cell in cells]
            rows.append(Row(first + offset, tuple(map(empty_to_none, cells, cells))))
    except UnreadableSheet:
        raise
    except Exception as exc:  # calamine raises its own error types and ValueError for damaged parts
        raise UnreadableSheet(_("This Excel file is damaged and cannot be read. Please save it again and upload.")) from exc
    return rows


_PLAIN = frozenset({str, float, int, bool, date, datetime})
#: An empty cell (calamine gives "") is None; every other cell is itself (``get(cell, cell)``).
_EMPTY_TO_NONE: dict[Any, Cell] = {"": None}


def _cell(cell: object) -> Cell:
    """Empty cells as None; durations and times of day (never in a wage sheet's amounts) as their text."""
    if cell == "":
        return None
    if isinstance(cell, (str, float, int, bool, date, datetime)):
        return cell
    return str(cell)


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a damaged zip, a zip that is not a workbook, and one that would inflate too far (read from the
    central directory only: nothing is decompressed here)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise UnreadableSheet(_("This file is named .xlsx but is not an Excel workbook.")) from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableSheet(_("This file is named .xlsx but is not an Excel workbook."))
    total = sum(m.file_size for m in members)
    inflated_too_far = any(
        m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_EXPANSION_RATIO * max(m.compress_size, 1) for m in members
    )
    if total > limits.max_expanded_bytes or inflated_too_far:
        raise UnreadableSheet(
            _("This Excel file would unpack to far more data than a wage sheet holds, so it is refused. Please check the file.")
        )


def _read_csv(data: bytes, limits: Limits) -> list[Row]:
    if data.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
        raise UnreadableSheet(_("This file is named .csv but is an Excel workbook. Please upload it as .xlsx."))
    text = _decode(data)
    if "\x00" in text:
        raise UnreadableSheet(_("This file is named .csv but is not a text file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > limits.max_rows:
                raise UnreadableSheet(_too_many_rows(limits))
            values = tuple(cell if cell.strip() else None for cell in cells)
            if any(value is not None for value in values):
                rows.append(Row(number, values))
    except csv.Error as exc:
        raise UnreadableSheet(_("This CSV file is damaged (a quotation mark is not closed).")) from exc
    return rows


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it is valid UTF-8, else GB18030 (a superset of GBK and GB2312); UTF-16
    with a BOM (Excel's "Unicode text")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableSheet(_("This file is named .csv but is not a text file.")) from exc
    if b"\x00" in data:
        raise UnreadableSheet(_("This file is named .csv but is not a text file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableSheet(_("This CSV file is in an unknown text encoding. Please save it as UTF-8 or GBK (ANSI)."))


def _delimiter(text: str) -> str:
    """Comma, unless the first lines clearly use tabs or semicolons (Excel's "Unicode text" uses tabs)."""
    head = text[:4096]
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _too_many_rows(limits: Limits) -> str:
    return _("The file has more than %(n)d rows, the most one import takes. Please split it.", n=limits.max_rows)
