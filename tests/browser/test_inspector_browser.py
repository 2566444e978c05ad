"""Acceptance test in a real browser at desktop size: an inspector logs in, sees the dashboard with its charts,
filters the flags to red, opens one, sees its evidence and resolves it with a note."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import PASSWORD, STAFF, World, create_finding, latest_code
from tests.inspector.test_dashboard import _rollup
from wage_guard import boundary
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk.models import Finding

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_an_inspector_works_a_red_flag_from_the_dashboard(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    _rollup(app, world)
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        assert project is not None
        red = create_finding(project, "R04", "red")
        create_finding(project, "R11", "yellow")
        boundary.commit()
    shots = artifacts / "inspector"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "inspector_x")
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/verify")
    page.fill("#code", latest_code(app, STAFF["inspector_x"][1]))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/inspector/?$"))
    assert page.locator("svg.chart-svg").count() == 2
    assert page.locator("svg.chart-svg rect").count() > 5
    page.screenshot(path=str(shots / "1-dashboard.png"), full_page=True)
    page.click("nav.staffnav >> text=风险预警")
    page.select_option("select[name=severity]", "red")
    page.click("#flag-filters button[type=submit]")
    page.wait_for_url(re.compile(r"severity=red"))
    assert page.locator("#flags tbody tr").count() == 1
    page.screenshot(path=str(shots / "2-red-flags.png"), full_page=True)
    page.click(f"#flags a[href$='/inspector/flags/{red}']")
    page.wait_for_selector("#flag-evidence")
    assert "days_late" in page.inner_text("#flag-evidence")
    page.screenshot(path=str(shots / "3-flag.png"), full_page=True)
    page.select_option("#flag-action select[name=action]", "resolve")
    page.fill("#flag-action textarea[name=note]", "已约谈项目经理，工资已补发")
    page.fill("#flag-action textarea[name=reason]", "银行回单已核对，下次引擎运行后将自动关闭")
    page.click("#flag-action button[type=submit]")
    page.wait_for_selector("#flag-state")
    assert page.inner_text("#flag-state") == "已办结"
    assert "已约谈项目经理，工资已补发" in page.inner_text("#flag-history")
    page.screenshot(path=str(shots / "4-resolved.png"), full_page=True)
    page.click(f"main a[href$='/inspector/projects/{world.project_a}']")  # drill down to the flag's project
    page.wait_for_selector("#project-roster")
    assert f"/inspector/flags/{red}" in page.inner_html("#project-flags")
    page.screenshot(path=str(shots / "5-project.png"), full_page=True)
    context.close()
    with app.app_context():
        assert db.session.scalar(sa.select(Finding.workflow_status).where(Finding.id == red)) == "resolved"
