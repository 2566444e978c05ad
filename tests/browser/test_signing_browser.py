"""Acceptance test in a real browser: the employer seals on a phone, then the worker opens the SMS link,
confirms the code, acknowledges the notice, drags their seal with touch events and signs. The PDF verifies and
the seal is drawn where it was dropped."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from tests.browser.test_enrolment_browser import _check_phone_layout
from tests.factories import World
from tests.journeys.conftest import SIGNATORY_PHONE, WORKERS, final_pdf, issue, link_in_sms, make_signing_world
from wage_guard.contracts.models import ContractEvent
from wage_guard.documents import previews
from wage_guard.extensions import db
from wage_guard.signing import services as signing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _mask(e164: str) -> str:
    national = e164.removeprefix("+86")
    return national[:3] + "****" + national[-4:]


def _shot(page: Page, directory: Path, step: str) -> None:
    page.screenshot(path=str(directory / f"{step}.png"), full_page=False)


def _code_from_outbox(page: Page, base_url: str, phone: str) -> str:
    page.goto(base_url + "/dev/outbox")
    codes = page.locator('li.sms[data-template="sign_code"], li.sms[data-template="seal_code"]')
    body = codes.filter(has_text=_mask(phone)).first.locator("p.body").inner_text()
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
    assert match, body
    return match.group(1)


def _confirm(page: Page, base_url: str, path: str, phone: str, shots: Path, prefix: str) -> None:
    page.goto(base_url + path)
    _shot(page, shots, f"{prefix}-1-start")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{path}/verify")
    outbox = page.context.new_page()
    code = _code_from_outbox(outbox, base_url, phone)
    outbox.close()
    page.fill("#code", code)
    _shot(page, shots, f"{prefix}-2-code")
    page.click("main form button[type=submit]")


def _touch_drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    """Drag with real touch events through the DevTools protocol (as a finger would)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]})
    for i in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * i / steps
        y = start[1] + (end[1] - start[1]) * i / steps
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _drop_target(page: Page) -> tuple[float, float]:
    """Scroll the last page so its signature area is on screen; return where to drop the seal's top-left corner."""
    button = page.locator("[data-default-position]")
    page_index = button.get_attribute("data-page")
    fx, fy = float(button.get_attribute("data-fx") or 0), float(button.get_attribute("data-fy") or 0)
    image = page.locator(f'[data-page="{page_index}"] img:not([data-seal])')
    image.evaluate("img => img.decode()")
    box = image.bounding_box()
    assert box is not None
    page.evaluate("y => window.scrollBy(0, y)", box["y"] + fy * box["height"] - 200)
    box = image.bounding_box()
    assert box is not None
    return box["x"] + fx * box["width"], box["y"] + fy * box["height"]


def test_employer_seals_and_worker_signs_on_a_phone(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    shots = artifacts / "signing"
    shots.mkdir(parents=True, exist_ok=True)
    sw = make_signing_world(app, world)
    [contract_id] = issue(app, sw, ["李四"])

    employer = browser.new_context(**PHONE, locale="zh-CN").new_page()
    seal_token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    _confirm(employer, live_server, f"/seal/{seal_token}", SIGNATORY_PHONE, shots, "employer")
    employer.wait_for_url("**/seal")
    employer.click("[data-default-position]")
    _shot(employer, shots, "employer-3-seal-placed")
    employer.click("[data-submit]")
    employer.wait_for_selector("h1:has-text('已盖章'), h1:has-text('Sealed')")
    _shot(employer, shots, "employer-4-sealed")

    worker_phone = WORKERS["李四"][1]
    worker = browser.new_context(**PHONE, locale="zh-CN").new_page()
    token = link_in_sms(app, worker_phone, "/s/")
    _confirm(worker, live_server, f"/s/{token}", worker_phone, shots, "worker")
    worker.wait_for_url("**/notice")
    _check_phone_layout(worker, "notice page")
    _shot(worker, shots, "worker-3-notice")
    worker.click("#acknowledge")
    worker.wait_for_url("**/terms")
    _check_phone_layout(worker, "reading view")
    _shot(worker, shots, "worker-4-key-terms")
    worker.click("#to-sign")
    worker.wait_for_url("**/sign")
    assert worker.locator("[data-submit]").is_disabled()
    _check_phone_layout(worker, "signing page")
    target = _drop_target(worker)
    seal_box = worker.locator("[data-seal]").bounding_box()  # in the tray, fixed at the bottom of the screen
    assert seal_box is not None
    grab = (seal_box["x"] + seal_box["width"] / 2, seal_box["y"] + seal_box["height"] / 2)
    _touch_drag(worker, grab, (target[0] + seal_box["width"] / 2, target[1] + seal_box["height"] / 2))
    assert worker.locator("input[name=page]").input_value() != ""
    assert worker.locator("[data-submit]").is_enabled()
    _shot(worker, shots, "worker-5-seal-dropped")
    worker.click("[data-submit]")
    worker.wait_for_url("**/s/done")
    _shot(worker, shots, "worker-6-done")

    # The same SMS link again, now used: no dead end and no staff login, but the way to My contracts.
    worker.goto(live_server + f"/s/{token}")
    assert "登录" not in worker.inner_text("main")
    _shot(worker, shots, "worker-7-used-link")
    worker.click("#to-my-contracts")
    worker.wait_for_url("**/me/**")
    assert "我的合同" in worker.inner_text("body")
    _shot(worker, shots, "worker-8-my-contracts")

    pdf = final_pdf(app, contract_id)
    with app.app_context():
        report = signing.verify(pdf).to_dict()
        event = db.session.scalars(sa.select(ContractEvent).where(ContractEvent.kind == "worker_signed")).one()
    assert report["ok"] is True, report["problems"]
    assert [s["role"] for s in report["signatures"]] == ["employer", "worker"]
    _assert_red_inside(pdf, event.details["page"], tuple(event.details["box"]))


def _assert_red_inside(pdf: bytes, page_index: int, box: tuple[float, float, float, float]) -> None:
    """Render the signed page and find the worker seal's red pixels inside the box where it was dropped."""
    width_pt, height_pt = previews.page_sizes(pdf)[page_index]
    image = Image.open(io.BytesIO(previews.render_previews(pdf)[page_index])).convert("RGB")
    scale = image.width / width_pt
    x1, y1, x2, y2 = box
    left, right = int(x1 * scale), int(x2 * scale)
    top, bottom = int((height_pt - y2) * scale), int((height_pt - y1) * scale)
    inside = image.crop((left, top, right, bottom))
    red = sum(1 for r, g, b in inside.get_flattened_data() if r > 170 and g < 90 and b < 90)
    assert red > 0.05 * inside.width * inside.height, "the worker's seal is not drawn where it was dropped"


#: The signing page's first view on a phone, everything included (issue #12: it was 406 KB of page images).
FIRST_VIEW_BUDGET_BYTES = 150 * 1024


def test_the_signing_page_first_view_stays_within_150_kb_and_pages_load_as_they_come_into_view(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    from tests.journeys.conftest import sealed_for_worker

    shots = artifacts / "signing-weight"
    shots.mkdir(parents=True, exist_ok=True)
    token, phone = sealed_for_worker(app, world), WORKERS["李四"][1]
    context = browser.new_context(**PHONE, locale="zh-CN")
    try:
        worker = context.new_page()
        _confirm(worker, live_server, f"/s/{token}", phone, shots, "worker")
        worker.wait_for_url("**/notice")
        worker.click("#acknowledge")
        worker.wait_for_url("**/terms")

        page = context.new_page()  # the signing page as a cold first view
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        responses: list[Any] = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{live_server}/s/{token}/sign", wait_until="networkidle")
        page.wait_for_timeout(300)  # anything the lazy loader would still start
        parts = [(r.request.resource_type, r.url.split("?")[0].rsplit("/", 3)[-3:], len(r.body())) for r in responses]
        total = sum(size for _, _, size in parts)
        print(f"\nsigning page first view: {total:,d} B: {parts}")
        assert total <= FIRST_VIEW_BUDGET_BYTES, f"{total:,d} B > {FIRST_VIEW_BUDGET_BYTES:,d} B: {parts}"
        pages = page.locator(".pages img")
        count = pages.count()
        assert count >= 3
        page_images = [r for r in responses if "/pages/" in r.url]
        assert len(page_images) < count, "every page image loaded in the first view"
        _shot(page, shots, "first-view")

        for index in range(count):  # scrolling through the contract brings every page in
            pages.nth(index).scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=pages.nth(index).element_handle())
        widths = pages.evaluate_all("imgs => imgs.map(img => img.naturalWidth)")
        assert widths == [previews.PHONE_WIDTH] * count
    finally:
        context.close()
