"""Acceptance test in a real browser at 360×740: the foreman uploads a wage sheet with errors from the phone and
sees every row error (row, column, value, reason) with nothing imported; then uploads the corrected sheet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import PASSWORD, STAFF, World, latest_code
from tests.payroll import files
from wage_guard.extensions import db
from wage_guard.payroll.models import PayrollImport

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def test_the_foreman_uploads_a_bad_sheet_from_the_phone_and_sees_the_row_errors(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    shots = artifacts / "payroll"
    shots.mkdir(parents=True, exist_ok=True)
    bad, good = tmp_path / "十月工资.xlsx", tmp_path / "十月工资-改.xlsx"
    bad.write_bytes(
        files.xlsx(
            files.sheet(
                [
                    files.wage_line("赵六", id_no="3.70322E+17"),
                    files.wage_line("张三", number=2, net="4000.00"),
                    files.wage_line("李四", number=3, days=32),
                ]
            )
        )
    )
    good.write_bytes(files.xlsx(files.sheet([files.wage_line("赵六"), files.wage_line("张三", number=2)])))
    page = browser.new_context(**PHONE).new_page()  # type: ignore[arg-type]
    page.goto(live_server + "/login")
    page.fill("#username", "foreman_b")
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/verify")
    page.fill("#code", latest_code(app, STAFF["foreman_b"][1]))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/?$"))

    page.goto(f"{live_server}/projects/{world.project_b}/payroll/upload")
    assert page.get_attribute("#file", "accept") == files_accept()
    page.set_input_files("#file", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#problems")
    assert "工资表有 3 处问题，未导入任何数据。" in page.inner_text("main")
    rows = page.locator("#problems tbody tr")
    assert rows.count() == 3
    first = rows.nth(0).inner_text()
    assert "3" in first
    assert "身份证号码" in first
    assert "3.70322E+17" in first
    assert "科学计数法" in first
    assert "4000.00" in rows.nth(1).inner_text()
    assert "只有 31 天" in rows.nth(2).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(shots / "phone-1-row-errors.png"), full_page=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PayrollImport)) == 0

    page.set_input_files("#file", str(good))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#imported")
    assert "已导入：2026-10，第 1 版" in page.inner_text("#imported")
    assert page.inner_text("#total-net") == "9600.00"
    page.screenshot(path=str(shots / "phone-2-imported.png"), full_page=True)


def files_accept() -> str:
    from wage_guard.payroll.forms import ACCEPT

    return ACCEPT
