"""The pure part of the bank results: reading a bank's result file (headers, values, every problem) and
reconciling its transfers with payroll lines, line by line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.payroll.bank_support import BANK_HEADER, bank_rows
from wage_guard.payroll import bank_file
from wage_guard.payroll.reconciliation import (
    AMOUNT_DIFFERS,
    FAILED,
    NOT_ON_PAYROLL,
    NOT_PAID,
    PAID,
    SUCCESS,
    PayLine,
    TransferRow,
    line_outcome,
    outcome_counts,
    reconcile,
)
from wage_guard.sheets.reading import Row

DAY = date(2026, 11, 15)


def rows_of(cells: list[list[object]]) -> list[Row]:
    return [Row(number, tuple(row)) for number, row in enumerate(cells, start=1)]  # type: ignore[arg-type]


def transfer(row: int, name: str, tail: str, amount: str, status: str = SUCCESS) -> TransferRow:
    return TransferRow(row, name, tail, Decimal(amount), status, DAY)


LINES = [
    PayLine(1, "赵六", "1111", Decimal("4800.00")),
    PayLine(2, "钱七", "2222", Decimal("4500.00")),
    PayLine(3, "王五", "3333", Decimal("3900.00")),
    PayLine(4, "李四", "4444", Decimal("3000.00")),
]


# --- Reconciling ------------------------------------------------------------------------------------------------


def test_each_transfer_gets_its_outcome_and_each_line_its_result() -> None:
    transfers = [
        transfer(3, "赵六", "1111", "4800.00"),
        transfer(4, "钱七", "2222", "4500.00", FAILED),
        transfer(5, "王五", "3333", "3600.00"),
        transfer(6, "吴十", "9999", "2000.00"),
    ]
    matches = reconcile(LINES, transfers)
    assert [(m.row_number, m.line_id, m.outcome) for m in matches] == [
        (3, 1, PAID),
        (4, 2, FAILED),
        (5, 3, AMOUNT_DIFFERS),
        (6, None, NOT_ON_PAYROLL),
    ]
    assert outcome_counts(LINES, transfers, matches) == {
        PAID: 1,
        FAILED: 1,
        AMOUNT_DIFFERS: 1,
        NOT_PAID: 1,
        NOT_ON_PAYROLL: 1,
    }


def test_a_failed_transfer_retried_successfully_pays_the_line() -> None:
    transfers = [transfer(2, "赵六", "1111", "4800.00", FAILED), transfer(3, "赵六", "1111", "4800.00")]
    matches = reconcile(LINES, transfers)
    assert [(m.line_id, m.outcome) for m in matches] == [(1, FAILED), (1, PAID)]
    assert outcome_counts(LINES, transfers, matches)[PAID] == 1
    assert outcome_counts(LINES, transfers, matches)[FAILED] == 0


def test_the_same_name_on_another_card_or_another_name_on_the_card_is_not_on_the_payroll() -> None:
    matches = reconcile(LINES, [transfer(2, "赵六", "9999", "4800.00"), transfer(3, "赵大", "1111", "4800.00")])
    assert [m.outcome for m in matches] == [NOT_ON_PAYROLL, NOT_ON_PAYROLL]


def test_names_match_without_spaces_and_full_width_forms_and_a_line_without_card_by_name() -> None:
    lines = [PayLine(7, "阿卜杜·热合曼", None, Decimal("100.00"))]
    matches = reconcile(lines, [transfer(2, "阿卜杜·热合曼 ", "5555", "100.00")])
    assert matches[0].line_id == 7
    assert matches[0].outcome == PAID


def test_two_successful_transfers_to_one_line_that_add_up_to_more_differ() -> None:
    transfers = [transfer(2, "李四", "4444", "3000.00"), transfer(3, "李四", "4444", "3000.00")]
    matches = reconcile(LINES, transfers)
    assert [m.line_id for m in matches] == [4, 4]
    assert line_outcome(Decimal("3000.00"), [(t.amount, t.status) for t in transfers]) == AMOUNT_DIFFERS


@pytest.mark.parametrize(
    ("transfers", "expected"),
    [
        ([], NOT_PAID),
        ([(Decimal("10.00"), FAILED)], FAILED),
        ([(Decimal("10.00"), SUCCESS)], PAID),
        ([(Decimal("9.99"), SUCCESS)], AMOUNT_DIFFERS),
        ([(Decimal("4.00"), SUCCESS), (Decimal("6.00"), SUCCESS)], PAID),
        ([(Decimal("10.00"), FAILED), (Decimal("10.00"), SUCCESS)], PAID),
    ],
)
def test_line_outcome(transfers: list[tuple[Decimal, str]], expected: str) -> None:
    assert line_outcome(Decimal("10.00"), transfers) == expected


names = st.lists(st.sampled_from("张王李赵钱孙周吴郑冯陈"), min_size=2, max_size=3).map("".join)
pay_lines = st.lists(
    st.tuples(names, st.from_regex(r"\d{4}", fullmatch=True), st.integers(1, 10**7)),
    min_size=1,
    max_size=12,
    unique_by=lambda t: (t[0], t[1]),
)


@given(pay_lines, st.randoms(use_true_random=False))
def test_a_bank_file_that_pays_exactly_the_payroll_pays_every_line(specs, random) -> None:  # type: ignore[no-untyped-def]
    lines = [PayLine(i, name, tail, Decimal(fen) / 100) for i, (name, tail, fen) in enumerate(specs, start=1)]
    transfers = [transfer(i + 2, line.name, line.account_tail or "", str(line.net)) for i, line in enumerate(lines)]
    random.shuffle(transfers)
    matches = reconcile(lines, transfers)
    assert len(matches) == len(transfers)
    assert sorted(m.line_id for m in matches if m.line_id is not None) == [line.line_id for line in lines]
    assert outcome_counts(lines, transfers, matches) == {
        PAID: len(lines),
        FAILED: 0,
        AMOUNT_DIFFERS: 0,
        NOT_PAID: 0,
        NOT_ON_PAYROLL: 0,
    }


@given(pay_lines, st.lists(st.tuples(names, st.from_regex(r"\d{4}", fullmatch=True), st.booleans()), max_size=12))
def test_every_transfer_gets_one_outcome_and_every_line_one_result(specs, bank) -> None:  # type: ignore[no-untyped-def]
    lines = [PayLine(i, name, tail, Decimal(fen) / 100) for i, (name, tail, fen) in enumerate(specs, start=1)]
    transfers = [transfer(i + 2, name, tail, "1.00", SUCCESS if ok else FAILED) for i, (name, tail, ok) in enumerate(bank)]
    matches = reconcile(lines, transfers)
    assert [m.row_number for m in matches] == [t.row_number for t in transfers]
    for t, m in zip(transfers, matches, strict=True):
        assert (m.line_id is None) == (m.outcome == NOT_ON_PAYROLL)
        if t.status == FAILED and m.line_id is not None:
            assert m.outcome == FAILED
    counts = outcome_counts(lines, transfers, matches)
    assert sum(counts[o] for o in (PAID, FAILED, AMOUNT_DIFFERS, NOT_PAID)) == len(lines)


# --- Reading the file -------------------------------------------------------------------------------------------


def test_a_bank_file_with_a_title_and_a_summary_row_is_read() -> None:
    transfers, problems = bank_file.parse_rows(rows_of(bank_rows()))
    assert problems == []
    assert [(t.row_number, t.payee_name, t.account_tail, t.amount, t.status, t.transfer_date) for t in transfers] == [
        (3, "赵六", "1111", Decimal("4800.00"), SUCCESS, DAY),
        (4, "钱七", "2222", Decimal("4500.00"), FAILED, DAY),
        (5, "王五", "3333", Decimal("3600.00"), SUCCESS, DAY),
        (6, "吴十", "9999", Decimal("2000.00"), SUCCESS, DAY),
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["收款人", "账号后四位", "金额", "状态", "日期"],
        ["户名", "银行卡号", "交易金额", "处理结果", "交易日期"],
        ["收款人姓名 *", "收款账号", "代发金额（元）", "交易状态", "处理日期"],
        ["Payee Name", "Account Number", "Amount", "Status", "Date"],
    ],
)
def test_header_variants_in_chinese_and_english(header: list[str]) -> None:
    transfers, problems = bank_file.parse_rows(rows_of([header, ["赵六", 1111, 4800.5, "success", 46341]]))
    assert problems == []
    assert transfers[0].amount == Decimal("4800.50")
    assert transfers[0].transfer_date == DAY  # Excel serial 46341
    assert transfers[0].account_tail == "1111"


def test_every_problem_is_listed_with_row_column_value_and_reason() -> None:
    rows = [
        BANK_HEADER,
        [1, "", "6222021234561111", "4800", "成功", "2026-11-15"],
        [2, "钱七", "6.22202E+18", "4500", "失败", "2026-11-15"],
        [3, "王五", "6222021234563333", "-3600", "成功", "2026-11-15"],
        [4, "吴十", "6222021234569999", "2000", "处理中", "2026-11-15"],
        [5, "孙八", "6222021234568888", "2000", "成功", "2026-02-30"],
    ]
    transfers, problems = bank_file.parse_rows(rows_of(rows))
    assert transfers == []
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "Payee name", ""),
        (3, "Account number", "6.22202E+18"),
        (4, "Amount", "-3600"),
        (5, "Status", "处理中"),
        (6, "Date", "2026-02-30"),
    ]
    assert "scientific notation" in problems[1].reason
    assert all(p.reason for p in problems)


def test_a_card_number_excel_rounded_to_a_number_is_refused() -> None:
    row = ["赵六", 6.222021234561111e15, "4800", "成功", "2026-11-15"]
    _, problems = bank_file.parse_rows(rows_of([["户名", "卡号", "金额", "状态", "日期"], row]))
    assert [(p.row, p.column) for p in problems] == [(2, "Account number")]


def test_a_file_without_the_columns_names_the_missing_ones() -> None:
    _, problems = bank_file.parse_rows(rows_of([["户名", "金额", "备注"], ["赵六", "4800", ""]]))
    assert len(problems) == 1
    assert problems[0].row == 1
    assert "Account number" in problems[0].reason
    assert "Status" in problems[0].reason


def test_a_header_without_transfers_is_a_problem() -> None:
    _, problems = bank_file.parse_rows(rows_of([BANK_HEADER, ["合计", "", "", "0", "", ""]]))
    assert len(problems) == 1
