"""Reading the unpaid months and amounts a worker types (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wage_guard.complaints.months import parse_months
from wage_guard.confirmations.amounts import parse_amount

TODAY = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("raw", "months"),
    [
        ("2026-09", ["2026-09"]),
        ("2026-10, 2026-09，2026-10", ["2026-09", "2026-10"]),
        ("2026年9月、2026年10月", ["2026-09", "2026-10"]),
        ("２０２６/９ 2026.11", ["2026-09", "2026-11"]),
    ],
)
def test_months_read(raw: str, months: list[str]) -> None:
    assert parse_months(raw, today=TODAY) == months


@pytest.mark.parametrize("raw", ["", "九月", "2026-13", "2026-12", "1999-01", "2026-9-1"])
def test_months_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="^not"):
        parse_months(raw, today=TODAY)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("4500", "4500.00"), ("¥1,234.50元", "1234.50"), ("１２３４", "1234.00"), ("￥ 8 600", "8600.00"), ("", None)],
)
def test_amounts_read(raw: str, value: str | None) -> None:
    assert parse_amount(raw) == (Decimal(value) if value else None)


@pytest.mark.parametrize("raw", ["-1", "1.234", "abc", "1e3x", "NaN", "99999999"])
def test_amounts_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="^not"):
        parse_amount(raw)


@given(st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2))
def test_amounts_round_trip_with_separators(value: Decimal) -> None:
    assert parse_amount(f"¥{value:,}元") == value
