"""A worker on a 360×740 phone reports compromised signing means in the portal, and the certificate is revoked.

Screenshots land in ``artifacts/browser/revocation``; the pages are held to the phone layout rule of the enrolment
test (no sideways scrolling, 16 px text, 44 px touch targets).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.browser.test_enrolment_browser import PHONE, _check_phone_layout, _read_code, _shot
from tests.factories import World
from tests.journeys.conftest import make_signing_world
from tests.journeys.test_signing_journey import sign_one
from wage_guard.extensions import db
from wage_guard.signing.models import SigningIdentity

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

PHONE_NUMBER, MASKED = "13812345678", "138****5678"


def test_worker_revokes_their_certificate_on_a_phone(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    shots = artifacts / "revocation"
    shots.mkdir(parents=True, exist_ok=True)
    sign_one(app, make_signing_world(app, world))

    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/me/")
    page.fill("#phone", PHONE_NUMBER)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/me/verify")
    outbox = context.new_page()
    code = _read_code(outbox, live_server, "portal_code", MASKED)
    outbox.close()
    page.fill("#code", code)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/me/contracts")

    page.click("a[href$='/me/signing-certificate']")
    page.wait_for_url("**/me/signing-certificate")
    assert "使用中" in page.inner_text("main")
    _check_phone_layout(page, "signing certificate")
    _shot(page, shots, "1-in-use")

    page.click("main form button[type=submit]")  # without the confirmation: refused, nothing revoked
    assert "请确认" in page.inner_text("main")
    _shot(page, shots, "2-confirm-first")
    page.check("input[name=confirm]")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/me/signing-certificate")
    text = page.inner_text("main")
    assert "签名证书已吊销" in text
    assert "已于" in text
    assert "keyCompromise" in text
    assert page.locator("main form").count() == 0  # nothing left to revoke
    _check_phone_layout(page, "revoked")
    _shot(page, shots, "3-revoked")
    context.close()

    with app.app_context():
        [identity] = db.session.scalars(sa.select(SigningIdentity).where(SigningIdentity.owner_kind == "worker")).all()
        assert identity.revoked_at is not None
