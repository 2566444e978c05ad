"""Parsing wage sheets: values as offices write them, headers in Chinese or English, every problem reported."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import id_number
from tests.payroll import files
from wage_guard.payroll import values
from wage_guard.payroll.parsing import parse_sheet
from wage_guard.payroll.values import BadValue

OCTOBER = date(2026, 10, 1)
TODAY = date(2026, 12, 1)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def parse(rows: list[list[object]], month: date = OCTOBER):  # type: ignore[no-untyped-def]
    return parse_sheet(list(enumerate(rows, start=1)), month=month, today=TODAY)


# --- Value parsers (property tests) ------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts, st.booleans(), st.booleans(), st.booleans())
def test_amounts_in_every_written_form(value: Decimal, separators: bool, currency: bool, full_width: bool) -> None:
    written = f"{value:,.2f}" if separators else f"{value:.2f}"
    if currency:
        written = f"¥{written}元"
    if full_width:
        written = written.translate(FULL_WIDTH)
    assert values.amount(written) == value
    assert values.amount(float(value)) == value


@given(st.decimals(min_value=Decimal("-99999"), max_value=Decimal("-0.01"), places=2))
def test_negative_amounts_are_refused(value: Decimal) -> None:
    with pytest.raises(BadValue, match="negative"):
        values.amount(str(value))


@given(st.text(alphabet="abc元¥xyz%#", min_size=1))
def test_text_that_is_no_amount_is_refused(text: str) -> None:
    with pytest.raises(BadValue):
        values.amount(text)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["-", "/", ".", "年", "compact"]))
def test_dates_in_every_written_form(day: date, style: str) -> None:
    if style == "年":
        written = f"{day.year}年{day.month}月{day.day}日"
    elif style == "compact":
        written = f"{day:%Y%m%d}"
    else:
        written = f"{day.year}{style}{day.month:02d}{style}{day.day:02d}"
    assert values.day(written) == day
    assert values.day(written.translate(FULL_WIDTH)) == day
    serial = files.excel_serial(day)
    assert values.day(float(serial)) == day
    assert values.day(str(serial)) == day
    assert values.day(datetime.combine(day, datetime.min.time()) + timedelta(hours=9)) == day


@given(st.from_regex(r"3[1-7]0[1-9]2[1-9](19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True))
def test_id_numbers_with_lowercase_x_and_full_width_digits(first17: str) -> None:
    valid = id_number(first17)
    assert values.id_number(valid.lower(), today=TODAY) == valid
    assert values.id_number(valid.translate(FULL_WIDTH), today=TODAY) == valid
    with pytest.raises(BadValue, match="number"):
        values.id_number(float(valid[:17]), today=TODAY)
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(BadValue):
        values.id_number(wrong, today=TODAY)


@pytest.mark.parametrize("written", ["3.70322E+17", "3.70322e17", "3.7032219850315E+17"])
def test_scientific_notation_ids_are_refused_as_such(written: str) -> None:
    with pytest.raises(BadValue, match="scientific notation"):
        values.id_number(written, today=TODAY)


def test_ids_that_lost_their_last_digits_are_refused_as_such() -> None:
    with pytest.raises(BadValue, match="digits were lost"):
        values.id_number("370322198503151000", today=TODAY)


@pytest.mark.parametrize(
    ("written", "channel"),
    [
        ("银行代发", "bank"),
        ("银行转账", "bank"),
        ("专户", "wage_account"),
        ("工资专户代发", "wage_account"),
        ("现金", "cash"),
        ("微信", "other"),
        ("Cash", "cash"),
    ],
)
def test_channels(written: str, channel: str) -> None:
    assert values.channel(written) == channel


@given(st.integers(min_value=0, max_value=31), st.sampled_from(["", "天", " 天"]))
def test_days(days: int, unit: str) -> None:
    assert values.quantity(f"{days}{unit}", ("天",)) == Decimal(days)
    assert values.quantity(f"{days}.5", ("天",)) == Decimal(days) + Decimal("0.5")


# --- Sheets -----------------------------------------------------------------------------------------------------


def test_a_clean_sheet_with_title_serial_dates_and_office_values() -> None:
    rows = files.sheet(
        [
            files.wage_line(
                "张三", gross="¥5,000.00元", deductions="２００", net="4,800.00", pay_date=files.excel_serial(date(2026, 11, 15))
            ),
            files.wage_line(
                "李四", number=2, id_no=id_number(files.PEOPLE["李四"]).lower(), deductions="-", reason=None, channel="现金"
            ),
        ]
    )
    parsed = parse(rows)
    assert parsed.problems == []
    first, second = parsed.lines
    assert (first.row_number, first.gross, first.deductions, first.net) == (
        3,
        Decimal("5000.00"),
        Decimal("200.00"),
        Decimal("4800.00"),
    )
    assert first.pay_date == date(2026, 11, 15)
    assert first.channel == "bank"
    assert first.deduction_reason == "伙食费"
    assert second.deductions == Decimal("0.00")
    assert second.net == Decimal("5000.00")
    assert second.id_number.endswith(id_number(files.PEOPLE["李四"])[-1])
    assert second.channel == "cash"


def test_english_headers_and_no_title() -> None:
    rows = files.sheet([files.wage_line("张三")], title=None, header=files.ENGLISH_HEADER)
    parsed = parse(rows)
    assert parsed.problems == []
    assert parsed.lines[0].row_number == 2


def test_header_variants_with_units() -> None:
    header = ["序号", "姓名", "公民身份号码", "出勤(天)", "应发金额（元）", "扣款金额", "实发金额（元）"]
    row = [1, "张三", id_number(files.PEOPLE["张三"]), "22", "5000", "0", "5000"]
    parsed = parse([header, row])
    assert parsed.problems == []
    assert parsed.lines[0].days_worked == Decimal(22)


def test_five_different_errors_are_all_reported_with_row_and_column() -> None:
    rows = files.sheet(
        [
            files.wage_line("张三", id_no="3.70322E+17"),
            files.wage_line("李四", number=2, id_no=id_number(files.PEOPLE["李四"])[:17] + "0"),
            files.wage_line("王五", number=3, net="4000.00"),
            files.wage_line("赵六", number=4, days=32),
            files.wage_line("钱七", number=5, gross="-100", deductions="0", net="0"),
        ]
    )
    parsed = parse(rows)
    reported = [(p.row, p.column) for p in parsed.problems]
    assert reported == [(3, "身份证号码"), (4, "身份证号码"), (5, "实发工资"), (6, "出勤天数"), (7, "应发工资")]
    assert "scientific notation" in parsed.problems[0].reason
    assert "last character" in parsed.problems[1].reason
    assert parsed.problems[2].value == "4000.00"
    assert "only 31 days" in parsed.problems[3].reason
    assert "negative" in parsed.problems[4].reason
    assert parsed.lines == []


def test_a_person_listed_twice() -> None:
    rows = files.sheet([files.wage_line("张三"), files.wage_line("张三", number=2)])
    [problem] = parse(rows).problems
    assert (problem.row, problem.column) == (4, "身份证号码")
    assert "already listed in row 3" in problem.reason


def test_month_mismatch_in_title_and_pay_date() -> None:
    rows = files.sheet([files.wage_line("张三", pay_date="2026-09-30")], title="2026年9月工资表")
    [problem] = parse(rows).problems
    assert problem.row == 1
    assert "2026-09" in problem.reason
    rows = files.sheet([files.wage_line("张三", pay_date="2026-09-30")], title="工资表")
    [problem] = parse(rows).problems
    assert (problem.row, problem.column) == (3, "发放日期")


def test_missing_columns_and_values() -> None:
    header = ["姓名", "身份证号", "出勤天数", "应发工资"]
    [problem] = parse([header, ["张三", id_number(files.PEOPLE["张三"]), 22, 5000]]).problems
    assert (problem.row, problem.column) == (1, "实发工资")
    assert "missing" in problem.reason
    rows = files.sheet([files.wage_line("张三", days=None)])
    [problem] = parse(rows).problems
    assert (problem.row, problem.column, problem.reason) == (3, "出勤天数", "This value is required.")


def test_no_header_at_all() -> None:
    [problem] = parse([["a", "b"], ["c", "d"]]).problems
    assert problem.row is None
    assert "No header row" in problem.reason


# --- Column by column equals row by row ----------------------------------------------------------------------------

#: Cells a careless office writes into a wage line's columns, good and bad, with repeats (the parser memoises).
_DAYS = st.sampled_from([22, 22.0, "22天", 31, 32, "x", None, "-", True, 21.5, "21.55"])
_AMOUNTS = st.sampled_from([5000, "5,000.00", "¥5000元", "-100", "abc", None, 4800, 200, 0, False, 1.005])
_DATES = st.sampled_from(["2026-11-15", 46341, "2026-09-30", "2026-02-30", None, "soon", True])
_IDS = st.sampled_from([*(id_number(digits) for digits in files.PEOPLE.values()), "3.70322E+17", 370322198503151234, None])
_LINES = st.lists(st.tuples(st.sampled_from(list(files.PEOPLE)), _IDS, _DAYS, _AMOUNTS, _AMOUNTS, _AMOUNTS, _DATES), max_size=8)


@given(_LINES)
def test_a_sheet_reports_exactly_what_its_rows_report_one_by_one(lines: list[tuple[object, ...]]) -> None:
    """The column-wise reader (``payroll.columns``) with its memo gives every row the problems and values that
    row has on its own, in row order; only a second listing of a person is a problem between rows."""
    header = ["姓名", "身份证号", "出勤天数", "应发工资", "扣款", "实发工资", "发放日期"]
    whole = parse([header, *map(list, lines)])
    expected = []
    for number, line in enumerate(lines, start=2):
        alone = parse([header, list(line)])
        expected += [dataclasses.replace(problem, row=number) for problem in alone.problems if problem.row is not None]
    in_rows = [p for p in whole.problems if p.row is not None and "already listed" not in p.reason]
    assert in_rows == expected
    if not whole.problems:
        assert [line.row_number for line in whole.lines] == list(range(2, len(lines) + 2))
        assert [line.gross for line in whole.lines] == [parse([header, list(line)]).lines[0].gross for line in lines]


def test_a_true_cell_is_not_read_as_the_number_one_after_a_one() -> None:
    """The memo keys a cell by its type too: ``True == 1`` in Python, but a tick box is no amount."""
    header = ["姓名", "身份证号", "出勤天数", "应发工资", "扣款", "实发工资"]
    zhang, li = (id_number(files.PEOPLE[name]) for name in ("张三", "李四"))
    [problem] = parse([header, ["张三", zhang, 22, 1, 0, 1], ["李四", li, 22, True, 0, 1]]).problems
    assert (problem.row, problem.column, problem.reason) == (3, "应发工资", "This is not an amount.")
