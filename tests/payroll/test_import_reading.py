"""The sheet reader: XLSX and CSV in Chinese offices' encodings become rows; unusable files are refused early."""

from __future__ import annotations

from datetime import date

import pytest

from tests.payroll import files
from wage_guard.sheets import reading
from wage_guard.sheets.reading import Limits, UnreadableSheet

LIMITS = Limits(max_file_bytes=10 * 1024 * 1024, max_rows=1000, max_expanded_bytes=64 * 1024 * 1024)
ROWS = files.sheet([files.wage_line("张三", pay_date=date(2026, 11, 15))])


def test_xlsx_rows_keep_their_spreadsheet_numbers_and_cell_types() -> None:
    rows = reading.read_rows("十月.xlsx", files.xlsx(ROWS), LIMITS)
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].cells[0] == "桓台县项目B2026年10月农民工工资表"
    assert rows[1].cells[:3] == ("序号", "姓名", "身份证号码")
    assert rows[2].cells[3] == 22.0
    assert rows[2].cells[9] == date(2026, 11, 15)


def test_empty_rows_are_left_out_but_numbering_follows_the_sheet() -> None:
    rows = reading.read_rows("a.xlsx", files.xlsx([["工资表"], [None], *ROWS[1:]]), LIMITS)
    assert [r.number for r in rows][:2] == [1, 3]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_in_every_office_encoding(encoding: str) -> None:
    rows = reading.read_rows("工资.csv", files.csv_bytes(ROWS, encoding=encoding), LIMITS)
    assert rows[0].cells[0] == "桓台县项目B2026年10月农民工工资表"
    assert rows[1].cells[1] == "姓名"
    assert rows[2].cells[1] == "张三"


def test_utf16_tab_separated_text_as_excel_saves_unicode_text() -> None:
    data = "\r\n".join("\t".join("" if c is None else str(c) for c in row) for row in ROWS).encode("utf-16")
    rows = reading.read_rows("工资.csv", data, LIMITS)
    assert rows[2].cells[1] == "张三"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("a.xlsx", b"", "The file is empty."),
        ("a.csv", b"", "The file is empty."),
        ("a.csv", b"\r\n , \r\n", "no rows"),
        ("a.xlsx", files.not_a_zip(), "not an Excel workbook"),
        ("a.xlsx", b"PK\x03\x04 damaged beyond repair", "not an Excel workbook"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old .xls file"),
        ("a.csv", b"\x00\x01\x02\x03binary\x00", "not a text file"),
        ("a.csv", files.xlsx(ROWS), "is an Excel workbook"),
        ("a.xls", b"anything", "old Excel/WPS file (.xls)"),
        ("a.pdf", b"%PDF-1.7", ".xlsx or .csv"),
        ("noextension", b"a,b", ".xlsx or .csv"),
    ],
)
def test_unusable_files_are_refused_with_a_specific_reason(name: str, data: bytes, words: str) -> None:
    with pytest.raises(UnreadableSheet) as refused:
        reading.read_rows(name, data, LIMITS)
    assert words in refused.value.message
    assert refused.value.field == "file"


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    bomb = files.zip_bomb()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(UnreadableSheet, match="unpack to far more data"):
        reading.read_rows("bomb.xlsx", bomb, Limits(10 * 1024 * 1024, 1000, 1024 * 1024 * 1024))
    with pytest.raises(UnreadableSheet, match="unpack to far more data"):  # also under the total limit
        reading.read_rows("bomb.xlsx", files.zip_bomb(inflated_bytes=40 * 1024 * 1024), LIMITS)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(UnreadableSheet, match="not an Excel workbook"):
        reading.read_rows("renamed.xlsx", buffer.getvalue(), LIMITS)


def test_files_over_the_size_limit_are_refused() -> None:
    data = files.csv_bytes(ROWS)
    with pytest.raises(UnreadableSheet, match="too large"):
        reading.read_rows("a.csv", data, Limits(len(data) - 1, 1000, LIMITS.max_expanded_bytes))
    assert reading.read_rows("a.csv", data, Limits(len(data), 1000, LIMITS.max_expanded_bytes))


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_rows_over_the_limit_are_refused(kind: str) -> None:
    rows = [list(files.HEADER)] + [files.wage_line("张三", number=n) for n in range(20)]
    data = files.xlsx(rows) if kind == "xlsx" else files.csv_bytes(rows)
    with pytest.raises(UnreadableSheet, match="more than 20 rows"):
        reading.read_rows(f"a.{kind}", data, Limits(LIMITS.max_file_bytes, 20, LIMITS.max_expanded_bytes))
    assert len(reading.read_rows(f"a.{kind}", data, Limits(LIMITS.max_file_bytes, 21, LIMITS.max_expanded_bytes))) == 21


def test_times_of_day_come_as_text_and_blank_cells_as_none() -> None:
    from datetime import time

    rows = reading.read_rows("a.xlsx", files.xlsx([["姓名", "签到", "备注"], ["张三", time(8, 30), None]]), LIMITS)
    assert rows[1].cells[:2] == ("张三", "08:30:00")
    assert rows[1].cells[2:] in ((), (None,))
    number, cells = rows[1]  # a row is the (number, cells) pair the parsers take
    assert (number, cells) == (2, rows[1].cells)
