"""Acceptance tests in a real browser: a foreman on a desktop hands out the enrolment link, a worker on a
360-pixel phone enrols with an SMS code, and the foreman sees the worker on the roster with a masked ID.

Phone usability rule checked on every worker page (``_check_phone_layout``):

* no horizontal scrolling: ``document.documentElement.scrollWidth <= 360``;
* the computed ``font-size`` of ``<body>`` is at least 16 px;
* every visible touch target in the top bar and in ``<main>`` (``a``, ``button``, ``input`` other than
  hidden, ``select``, ``textarea``, ``summary``) is at least 44 px high. A checkbox or radio button is
  measured by its ``<label>`` (the label is what a thumb hits; tapping it toggles the box), not by the box
  itself. The yellow demo banner is left out: it exists only in demo mode, never in front of real workers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.factories import PASSWORD, STAFF, World, id_number

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Response

pytestmark = pytest.mark.browser

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE_WIDTH = 360
PHONE: dict[str, Any] = {"viewport": {"width": PHONE_WIDTH, "height": 740}, "is_mobile": True, "has_touch": True}

WORKER_NAME = "李四"
WORKER_PHONE = "13812345678"
WORKER_PHONE_MASKED = "138****5678"
GOOD_ID = id_number("37032219850315123")
MASKED_ID = GOOD_ID[:4] + "*" * 10 + GOOD_ID[-4:]
FOREMAN = "foreman_a"
FOREMAN_PHONE_MASKED = STAFF[FOREMAN][1].removeprefix("+86")[:3] + "****" + STAFF[FOREMAN][1][-4:]

MIN_TARGET_PX = 44
MIN_FONT_PX = 16
PAGE_BUDGET_BYTES = 60 * 1024

#: Collects the phone-usability facts of the current page; see the module docstring for the rule.
LAYOUT_JS = """() => {
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const selector = ['a', 'button', 'input', 'select', 'textarea', 'summary']
    .flatMap(t => ['header ' + t, 'main ' + t]).join(',');
  const targets = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.type === 'hidden' || !shown(el)) continue;
    let box = el;
    if (el.type === 'checkbox' || el.type === 'radio') {
      box = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el;
    }
    const r = box.getBoundingClientRect();
    targets.push({
      element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.type ? '[' + el.type + ']' : ''),
      measured: box === el ? 'itself' : 'its label',
      text: (el.innerText || el.value || '').trim().slice(0, 24),
      height: Math.round(r.height * 10) / 10,
    });
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    bodyFontSize: parseFloat(getComputedStyle(document.body).fontSize),
    targets,
  };
}"""


def _shot(page: Page, directory: Path, step: str) -> None:
    page.screenshot(path=str(directory / f"{step}.png"), full_page=True)


def _check_phone_layout(page: Page, where: str) -> None:
    facts = page.evaluate(LAYOUT_JS)
    assert facts["innerWidth"] == PHONE_WIDTH, f"{where}: the phone viewport is {facts['innerWidth']} px wide"
    assert facts["scrollWidth"] <= PHONE_WIDTH, f"{where}: scrolls sideways ({facts['scrollWidth']} px > {PHONE_WIDTH} px)"
    assert facts["bodyFontSize"] >= MIN_FONT_PX, f"{where}: body font-size is {facts['bodyFontSize']} px"
    assert facts["targets"], f"{where}: no touch targets found, the page did not render"
    small = [t for t in facts["targets"] if t["height"] < MIN_TARGET_PX]
    assert not small, f"{where}: touch targets lower than {MIN_TARGET_PX} px: {small}"


def _read_code(page: Page, base_url: str, template: str, masked_phone: str) -> str:
    """Read the newest code for ``masked_phone`` from the demo outbox page, like a person at a demo would."""
    page.goto(base_url + "/dev/outbox")
    message = page.locator(f'li.sms[data-template="{template}"]').filter(has_text=masked_phone).first
    body = message.locator("p.body").inner_text()
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
    assert match, f"no 6-digit code in the newest SMS to {masked_phone}: {body!r}"
    return match.group(1)


def _log_in_foreman(context: BrowserContext, base_url: str, shots: Path) -> Page:
    page = context.new_page()
    page.goto(base_url + "/login")
    page.fill("#username", FOREMAN)
    page.fill("#password", PASSWORD)
    _shot(page, shots, "01-foreman-login")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/verify")
    _shot(page, shots, "02-foreman-second-factor")
    outbox = context.new_page()
    code = _read_code(outbox, base_url, "login_code", FOREMAN_PHONE_MASKED)
    _shot(outbox, shots, "03-foreman-outbox")
    outbox.close()
    page.fill("#code", code)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/?$"))
    return page


def _enrol_worker(context: BrowserContext, enrol_url: str, base_url: str, shots: Path) -> Page:
    page = context.new_page()
    page.goto(enrol_url)
    assert page.inner_text("h1") == "加入工地花名册"  # Chinese by default
    assert "高青县项目A" in page.inner_text("main")
    _check_phone_layout(page, "enrolment form")
    _shot(page, shots, "05-worker-form")
    page.fill("#name", WORKER_NAME)
    page.fill("#id_number", GOOD_ID)
    page.fill("#phone", WORKER_PHONE)
    page.select_option("#trade", "rebar")
    page.check("#consent")
    _check_phone_layout(page, "filled enrolment form")
    _shot(page, shots, "06-worker-form-filled")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/verify")
    assert page.inner_text("h1") == "输入验证码"
    assert WORKER_PHONE_MASKED in page.inner_text("main")
    _check_phone_layout(page, "code page")
    _shot(page, shots, "07-worker-verify")
    outbox = context.new_page()
    code = _read_code(outbox, base_url, "code", WORKER_PHONE_MASKED)
    _shot(outbox, shots, "08-worker-outbox")
    outbox.close()
    page.fill("#code", code)
    page.click("main form[action$='/verify'] button[type=submit]")
    page.wait_for_url("**/done")
    return page


def test_foreman_link_to_worker_enrolment_to_roster(browser: Browser, live_server: str, world: World, artifacts: Path) -> None:
    foreman_context = browser.new_context(**DESKTOP)
    worker_context = browser.new_context(**PHONE)
    try:
        foreman = _log_in_foreman(foreman_context, live_server, artifacts)
        foreman.goto(f"{live_server}/projects/{world.project_a}")
        assert "高青县项目A" in foreman.inner_text("h1")
        assert "还没有人登记" in foreman.inner_text("#roster")
        link = foreman.locator("#enrol-link")
        href = link.get_attribute("href")
        assert href, "#enrol-link has no href"
        enrol_url = urljoin(foreman.url, href)
        assert urlsplit(enrol_url).path == f"/e/{world.token_a}"
        _shot(foreman, artifacts, "04-foreman-project")
        with foreman_context.expect_page() as opened:  # the link opens in a new tab (target=_blank)
            link.click()
        tab = opened.value
        tab.wait_for_load_state()
        assert tab.url == enrol_url
        assert tab.locator("#name").is_visible()
        tab.close()

        worker = _enrol_worker(worker_context, enrol_url, live_server, artifacts)
        done_text = worker.inner_text("main")
        assert worker.inner_text("h1") == "您已登记到花名册", done_text
        assert WORKER_NAME in done_text
        assert MASKED_ID in done_text
        assert GOOD_ID not in worker.content()
        _check_phone_layout(worker, "done page")
        _shot(worker, artifacts, "09-worker-done")

        foreman.reload()
        roster = foreman.locator("#roster")
        row = roster.locator("tbody tr").filter(has_text=WORKER_NAME)
        assert row.count() == 1, roster.inner_text()
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == WORKER_NAME, cells
        assert cells[1] == MASKED_ID, cells
        assert WORKER_PHONE_MASKED in cells, cells
        assert GOOD_ID not in foreman.content()
        assert WORKER_PHONE not in foreman.content()
        roster.scroll_into_view_if_needed()
        _shot(foreman, artifacts, "10-foreman-roster")
    finally:
        worker_context.close()
        foreman_context.close()


def test_worker_pages_are_light_and_self_hosted(browser: Browser, live_server: str, world: World) -> None:
    """Each worker page (HTML + CSS + JS, cold cache) weighs at most 60 KB and loads nothing from other hosts."""
    context = browser.new_context(**PHONE)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        base = f"{live_server}/e/{world.token_a}"
        weights = {"form": _weigh(page, base)}
        page.fill("#name", WORKER_NAME)
        page.fill("#id_number", GOOD_ID)
        page.fill("#phone", WORKER_PHONE)
        page.select_option("#trade", "rebar")
        page.check("#consent")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/verify")
        weights["verify"] = _weigh(page, base + "/verify")
        outbox = context.new_page()
        code = _read_code(outbox, live_server, "code", WORKER_PHONE_MASKED)
        outbox.close()
        page.fill("#code", code)
        page.click("main form[action$='/verify'] button[type=submit]")
        page.wait_for_url("**/done")
        weights["done"] = _weigh(page, base + "/done")
    finally:
        context.close()

    print("\nworker page weight (HTML+CSS+JS bodies, cold cache):")
    for name, (total, parts) in weights.items():
        print(f"  {name:7} {total:7,d} B  " + ", ".join(f"{kind} {path} {size:,d} B" for kind, path, size in parts))
    for name, (total, parts) in weights.items():
        assert any(kind == "document" for kind, _, _ in parts), f"{name}: no document response was seen"
        assert total <= PAGE_BUDGET_BYTES, f"{name} page weighs {total:,d} B > {PAGE_BUDGET_BYTES:,d} B: {parts}"
    server = urlsplit(live_server).netloc
    foreign = [
        url for url in requested if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != server
    ]
    others = [url for url in requested if urlsplit(url).scheme not in ("http", "https", "ws", "wss", "data")]
    assert not foreign, f"requests to other hosts (CDN?): {foreign}"
    assert not others, f"unexpected requests: {others}"
    assert len(requested) >= 6


def _weigh(page: Page, url: str) -> tuple[int, list[tuple[str, str, int]]]:
    """Load ``url`` with a GET and sum the response bodies of its document, stylesheets and scripts."""
    responses: list[Response] = []

    def collect(response: Response) -> None:
        responses.append(response)

    page.on("response", collect)
    try:
        response = page.goto(url, wait_until="networkidle")
    finally:
        page.remove_listener("response", collect)
    assert response is not None, f"GET {url} got no response"
    assert response.status == 200, f"GET {url} answered {response.status}"
    parts = [
        (r.request.resource_type, urlsplit(r.url).path, len(r.body()))
        for r in responses
        if r.request.resource_type in ("document", "stylesheet", "script")
    ]
    return sum(size for _, _, size in parts), parts
