"""Acceptance test in a real browser: foreman B on a 360×740 phone uploads the bank's transfer results (代发回单),
first a file with row errors (every one listed, nothing imported), then the right one, and reads the month's wage
ledger with each line's bank result; the county's inspector on a desktop opens the same ledger and downloads the
XLSX. Screenshots go to artifacts/browser/ledger/."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from tests.browser.test_enrolment_browser import DESKTOP, PHONE, _check_phone_layout
from tests.factories import PASSWORD, STAFF, World, latest_code
from tests.payroll import files
from tests.payroll.bank_support import BANK_HEADER, bank_xlsx, import_sheet
from wage_guard.extensions import db
from wage_guard.payroll.bank_models import BankResultImport

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser


def _log_in(app: Flask, context: BrowserContext, base_url: str, username: str) -> Page:
    page = context.new_page()
    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/verify")
    page.fill("#code", latest_code(app, STAFF[username][1]))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/(projects|inspector)/?"))
    return page


def test_the_foreman_imports_bank_results_on_the_phone_and_the_inspector_downloads_the_ledger(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    shots = artifacts / "ledger"
    shots.mkdir(parents=True, exist_ok=True)
    import_sheet(app, world.project_b)
    bad, good = tmp_path / "代发回单-错.csv", tmp_path / "代发回单.xlsx"
    bad.write_bytes(
        files.csv_bytes(
            [BANK_HEADER, [1, "赵六", "6.22202E+18", "4800", "成功", "20261115"], [2, "钱七", "2222", "4500", "处理中", "x"]]
        )
    )
    good.write_bytes(bank_xlsx())

    phone = browser.new_context(**PHONE)
    page = _log_in(app, phone, live_server, "foreman_b")
    page.goto(f"{live_server}/projects/{world.project_b}/payroll/ledger/")
    page.click("a.button[href$='/payroll/bank']")
    _check_phone_layout(page, "bank upload")
    page.set_input_files("#file", str(bad))
    page.click("#bank-form button[type=submit]")
    page.wait_for_selector("#problems")
    rows = page.locator("#problems tbody tr")
    assert rows.count() == 3
    assert "科学计数法" in rows.nth(0).inner_text()
    assert "处理中" in rows.nth(1).inner_text()
    _check_phone_layout(page, "bank upload with row errors")
    page.screenshot(path=str(shots / "phone-1-bank-row-errors.png"), full_page=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankResultImport)) == 0

    page.set_input_files("#file", str(good))
    page.click("#bank-form button[type=submit]")
    page.wait_for_url("**/payroll/ledger/month?month=2026-10")
    assert page.inner_text("h1") == "2026-10 工资支付台账"
    assert "代发失败" in page.inner_text("#line-4")  # 钱七, row 4 of the wage sheet
    assert "金额不符" in page.inner_text("#line-5")  # 王五
    assert "3600.00" in page.inner_text("#line-5")
    assert "无代发记录" in page.inner_text("#line-6")  # 李四
    assert "吴十" in page.inner_text("#unmatched")
    assert "16200.00" in page.inner_text("#total-net")
    _check_phone_layout(page, "wage ledger")
    page.screenshot(path=str(shots / "phone-2-ledger.png"), full_page=True)
    phone.close()

    desktop = browser.new_context(**DESKTOP, accept_downloads=True)
    page = _log_in(app, desktop, live_server, "inspector_y")
    page.goto(f"{live_server}/projects/{world.project_b}/payroll/ledger/month?month=2026-10")
    assert "代发失败" in page.inner_text("#ledger")
    page.screenshot(path=str(shots / "desktop-3-inspector-ledger.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#export")
    path = download.value.path()
    assert download.value.suggested_filename == f"wage-ledger-project{world.project_b}-2026-10.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes())).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "工资支付台账"
    assert values[-1][0] == "合计"
    desktop.close()
