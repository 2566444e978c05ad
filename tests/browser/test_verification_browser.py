"""Acceptance test in a real browser: the public verification page says which version a file is. The final contract
is "valid … signed by both parties (final)" (and the page re-checks the evidence-log proofs), the revision cut after
the employer's seal is "not complete: only the employer has sealed", and a copy with one changed byte is "not valid:
changed after signing" with what to do and the upload form, on a 360×740 phone and on a desktop, with screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.factories import World
from tests.journeys.conftest import final_pdf, make_signing_world
from tests.journeys.test_signing_journey import sign_one
from tests.verification.support import revisions

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


def _check(page: Page, base: str, path: Path) -> None:
    page.goto(base + "/verify/")
    page.set_input_files("#file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#verdict")


def _fits(page: Page) -> None:
    """Nothing wider than the screen: the report reads without sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_verification_page_says_which_version_a_file_is(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path, tmp_path: Path, device: str
) -> None:
    shots = artifacts / "verification"
    shots.mkdir(parents=True, exist_ok=True)
    pdf = final_pdf(app, sign_one(app, make_signing_world(app, world)))
    final, employer_only, tampered = tmp_path / "contract.pdf", tmp_path / "employer-only.pdf", tmp_path / "tampered.pdf"
    final.write_bytes(pdf)
    employer_only.write_bytes(revisions(pdf)[1])
    changed = bytearray(pdf)
    changed[pdf.index(b"stream", pdf.index(b"/Contents")) + 20] ^= 0x01
    tampered.write_bytes(bytes(changed))

    page = browser.new_context(**VIEWPORTS[device]).new_page()  # type: ignore[arg-type]
    _check(page, live_server, final)
    assert "valid" in (page.get_attribute("#verdict", "class") or "").split()
    assert page.inner_text("#verdict") == "有效：双方已签署的最终合同"
    assert "双方已签署（最终版本）。" in page.inner_text("#version")
    assert "该合同生效中。" in page.inner_text("#version")
    page.wait_for_selector(".proof-browser.ok")
    entries = page.locator(".log-entry").count()
    assert entries >= 8
    page.wait_for_function("n => document.querySelectorAll('.proof-browser.ok').length === n", arg=entries)
    _fits(page)
    page.screenshot(path=str(shots / f"{device}-1-final.png"), full_page=True)

    _check(page, live_server, employer_only)
    assert "incomplete" in (page.get_attribute("#verdict", "class") or "").split()
    assert page.inner_text("#verdict") == "不完整：只有用人单位盖了章"
    assert "只有用人单位盖了章，劳动者没有签署。这不是完整的合同。" in page.inner_text("#version")
    assert "生效中" not in page.inner_text("main")
    assert "我的合同" in page.inner_text("#advice")
    _fits(page)
    page.screenshot(path=str(shots / f"{device}-2-employer-only.png"), full_page=True)

    _check(page, live_server, tampered)
    assert "invalid" in (page.get_attribute("#verdict", "class") or "").split()
    assert page.inner_text("#verdict") == "无效：此文件在签署后被修改过"
    assert "此文件在签署后被修改过" in page.inner_text("#findings")
    assert "我的合同" in page.inner_text("#advice")
    assert page.locator("#check-another #file").is_visible()
    _fits(page)
    page.screenshot(path=str(shots / f"{device}-3-tampered.png"), full_page=True)
