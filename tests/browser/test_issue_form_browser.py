"""The contract issue form in a real browser: the script shows only the fields of the chosen term type, and a
foreman issues a fixed-term contract through the minimum-wage warning by ticking its confirmation."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import PASSWORD, STAFF, latest_code
from tests.journeys.conftest import SigningWorld
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def _log_in(page: Page, app: Flask, base_url: str) -> None:
    page.goto(base_url + "/login")
    page.fill("#username", "foreman_a")
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/verify")
    page.fill("#code", latest_code(app, STAFF["foreman_a"][1]))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/?$"))


def _shown(page: Page) -> tuple[bool, bool]:
    return page.is_visible("#end_date"), page.is_visible("#task_description")


def test_the_form_follows_the_term_type_and_issues_after_confirmation(
    app: Flask, signing_world: SigningWorld, live_server: str, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    _log_in(page, app, live_server)
    page.goto(f"{live_server}/projects/{signing_world.base.project_a}/contracts/new?lang=en")
    assert _shown(page) == (False, True)  # task-based is the default
    page.select_option("#term_type", "fixed")
    assert _shown(page) == (True, False)
    page.select_option("#term_type", "open_ended")
    assert _shown(page) == (False, False)
    page.select_option("#term_type", "fixed")
    page.check(f'input[name=enrollment_ids][value="{signing_world.enrollments["李四"]}"]')
    page.fill("#end_date", "2027-11-01")
    page.fill("#job_title", "钢筋工")
    page.fill("#pay_amount", "350")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#warnings")
    assert "No minimum wage is known" in page.inner_text("#warnings")
    assert _shown(page) == (True, False)  # the script runs again on the returned page
    page.check("#confirm_minimum_wage")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/contracts/?$"))
    context.close()
    with app.app_context():
        contract = db.session.scalars(sa.select(Contract)).one()
        assert contract.data_quality is not None
        assert contract.data_quality["R02"]["outcome"] == "inconclusive"
