"""Severance under 劳动合同法 Art. 47 and the grounds of Art. 39-41 and 44: worked examples and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wage_guard.contracts import severance
from wage_guard.contracts.severance import GROUNDS, grounds_for, severance_months, short_notice

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
WAGES = st.decimals(min_value=Decimal("1"), max_value=Decimal("100000"), places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), Decimal("0.5")),  # one day: under six months, half a month
        (date(2026, 1, 1), date(2026, 6, 29), Decimal("0.5")),  # 5 months 29 days
        (date(2026, 1, 1), date(2026, 6, 30), Decimal("1")),  # six full months count as a year
        (date(2026, 1, 1), date(2026, 12, 31), Decimal("1")),  # exactly one year
        (date(2026, 1, 1), date(2027, 1, 1), Decimal("1.5")),  # a year and a day
        (date(2026, 1, 1), date(2027, 6, 30), Decimal("2")),  # a year and six months
        (date(2024, 2, 29), date(2025, 2, 27), Decimal("1")),  # 11 months and more
        (date(2026, 3, 1), date(2026, 2, 28), Decimal("0")),  # ends before it starts
    ],
)
def test_worked_examples(first: date, last: date, months: Decimal) -> None:
    assert severance_months(first, last) == months


@given(DAYS, st.integers(min_value=0, max_value=20 * 366))
def test_months_are_whole_or_half_and_bounded_by_the_years(first: date, days: int) -> None:
    last = first + timedelta(days=days)
    months = severance_months(first, last)
    assert months * 2 == int(months * 2)  # whole or half months only
    assert Decimal("0.5") <= months <= Decimal(int((days + 1) / 365) + 1)  # at most a month per year begun
    assert months >= int((days + 1) / 366)  # at least one month per full year served


@given(DAYS, st.integers(min_value=0, max_value=20 * 366), st.integers(min_value=1, max_value=400))
def test_longer_service_never_means_less(first: date, days: int, more: int) -> None:
    last = first + timedelta(days=days)
    assert severance_months(first, last + timedelta(days=more)) >= severance_months(first, last)


@given(DAYS, st.integers(min_value=0, max_value=30 * 366), WAGES, WAGES)
def test_high_earners_are_capped_at_three_times_the_average_and_twelve_years(
    first: date, days: int, wage: Decimal, average: Decimal
) -> None:
    last = first + timedelta(days=days)
    result = severance.severance(first, last, monthly_wage=wage, local_average_monthly=average)
    assert result.amount is not None
    assert result.capped == (wage > 3 * average)
    if result.capped:
        assert result.months <= 12
        assert result.monthly_base == 3 * average
        assert result.amount <= 3 * average * 12 + Decimal("0.01")
    else:
        assert result.months == severance_months(first, last)
        assert result.amount == (wage * result.months).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_no_wage_gives_months_only() -> None:
    result = severance.severance(date(2020, 1, 1), date(2026, 1, 15))
    assert (result.months, result.amount, result.capped) == (Decimal("6.5"), None, False)


def test_article_39_never_pays_severance_and_the_others_do() -> None:
    for code, ground in GROUNDS.items():
        assert ground.severance_due == (not code.startswith("39.")), code
    assert {g.code for g in grounds_for("termination_notice")} == {"44.1", "task"}
    assert all(g.kind == "rescission_notice" for g in grounds_for("rescission_notice"))
    assert all(g.article and g.text for g in GROUNDS.values())


@given(DAYS, st.integers(min_value=0, max_value=90))
def test_article_40_needs_thirty_days_and_the_others_none(issued: date, days: int) -> None:
    effective = issued + timedelta(days=days)
    for ground in GROUNDS.values():
        expected = ground.code.startswith("40.") and days < 30
        assert short_notice(ground, issued, effective) == expected
