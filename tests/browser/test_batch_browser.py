"""Acceptance test in a real browser: the foreman, on a phone, issues contracts to 50 workers at once and watches
the progress bar while the scheduler's job issues them, until it reaches the end."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask

from jobs.batches import run_contract_batches
from jobs.runner import run_job
from tests.batches.conftest import make_crowd
from tests.browser.test_issue_form_browser import _log_in
from tests.factories import World
from tests.journeys.conftest import make_signing_world
from wage_guard.batches.models import BatchRun
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
SIZE = 50
MOVED = "() => { const bar = document.querySelector('progress.batch-bar'); return bar && bar.value > 0; }"


def _scheduler(app: Flask, stop: threading.Event) -> None:
    """The scheduler's job, as ``python -m jobs`` runs it, until the batch is finished."""
    while not stop.is_set():
        run_job(app, run_contract_batches)
        with app.app_context():
            if db.session.scalar(sa.select(sa.func.count()).select_from(BatchRun).where(BatchRun.finished_at.is_(None))) == 0:
                return
        stop.wait(0.2)


def test_the_foreman_watches_a_50_contract_batch_to_the_end(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    crowd = make_crowd(app, make_signing_world(app, world), SIZE)
    shots = artifacts / "batch"
    shots.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _log_in(page, app, live_server)
    page.goto(f"{live_server}/projects/{world.project_a}/contracts/new")
    for entry in crowd.enrollments:
        page.check(f'input[name=enrollment_ids][value="{entry}"]')
    page.fill("#job_title", "钢筋工")
    page.fill("#task_description", "3号楼主体结构钢筋绑扎完成")
    page.fill("#pay_amount", "350")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#warnings")  # no minimum wage is known for 高青县: the foreman confirms it
    page.check("#confirm_minimum_wage")
    page.screenshot(path=str(shots / "1-issue-form.png"))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/contracts/batches/\d+$"))
    bar = page.locator("progress.batch-bar")
    assert bar.get_attribute("max") == str(SIZE)
    assert bar.get_attribute("value") == "0"
    assert f"已完成 0 / 共 {SIZE} 份合同" in page.inner_text(".batch-count")
    page.screenshot(path=str(shots / "2-progress-start.png"), full_page=True)

    stop = threading.Event()
    worker = threading.Thread(target=_scheduler, args=(app, stop), name="scheduler", daemon=True)
    worker.start()
    try:
        page.wait_for_function(MOVED, timeout=120_000)
        page.screenshot(path=str(shots / "3-progress-moving.png"), full_page=True)
        page.wait_for_selector(".batch-done", timeout=300_000)  # the script reloads the page when the run finishes
    finally:
        stop.set()
        worker.join(timeout=300)
    page.screenshot(path=str(shots / "4-progress-done.png"), full_page=True)
    assert page.locator("progress.batch-bar").get_attribute("value") == str(SIZE)
    assert f"已结束：{SIZE} 份全部完成。" in page.inner_text(".batch-done")
    context.close()
    with app.app_context():
        issued = list(db.session.scalars(sa.select(Contract.enrollment_id)))
    assert sorted(issued) == sorted(crowd.enrollments)
