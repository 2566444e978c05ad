"""Cell values as Chinese construction offices write them: amounts, days, dates, ID numbers, channels.

Pure functions (no Flask, no database), property-tested on their own. Each parser takes a cell as the sheet
reader returns it (text, a number, a date or date-time) and returns the value or raises :class:`BadValue` whose
``str()`` is the user-facing reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from wage_guard.enrollment import identity
from wage_guard.enrollment.identity import InvalidIdNumber, parse_id_number
from wage_guard.i18n import _

Cell = str | float | int | bool | date | datetime | None
FEN = Decimal("0.01")
_AMOUNT_LIMIT = 10_000_000_000
TENTH = Decimal("0.1")
#: Day 0 of Excel's 1900 date system as Python counts it (Excel's fictitious 1900-02-29 makes it the 30th).
EXCEL_EPOCH = date(1899, 12, 30)
_AMOUNT_NOISE = re.compile(r"[¥￥,，\s]|元|人民币|RMB|CNY", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(\s+\d{1,2}:\d{2}(:\d{2})?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
CHANNELS = {
    "bank": ("银行代发", "银行", "代发", "银行卡", "银行转账", "转账", "bank"),
    "wage_account": ("专户", "工资专户", "专户代发", "专用账户", "工资专用账户", "wage_account", "wageaccount"),
    "cash": ("现金", "cash"),
    "other": ("其他", "其它", "other"),
}
_CHANNEL_OF = {alias: key for key, aliases in CHANNELS.items() for alias in aliases}


class BadValue(ValueError):
    """The cell cannot be used; ``str()`` is the reason shown to the foreman."""


def to_ascii(text: str) -> str:
    """Full-width digits, letters and signs (from Chinese input methods) to ASCII; the ideographic space to a space."""
    return identity.to_ascii(text)


def text(cell: Cell) -> str:
    """A cell as trimmed text (numbers without a trailing ``.0``)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return str(cell).strip()


def amount(cell: Cell) -> Decimal:
    """Yuan with fen: ``1,234.50``, ``¥1,234.50元``, full-width digits, or a number cell (rounded to the fen)."""
    if type(cell) is int and 0 <= cell < _AMOUNT_LIMIT:  # the common case, first: whole yuan in a number cell
        return Decimal(cell).quantize(FEN)
    if isinstance(cell, bool):
        raise BadValue(_("This is not an amount."))
    if isinstance(cell, (int, float)):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise BadValue(_("This is not an amount."))
        value = Decimal(repr(cell)).quantize(FEN, ROUND_HALF_UP)
    else:
        raw = _AMOUNT_NOISE.sub("", to_ascii(text(cell)))
        if not _NUMBER.fullmatch(raw):
            raise BadValue(_("This is not an amount."))
        value = Decimal(raw)
        if value != value.quantize(FEN, ROUND_HALF_UP):
            raise BadValue(_("An amount has at most two decimal places (fen)."))
    if value < 0:
        raise BadValue(_("An amount may not be negative."))
    if value >= Decimal("10000000000"):
        raise BadValue(_("This amount is too large."))
    return value.quantize(FEN)


def quantity(cell: Cell, unit_words: tuple[str, ...]) -> Decimal:
    """Days or hours with at most one decimal (``22``, ``21.5``, ``22天``)."""
    if type(cell) is int and 0 <= cell < 10000:  # the common case, first: a whole number in a number cell
        return Decimal(cell).quantize(TENTH)
    if isinstance(cell, bool):
        raise BadValue(_("This is not a number."))
    if isinstance(cell, (int, float)):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise BadValue(_("This is not a number."))
        value = Decimal(repr(cell))
    else:
        raw = to_ascii(text(cell)).replace(" ", "")
        for word in unit_words:
            raw = raw.removesuffix(word)
        if not _NUMBER.fullmatch(raw):
            raise BadValue(_("This is not a number."))
        value = Decimal(raw)
    if value < 0:
        raise BadValue(_("This may not be negative."))
    if value != value.quantize(TENTH, ROUND_HALF_UP):
        raise BadValue(_("Use at most one decimal place (e.g. 21.5)."))
    if value >= 10000:
        raise BadValue(_("This number is too large."))
    return value.quantize(TENTH)


def day(cell: Cell) -> date:
    """``2026-10-15``, ``2026/10/15``, ``2026.10.15``, ``2026年10月15日``, ``20261015``, an Excel serial date, or a
    date cell."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, bool):
        raise BadValue(_("This is not a date."))
    if isinstance(cell, (int, float)):
        return _serial(cell)
    raw = to_ascii(text(cell))
    match = _DATE.fullmatch(raw) or _COMPACT_DATE.fullmatch(raw)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError as exc:
            raise BadValue(_("This date does not exist.")) from exc
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _serial(float(raw))
    raise BadValue(_("This is not a date. Write it as 2026-10-15 or 2026年10月15日."))


def _serial(number: float) -> date:
    if not 1 <= number < 2958466 or number != number:
        raise BadValue(_("This is not a date."))
    return EXCEL_EPOCH + timedelta(days=int(number))


def id_number(cell: Cell, *, today: date) -> str:
    """A resident ID number; refuses the forms Excel damages: a number cell, scientific notation, lost digits."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        raise BadValue(
            _(
                "Excel stored this ID number as a number and dropped its last digits. Format the column as text and "
                "type the numbers again."
            )
        )
    raw = to_ascii(text(cell)).replace(" ", "")
    if _SCIENTIFIC.fullmatch(raw):
        raise BadValue(
            _(
                "Excel turned this ID number into scientific notation and its last digits are lost. Format the "
                "column as text and type the numbers again."
            )
        )
    try:
        return parse_id_number(raw, today=today).value
    except InvalidIdNumber as exc:
        if raw.isdigit() and 15 < len(raw) <= 18 and raw.endswith("000"):
            raise BadValue(
                _(
                    "This ID number ends in zeros where digits were lost (Excel keeps only 15 digits of a number). "
                    "Format the column as text and type the numbers again."
                )
            ) from exc
        raise BadValue(str(exc)) from exc


def channel(cell: Cell) -> str:
    """发放方式 to ``bank``, ``wage_account``, ``cash`` or ``other`` (anything else written there is ``other``)."""
    raw = to_ascii(text(cell)).replace(" ", "").lower()
    if raw in _CHANNEL_OF:
        return _CHANNEL_OF[raw]
    if "专户" in raw or "专用" in raw:
        return "wage_account"
    if "银行" in raw or "代发" in raw:
        return "bank"
    if "现金" in raw:
        return "cash"
    return "other"


def account_tail(cell: Cell) -> str:
    """The last four digits of a bank card; a whole card number is cut to its last four (never stored whole)."""
    raw = to_ascii(text(cell)).replace(" ", "").replace("*", "")
    if not raw.isdigit():
        raise BadValue(_("Write the last four digits of the bank card."))
    return raw[-4:].rjust(4, "0")


def month_in_text(value: str) -> date | None:
    """The month a title names (``2026年10月工资表``, ``2026-10``), as its first day; None if none."""
    match = re.search(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|(?!\d))", to_ascii(value))
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)
