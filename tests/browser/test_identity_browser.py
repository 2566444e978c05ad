"""Real-browser journeys of the in-person identity checks (issue 7): a phone change held for the foreman, stopped
from the registered phone, and a third person on a shared phone confirmed by the foreman.

Workers and the registered phone's holder use a 360×740 phone; foremen use a desktop. Screenshots of each step
land in ``artifacts/browser/identity-*``; worker pages are held to the phone layout rule of the enrolment test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.browser.test_enrolment_browser import DESKTOP, PHONE, _check_phone_layout, _read_code, _shot
from tests.factories import PASSWORD, STAFF, World, enrol_directly, id_number
from wage_guard import boundary
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.identity.models import CheckStatus, IdentityCheck
from wage_guard.organisations.models import Project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

VICTIM_ID = id_number("37032219850315123")
OLD_PHONE, OLD_MASKED = "+8613812345678", "138****5678"
NEW_PHONE, NEW_MASKED = "13999998888", "139****8888"


def _masked(username: str) -> str:
    phone = STAFF[username][1].removeprefix("+86")
    return phone[:3] + "****" + phone[-4:]


def _log_in(context: BrowserContext, base_url: str, username: str) -> Page:
    page = context.new_page()
    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/verify")
    outbox = context.new_page()
    code = _read_code(outbox, base_url, "login_code", _masked(username))
    outbox.close()
    page.fill("#code", code)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/(projects|inspector)/?$"))
    return page


def _enrol_on_phone(context: BrowserContext, base_url: str, token: str, name: str, id_no: str, phone: str) -> Page:
    page = context.new_page()
    page.goto(f"{base_url}/e/{token}")
    page.fill("#name", name)
    page.fill("#id_number", id_no)
    page.fill("#phone", phone)
    page.select_option("#trade", "rebar")
    page.check("#consent")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/verify")
    outbox = context.new_page()
    code = _read_code(outbox, base_url, "code", phone[:3] + "****" + phone[-4:])
    outbox.close()
    page.fill("#code", code)
    page.click("main form button[type=submit]")
    return page


def _decide(page: Page, base_url: str, name: str, shots: Path, step: str) -> None:
    page.goto(base_url + "/identity-checks/")
    page.locator("#open-checks tr").filter(has_text=name).locator("a").first.click()
    page.wait_for_url(re.compile(r"/identity-checks/\d+$"))
    _shot(page, shots, f"{step}-foreman-check")
    page.check("#seen_id_card")
    page.click("button[name=decision][value=confirm]")
    page.wait_for_load_state()
    _shot(page, shots, f"{step}-foreman-confirmed")


def _latest_check(app: Flask) -> IdentityCheck:
    with app.app_context():
        check = db.session.scalars(sa.select(IdentityCheck).order_by(IdentityCheck.id.desc())).first()
        assert check is not None
        db.session.expunge(check)
        return check


def test_phone_change_held_confirmed_in_person_and_stopped_by_the_registered_phone(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    with app.app_context():
        project_a = db.session.get(Project, world.project_a)
        assert project_a is not None
        enrol_directly(project_a, "李四", VICTIM_ID, OLD_PHONE)
        boundary.commit()
    shots = artifacts
    worker_context = browser.new_context(**PHONE)
    page = _enrol_on_phone(worker_context, live_server, world.token_b, "李四", VICTIM_ID, NEW_PHONE)
    page.wait_for_url("**/held")
    assert "班组长" in page.inner_text("main")
    assert OLD_MASKED not in page.inner_text("main")
    _check_phone_layout(page, "identity held page")
    _shot(page, shots, "identity-01-worker-held")

    foreman_context = browser.new_context(**DESKTOP)
    foreman = _log_in(foreman_context, live_server, "foreman_b")
    _decide(foreman, live_server, "李四", shots, "identity-02")
    assert _latest_check(app).status is CheckStatus.ON_HOLD
    assert "已确认" in foreman.inner_text("#check-status")

    owner_context = browser.new_context(**PHONE)
    outbox = owner_context.new_page()
    outbox.goto(live_server + "/dev/outbox")
    body = outbox.locator('li.sms[data-template="phone_change_confirmed"]').filter(has_text=OLD_MASKED).first.inner_text()
    cancel_url = re.search(r"https?://\S+/id/[A-Za-z0-9_-]+", body)
    assert cancel_url, body
    owner = owner_context.new_page()
    owner.goto(cancel_url.group(0))
    assert NEW_MASKED in owner.inner_text("main")
    _check_phone_layout(owner, "cancel page")
    _shot(owner, shots, "identity-03-registered-phone-sees-request")
    owner.click("main form button[type=submit]")
    owner.wait_for_selector("text=已阻止")
    _shot(owner, shots, "identity-04-registered-phone-stopped-it")
    assert _latest_check(app).status is CheckStatus.CANCELLED
    with app.app_context():
        assert db.session.scalars(sa.select(Worker.phone).where(Worker.name == "李四")).one() == OLD_PHONE
    for context in (worker_context, foreman_context, owner_context):
        context.close()


def test_third_person_on_a_shared_phone_is_confirmed_by_the_foreman(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    shared = "+8613600001111"
    with app.app_context():
        project_a = db.session.get(Project, world.project_a)
        assert project_a is not None
        enrol_directly(project_a, "张一", id_number("37032219800101001"), shared)
        enrol_directly(project_a, "张二", id_number("37032219810101002"), shared)
        boundary.commit()
    worker_context = browser.new_context(**PHONE)
    page = _enrol_on_phone(worker_context, live_server, world.token_a, "张三", id_number("37032219820101003"), shared[3:])
    page.wait_for_url("**/held")
    assert "多人" in page.inner_text("main")
    _check_phone_layout(page, "shared phone held page")
    _shot(page, artifacts, "identity-11-third-person-held")

    foreman_context = browser.new_context(**DESKTOP)
    foreman = _log_in(foreman_context, live_server, "foreman_a")
    _decide(foreman, live_server, "张三", artifacts, "identity-12")
    page.reload()
    assert "已确认" in page.inner_text("main")
    _shot(page, artifacts, "identity-13-worker-confirmed")
    with app.app_context():
        names = set(db.session.scalars(sa.select(Worker.name).join(Enrollment).where(Enrollment.project_id == world.project_a)))
    assert {"张一", "张二", "张三"} <= names

    inspector_context = browser.new_context(**DESKTOP)
    inspector = _log_in(inspector_context, live_server, "inspector_x")
    inspector.goto(live_server + "/inspector/")
    assert "张三" in inspector.inner_text("#identity-summary")
    _shot(inspector, artifacts, "identity-14-inspector-sees-confirmation")
    for context in (worker_context, foreman_context, inspector_context):
        context.close()
