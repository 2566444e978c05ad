"""Acceptance test in a real browser (Debian chromium at 360x740): after a payroll import a worker opens the
confirmation link from the SMS, proves the phone with a code, reads the pay slip and disputes the amount; the
foreman's confirmations page and the month's wage ledger (desktop) then show the dispute. Screenshots go to
artifacts/browser/wage-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.browser.test_enrolment_browser import DESKTOP, PHONE, _check_phone_layout, _log_in_foreman, _read_code, _shot
from tests.confirmations.support import Row, import_month, link_token
from tests.factories import World
from wage_guard import boundary

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

WORKER_PHONE = "+8613700000001"  # 赵六 on project B
MASKED = "137****0001"


def test_worker_disputes_the_amount_and_the_foreman_sees_it(
    app: Flask, browser: Browser, live_server: str, world: World, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b, net="4500.00", gross="4800.00", deductions="300.00")])
        boundary.commit()
    token = link_token(app, WORKER_PHONE)
    worker_context = browser.new_context(**PHONE)
    foreman_context = browser.new_context(**DESKTOP)
    try:
        page = worker_context.new_page()
        page.goto(f"{live_server}/w/{token}")
        assert page.inner_text("h1") == "您 2026-10 的工资清单"
        assert MASKED in page.inner_text("main")
        _check_phone_layout(page, "confirmation start")
        _shot(page, artifacts, "wage-01-worker-link")
        page.click("#send-code")
        page.wait_for_url("**/verify")
        outbox = worker_context.new_page()
        code = _read_code(outbox, live_server, "wage_code", MASKED)
        outbox.close()
        page.fill("#code", code)
        _shot(page, artifacts, "wage-02-worker-code")
        page.click("main form[action$='/verify'] button[type=submit]")
        page.wait_for_url("**/slip")
        slip = page.inner_text("main")
        for shown in (
            "桓台县项目B",
            "乙建筑公司",
            "2026-10",
            "出勤天数",
            "¥4800.00",
            "伙食费",
            "¥4500.00",
            "2026-11-15",
            "银行代发",
        ):
            assert shown in slip, shown
        _check_phone_layout(page, "pay slip")
        _shot(page, artifacts, "wage-03-worker-slip")
        page.click("label[for='answer-2']")  # 金额不对
        page.fill("#amount", "4000")
        page.fill("#note", "少发了500元加班费")
        _check_phone_layout(page, "filled answer")
        _shot(page, artifacts, "wage-04-worker-answer")
        page.click("#send-answer")
        page.wait_for_url(re.compile(r"/slip$"))
        assert page.inner_text("#answer-given") == "金额不对"
        _check_phone_layout(page, "answered")
        _shot(page, artifacts, "wage-05-worker-answered")

        foreman = _log_in_foreman_b(foreman_context, live_server, artifacts, monkeypatch)
        foreman.goto(f"{live_server}/projects/{world.project_b}")
        foreman.click("#confirmations-link")
        foreman.wait_for_url("**/confirmations")
        row = foreman.locator("tr.dispute")
        assert row.count() == 1
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == "赵六", cells
        assert "金额不对" in cells[3], cells
        assert cells[4] == "¥4000.00", cells
        assert "少发了500元加班费" in cells[5], cells
        assert foreman.inner_text("#dispute-count") == "待处理异议：1 条"
        _shot(foreman, artifacts, "wage-06-foreman-dispute")

        # The wage ledger of the month shows the same dispute on 赵六's line.
        foreman.goto(f"{live_server}/projects/{world.project_b}/payroll/ledger/month?month=2026-10")
        ledger_row = foreman.locator("tr", has_text="赵六")
        assert ledger_row.count() == 1
        assert "金额" in ledger_row.locator("td.confirmation").inner_text()
        _shot(foreman, artifacts, "wage-07-foreman-ledger")
    finally:
        worker_context.close()
        foreman_context.close()


def _log_in_foreman_b(context, base_url: str, shots: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Foreman B, through the same two-factor login as the enrolment test's foreman."""
    from tests.browser import test_enrolment_browser as enrolment

    monkeypatch.setattr(enrolment, "FOREMAN", "foreman_b")
    monkeypatch.setattr(enrolment, "FOREMAN_PHONE_MASKED", "139****0003")
    monkeypatch.setattr(enrolment, "_shot", lambda page, directory, step: _shot(page, directory, f"wage-foreman-{step}"))
    return _log_in_foreman(context, base_url, shots)
