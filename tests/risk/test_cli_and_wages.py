"""``flask risk run`` as an operator types it, the minimum-wage tiers (the lookup and the administrator's page)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, login
from tests.risk.support import KNOWN, UNKNOWN, at, enrol, project_in
from wage_guard import boundary, clock
from wage_guard.extensions import db
from wage_guard.organisations import minimum_wages
from wage_guard.organisations.models import County, CountyWageTier, MinimumWage, TierMinimumWage
from wage_guard.risk.models import Finding
from wage_guard.risk.rules import RULES


def test_cli_prints_counts_by_rule_and_severity(app: Flask, world: World) -> None:
    with app.app_context():
        enrol(project_in(KNOWN, world.users), date(2026, 1, 1))
        boundary.commit()
    clock.freeze(at(date(2026, 3, 2)))
    result = app.test_cli_runner().invoke(args=["risk", "run", "--county", KNOWN])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "contract facts refreshed: 0; payroll lines' risk bounds computed: 0"
    assert "open-red" in lines[1]
    assert [line.split() for line in lines if line.startswith("R01")] == [["R01", "1", "0", "0", "0", "1", "0", "0"]]
    assert {line.split()[0] for line in lines[2 : 2 + len(RULES)]} == {rule.code for rule in RULES}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 1  # committed
    again = app.test_cli_runner().invoke(args=["risk", "run", "--county", KNOWN])
    assert [line.split() for line in again.output.splitlines() if line.startswith("R01")] == [
        ["R01", "1", "0", "0", "0", "0", "0", "0"]
    ]


def test_cli_refuses_an_unknown_county(app: Flask, world: World) -> None:
    result = app.test_cli_runner().invoke(args=["risk", "run", "--county", "999999"])
    assert result.exit_code == 2
    assert "999999" in result.output
    assert "没有" in result.output
    assert "There is no county" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0


def test_a_county_without_its_own_row_uses_its_tier(app: Flask, world: World) -> None:
    with app.app_context():
        county = db.session.get(County, UNKNOWN)
        assert county is not None
        assert county.minimum_wage_on(date(2026, 1, 1)) is None  # unknown: never zero
        minimum_wages.set_county_tier(UNKNOWN, "二档")
        db.session.expire(county)
        wage = county.minimum_wage_on(date(2025, 10, 1))
        assert wage is not None
        assert (wage.monthly, wage.hourly) == (Decimal("2210"), Decimal("22"))
        assert county.minimum_wage_on(date(2025, 9, 30)) is None
        minimum_wages.add_tier_wage(
            province_code="37",
            tier="二档",
            monthly=Decimal("2500"),
            hourly=Decimal("25"),
            effective_from=date(2027, 10, 1),
            source="x",
        )
        later = county.minimum_wage_on(date(2027, 10, 1))
        assert later is not None
        assert later.monthly == Decimal("2500")


def test_the_seed_places_confirmed_counties_in_tiers(app: Flask, world: World) -> None:
    with app.app_context():
        tiers = {t.county_code: t.tier for t in db.session.scalars(sa.select(CountyWageTier))}
        assert tiers[KNOWN] == "一档"
        assert tiers["110105"] == "全市统一"
        assert UNKNOWN not in tiers  # tier not confirmed: not seeded
        figures = {(t.province_code, t.tier): t.monthly for t in db.session.scalars(sa.select(TierMinimumWage))}
        assert figures == {
            ("37", "一档"): Decimal("2400"),
            ("37", "二档"): Decimal("2210"),
            ("37", "三档"): Decimal("2020"),
            ("11", "全市统一"): Decimal("2540"),
        }
        own = db.session.scalar(sa.select(MinimumWage).where(MinimumWage.county_code == KNOWN))
        county = db.session.get(County, KNOWN)
        assert own is not None
        assert county is not None
        assert county.minimum_wage_on(date(2026, 1, 1)) is own  # the county's own row wins a tie


def _admin(client: FlaskClient) -> None:
    login(client, "admin")


def test_the_administrator_adds_a_tier_figure_and_places_a_county(client: FlaskClient, world: World) -> None:
    _admin(client)
    page = client.get("/admin/minimum-wages/")
    assert page.status_code == 200
    assert "鲁政字〔2025〕140号" in page.get_data(as_text=True)
    form = {
        "province_code": "37",
        "tier": "三档",
        "monthly": "2300",
        "hourly": "23",
        "effective_from": "2027-10-01",
        "source": "鲁政字〔2027〕1号",
    }
    assert client.post("/admin/minimum-wages/", data=form).status_code == 302
    assert client.post("/admin/minimum-wages/county", data={"county_code": UNKNOWN, "tier": "三档"}).status_code == 302
    with client.application.app_context():
        county = db.session.get(County, UNKNOWN)
        assert county is not None
        wage = county.minimum_wage_on(date(2027, 10, 1))
        assert wage is not None
        assert wage.monthly == Decimal("2300")


def test_bad_minimum_wage_input_is_refused_clearly(client: FlaskClient, world: World) -> None:
    _admin(client)
    form = {"province_code": "37", "tier": "一档", "monthly": "2400", "hourly": "24", "effective_from": "2025-10-01"}
    duplicate = client.post("/admin/minimum-wages/", data=form)
    assert duplicate.status_code == 422
    assert "2025-10-01" in duplicate.get_data(as_text=True)
    zero = client.post("/admin/minimum-wages/", data={**form, "monthly": "0", "effective_from": "2027-01-01"})
    assert zero.status_code == 422
    wrong_tier = client.post("/admin/minimum-wages/county", data={"county_code": UNKNOWN, "tier": "四档"})
    assert wrong_tier.status_code == 422
    assert "四档" in wrong_tier.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.get(CountyWageTier, UNKNOWN) is None


def test_only_the_administrator_edits_minimum_wages(client: FlaskClient, world: World) -> None:
    login(client, "inspector_x")
    assert client.get("/admin/minimum-wages/").status_code == 403
    assert client.post("/admin/minimum-wages/county", data={"county_code": UNKNOWN, "tier": "三档"}).status_code == 403
