"""The county dashboard's risk figures and charts: the roll-up of the inspector's own area, drawn as SVG."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import World, login
from wage_guard import boundary
from wage_guard.extensions import db
from wage_guard.inspector import charts
from wage_guard.risk.models import CountyRollup, CountyRuleCount, CountyTrend, ProjectRollup, Severity


def _rollup(app: Flask, world: World) -> None:
    with app.app_context():
        db.session.add(
            CountyRollup(
                county_code="370322",
                projects_red=1,
                roster_workers=123,
                covered_workers=100,
                coverage_pct=Decimal("81.3"),
                open_flags=7,
                workers_affected=5,
                amount_owed=Decimal("4321.50"),
                open_complaints=2,
                closed_this_month=3,
                median_days_to_close=Decimal("4.5"),
            )
        )
        db.session.add_all(
            CountyTrend(county_code="370322", month=date(2026, m, 1), opened=m, closed=m // 2) for m in range(1, 12)
        )
        db.session.add(CountyRuleCount(county_code="370322", rule_code="R04", severity="red", findings=4, workers=4))
        db.session.add(CountyRuleCount(county_code="370322", rule_code="R11", severity="yellow", findings=3, workers=3))
        db.session.add(ProjectRollup(project_id=world.project_a, county_code="370322", tier=Severity.RED, priority=True, reds=2))
        db.session.add(CountyRollup(county_code="370321", roster_workers=999, open_flags=55))
        boundary.commit()


def test_the_dashboard_shows_the_areas_figures_and_charts(app: Flask, world: World) -> None:
    _rollup(app, world)
    client = app.test_client()
    login(client, "inspector_x")
    page = client.get("/inspector/?lang=en").get_data(as_text=True)
    for text in ("123", "81.3%", "¥4321.50", "Median days to close", "Flags opened and closed per month", "Open flags by rule"):
        assert text in page
    assert page.count("<svg") == 2
    assert 'class="bar-red"' in page
    assert 'class="bar-closed"' in page
    assert f"/inspector/flags?project={world.project_a}" in page
    assert "999" not in page  # county 370321's figures belong to another inspector
    assert "<script" not in page.split("<main>")[1]


def test_a_city_inspector_sees_a_table_of_its_counties(app: Flask, world: World) -> None:
    _rollup(app, world)
    client = app.test_client()
    login(client, "inspector_city")  # 370300: both counties of the world
    page = client.get("/inspector/?lang=en").get_data(as_text=True)
    table = page.split('id="county-table"')[1].split("</section>")[0]
    assert 'href="#county-370322"' in table
    assert 'href="#county-370321"' in table
    assert "999" in table  # county 370321's workers, beside 370322's 123
    assert "123" in table
    county_x = app.test_client()
    login(county_x, "inspector_x")
    assert 'id="county-table"' not in county_x.get("/inspector/").get_data(as_text=True)


def test_a_county_without_a_run_says_so(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "inspector_x")
    assert "The risk engine has not run for this county yet." in client.get("/inspector/?lang=en").get_data(as_text=True)


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=14))
def test_stacked_bars_stay_in_the_plot_and_add_up(values: list[tuple[int, int, int]]) -> None:
    categories = [f"R{i:02d}" for i in range(len(values))]
    series = [(kind, [v[i] for v in values]) for i, kind in enumerate(("red", "orange", "yellow"))]
    chart = charts.stacked(categories, series)
    plot_height = charts.HEIGHT - charts.BOTTOM - charts.TOP
    top = chart.ticks[-1][1]
    assert top >= max(sum(v) for v in values)
    for index, total in enumerate(sum(v) for v in values):
        column = chart.bars[index * 3 : index * 3 + 3]
        assert abs(sum(b.height for b in column) - total / top * plot_height) < 0.5
        assert all(b.y >= charts.TOP - 0.5 and b.y + b.height <= charts.HEIGHT - charts.BOTTOM + 0.5 for b in column)
        assert all(b.x + b.width <= charts.WIDTH for b in column)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=12))
def test_grouped_bars_are_proportional(values: list[int]) -> None:
    chart = charts.grouped([str(i) for i in range(len(values))], [("opened", values), ("closed", [0] * len(values))])
    top = chart.ticks[-1][1]
    assert top % 4 == 0
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.value == max(values)
    assert all(t == top * step // 4 for step, (_y, t) in enumerate(chart.ticks))
