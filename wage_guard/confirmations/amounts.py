"""Read an amount of money as a worker types it on a phone: "1,234.50", "¥1234", "１２３４元". Pure."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

#: The most any one answer, settlement or complaint may name (an outsized figure is a typing slip).
MAX_AMOUNT = Decimal("10000000")
_STRIP = str.maketrans({"¥": "", "￥": "", "元": "", ",": "", "，": "", " ": "", "\u3000": ""})


def parse_amount(raw: str | None) -> Decimal | None:
    """The amount in yuan with at most two decimals, or ``None`` for an empty field.

    :raises ValueError: for anything else, a negative amount, more than two decimals, or an outsized amount.
    """
    text = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in (raw or "")).translate(_STRIP)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"not an amount: {text!r}")
    return value.quantize(Decimal("0.01"))
