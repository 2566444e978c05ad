"""Acceptance test in a real browser: the public verification page says "valid" for a signed contract (and the
page itself re-checks the evidence-log proofs), then "invalid" for a copy with one changed byte."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.factories import World
from tests.journeys.conftest import final_pdf, make_signing_world
from tests.journeys.test_signing_journey import sign_one

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_public_verification_page_valid_then_invalid(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    shots = artifacts / "verification"
    shots.mkdir(parents=True, exist_ok=True)
    pdf = final_pdf(app, sign_one(app, make_signing_world(app, world)))
    good, bad = tmp_path / "contract.pdf", tmp_path / "tampered.pdf"
    good.write_bytes(pdf)
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream", pdf.index(b"/Contents")) + 20] ^= 0x01
    bad.write_bytes(bytes(tampered))

    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    page.goto(live_server + "/verify/")
    page.set_input_files("#file", str(good))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert "valid" in (page.get_attribute("#verdict", "class") or "").split()
    assert "有效" in page.inner_text("#verdict")
    page.wait_for_selector(".proof-browser.ok")
    entries = page.locator(".log-entry").count()
    assert entries >= 8
    page.wait_for_function("n => document.querySelectorAll('.proof-browser.ok').length === n", arg=entries)
    page.screenshot(path=str(shots / "1-valid.png"), full_page=True)

    page.goto(live_server + "/verify/")
    page.set_input_files("#file", str(bad))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert "invalid" in (page.get_attribute("#verdict", "class") or "").split()
    assert "无效" in page.inner_text("#verdict")
    page.screenshot(path=str(shots / "2-invalid.png"), full_page=True)
