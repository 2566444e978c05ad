"""Read the unpaid months a worker types: "2026-09, 2026-10", "2026年9月、10月" is not guessed at. Pure."""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?$")
_SEPARATORS = re.compile(r"[,，、;；\s]+")
MAX_MONTHS = 36


def parse_months(raw: str, *, today: date) -> list[str]:
    """The months as sorted, distinct "YYYY-MM" strings.

    :raises ValueError: naming the first piece that is not a month, or a month after ``today``'s.
    """
    text = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in (raw or ""))
    pieces = [p for p in _SEPARATORS.split(text.strip()) if p]
    if not pieces or len(pieces) > MAX_MONTHS:
        raise ValueError(f"not months: {raw!r}")
    months = set()
    for piece in pieces:
        match = _MONTH.match(piece)
        if match is None:
            raise ValueError(f"not a month: {piece!r}")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or year < 2000 or (year, month) > (today.year, today.month):
            raise ValueError(f"not a month: {piece!r}")
        months.add(f"{year:04d}-{month:02d}")
    return sorted(months)
