"""Reading the bank's payroll result file (代发回单 / 代发结果) from rows of cells; pure, no database.

Why a module of its own: banks export the result of a 代发 batch in their own layouts (a title row, a summary row
at the end, 户名 or 收款人, the whole card number or only its last four digits, 成功 or 交易成功, dates as
20261115). This module finds the header row, recognises the column names in Chinese or English, reads every
value and reports every problem with its row, column, value and reason, so that the import is all or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from wage_guard.i18n import _, _l
from wage_guard.payroll import values
from wage_guard.payroll.parsing import Problem, header_key
from wage_guard.payroll.reconciliation import FAILED, SUCCESS, TransferRow, normalise_name
from wage_guard.payroll.values import BadValue, Cell
from wage_guard.sheets.reading import Row

#: Column key -> (name shown in messages, recognised headers after ``_header_key``).
COLUMNS: dict[str, tuple[object, frozenset[str]]] = {
    "payee_name": (
        _l("Payee name"),
        frozenset(
            "收款人 户名 收款人姓名 收款户名 收款人户名 收款账户名 账户名称 账户名 姓名 payee payeename name accountname".split()
        ),
    ),
    "account_tail": (
        _l("Account number"),
        frozenset(
            "账号后四位 卡号后四位 银行卡号后四位 账号后4位 卡号后4位 卡号 银行卡号 账号 收款账号 收款卡号 收款人账号 "
            "account accounttail cardnumber accountnumber card".split()
        ),
    ),
    "amount": (_l("Amount"), frozenset("金额 交易金额 代发金额 发放金额 实发金额 amount transactionamount".split())),
    "status": (_l("Status"), frozenset("状态 处理结果 交易状态 处理状态 结果 代发结果 status result".split())),
    "transfer_date": (
        _l("Date"),
        frozenset("日期 交易日期 处理日期 代发日期 入账日期 date transactiondate valuedate".split()),
    ),
}
STATUSES = {
    SUCCESS: {"成功", "交易成功", "处理成功", "代发成功", "已成功", "success", "succeeded", "successful", "ok"},
    FAILED: {"失败", "交易失败", "处理失败", "代发失败", "退票", "已退回", "failed", "failure", "fail", "rejected"},
}
#: A summary row at the end of the file (its name cell says so); it is not a transfer.
SUMMARY_LABELS = {"合计", "总计", "小计", "total"}
#: How far down a title block may push the header row.
HEADER_SEARCH_ROWS = 10


def parse_rows(rows: Sequence[Row]) -> tuple[list[TransferRow], list[Problem]]:
    """Read the transfers of a result file (its non-empty rows); with any problem, every one is listed and no
    transfer is returned."""
    found = _find_header(rows)
    if isinstance(found, Problem):
        return [], [found]
    header_index, columns = found
    transfers: list[TransferRow] = []
    problems: list[Problem] = []
    for row in rows[header_index + 1 :]:
        if _is_summary(row.cells, columns):
            continue
        transfer, row_problems = _parse_row(row, columns)
        problems += row_problems
        if transfer is not None:
            transfers.append(transfer)
    if not transfers and not problems:
        number = rows[header_index].number
        problems.append(Problem(number, "", "", _("The file has a header row but no transfers below it.")))
    return ([] if problems else transfers), problems


def _find_header(rows: Sequence[Row]) -> tuple[int, dict[str, int]] | Problem:
    if not rows:
        return Problem(1, "", "", _("The file is empty."))
    best: tuple[int, dict[str, int]] = (0, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row.cells):
            key = _column_for(cell)
            if key is not None and key not in columns:
                columns[key] = position
        if len(columns) == len(COLUMNS):
            return index, columns
        if len(columns) > len(best[1]):
            best = (index, columns)
    missing = "、".join(str(COLUMNS[key][0]) for key in COLUMNS if key not in best[1])
    reason = _("No header row with all the bank result columns was found; missing: %(columns)s.", columns=missing)
    return Problem(rows[best[0]].number, missing, "", reason)


def _column_for(cell: Cell) -> str | None:
    key = header_key(cell)
    return next((column for column, (_label, names) in COLUMNS.items() if key in names), None)


def _is_summary(cells: Sequence[Cell], columns: dict[str, int]) -> bool:
    first = next((values.text(cell) for cell in cells if values.text(cell)), "")
    name = values.text(_cell(cells, columns["payee_name"]))
    labels = {unicodedata.normalize("NFKC", text).strip().lower().rstrip(":") for text in (first, name)}
    return bool(labels & SUMMARY_LABELS)


def _cell(cells: Sequence[Cell], position: int) -> Cell:
    return cells[position] if position < len(cells) else None


def _parse_row(row: Row, columns: dict[str, int]) -> tuple[TransferRow | None, list[Problem]]:
    readers = {
        "payee_name": read_name,
        "account_tail": read_account_tail,
        "amount": read_amount,
        "status": read_status,
        "transfer_date": read_date,
    }
    read: dict[str, object] = {}
    problems = []
    for key, reader in readers.items():
        raw = _cell(row.cells, columns[key])
        try:
            read[key] = reader(raw)
        except BadValue as error:
            problems.append(Problem(row.number, str(COLUMNS[key][0]), values.text(raw)[:100], str(error)))
    if problems:
        return None, problems
    return TransferRow(row_number=row.number, **read), []  # type: ignore[arg-type]


def read_name(raw: Cell) -> str:
    name = normalise_name(values.text(raw))
    if not name:
        raise BadValue(_("The payee name is empty."))
    if len(name) > 64:
        raise BadValue(_("The payee name is longer than 64 characters."))
    return name


def read_account_tail(raw: Cell) -> str:
    """The last four digits of a card number or of its tail, refusing a number Excel rounded."""
    if raw is None or values.text(raw) == "":
        raise BadValue(_("The account number is empty."))
    if isinstance(raw, float) and (not raw.is_integer() or raw >= 1e15):
        raise BadValue(_("Excel turned the card number into a rounded number; format the column as text."))
    if re.fullmatch(r"\d(?:\.\d+)?e\+?\d+", values.to_ascii(values.text(raw)).replace(" ", ""), flags=re.IGNORECASE):
        raise BadValue(_("Excel turned the card number into scientific notation and lost digits; format it as text."))
    tail = values.account_tail(raw)
    if len(values.text(raw).replace(" ", "").replace("*", "")) < 4 and not isinstance(raw, int | float):
        raise BadValue(_("The account must end in at least four digits."))
    return tail


def read_amount(raw: Cell) -> Decimal:
    """Yuan with at most two decimals (1234.5, "1,234.50", "¥1,234.50元", full-width digits), more than zero."""
    if raw is None or values.text(raw) == "":
        raise BadValue(_("The amount is empty."))
    amount = values.amount(raw)
    if amount <= 0:
        raise BadValue(_("The amount must be more than zero."))
    return amount


def read_status(raw: Cell) -> str:
    text = unicodedata.normalize("NFKC", values.text(raw)).strip().lower()
    for status, words in STATUSES.items():
        if text in words:
            return status
    raise BadValue(_("The status must be 成功 (success) or 失败 (failed)."))


def read_date(raw: Cell) -> date:
    """A date cell, an Excel serial number, or 2026-11-15, 2026/11/15, 2026.11.15, 2026年11月15日, 20261115."""
    if raw is None or values.text(raw) == "":
        raise BadValue(_("The date is empty."))
    return values.day(raw)
