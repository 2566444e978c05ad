"""The date arithmetic the rules do in SQL equals the Python the findings are built with, on either database."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from wage_guard.extensions import db
from wage_guard.risk.rules.payroll_lines import deadline
from wage_guard.risk.sql import days_between, days_past_deadline, smaller

months = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 1)).map(lambda d: d.replace(day=1))


@settings(max_examples=60, deadline=None)
@given(months, st.integers(min_value=1, max_value=31), st.integers(min_value=0, max_value=40), st.integers(-90, 90))
def test_days_past_deadline_matches_the_python_deadline(app: Flask, month: date, pay_day: int, grace: int, offset: int) -> None:
    paid = deadline(month, pay_day, grace) + timedelta(days=offset)
    expression = days_past_deadline(sa.literal(month, sa.Date), [month], sa.literal(pay_day), grace, sa.literal(paid, sa.Date))
    with app.app_context():
        assert db.session.scalar(sa.select(expression)) == offset


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1)), st.dates(min_value=date(2000, 1, 1)))
def test_days_between(app: Flask, earlier: date, later: date) -> None:
    with app.app_context():
        assert (
            db.session.scalar(sa.select(days_between(sa.literal(earlier, sa.Date), sa.literal(later, sa.Date))))
            == (later - earlier).days
        )


@given(st.integers(-50, 50), st.integers(-50, 50))
def test_smaller(app: Flask, first: int, second: int) -> None:
    with app.app_context():
        assert db.session.scalar(sa.select(smaller(sa.literal(first), sa.literal(second)))) == min(first, second)
