"""In a real browser at 360x740: the worker reads the whole contract in large type, has it read aloud (speech
synthesis stubbed in the page to record what is queued), and drags the seal, which lands under the finger, with
touch and with the mouse, without a JavaScript error even when dropped on a button."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.browser.test_enrolment_browser import _check_phone_layout
from tests.browser.test_signing_browser import PHONE, _confirm, _shot, _touch_drag
from tests.factories import World
from tests.journeys.conftest import WORKERS, sealed_for_worker
from wage_guard.contracts.models import ContractEvent
from wage_guard.extensions import db

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

#: A stand-in for the Web Speech API that records each utterance; with __hold set, a sentence "ends" only when
#: the test says so, so the highlighted sentence can be checked.
SPEECH_STUB = """
window.__spoken = []; window.__hold = false; window.__paused = false;
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
const stub = {
  current: null,
  speak(u) {
    window.__spoken.push({text: u.text, lang: u.lang});
    this.current = u;
    setTimeout(() => { if (u.onstart) u.onstart({}); if (!window.__hold && u.onend) setTimeout(() => u.onend({}), 0); }, 0);
  },
  finish() { const u = this.current; if (u && u.onend) u.onend({}); },
  cancel() { this.current = null; }, pause() { window.__paused = true; }, resume() { window.__paused = false; },
  getVoices() { return []; },
};
Object.defineProperty(window, 'speechSynthesis', {value: stub, configurable: true});
"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def _errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    return errors


def _to_reading_view(browser: Browser, live_server: str, token: str, shots: Path, script: str) -> tuple[Page, list[str]]:
    page = browser.new_context(**PHONE, locale="zh-CN").new_page()
    page.add_init_script(script)
    errors = _errors(page)
    _confirm(page, live_server, f"/s/{token}", WORKERS["李四"][1], shots, "reading")
    page.wait_for_url("**/notice")
    page.click("#acknowledge")
    page.wait_for_url("**/terms")
    return page, errors


def _read_aloud(page: Page, shots: Path) -> None:
    sentences = page.locator("#reading .s").all_inner_texts()
    assert len(sentences) > 100, "the whole contract is on the page, sentence by sentence"
    page.evaluate("() => { window.__hold = true; }")
    page.click("[data-read-start]")
    page.wait_for_function("() => document.querySelector('.s.speaking') !== null")
    assert page.locator(".s.speaking").inner_text() == sentences[0]
    page.evaluate("() => window.speechSynthesis.finish()")
    page.wait_for_function("() => window.__spoken.length === 2")
    assert page.locator(".s.speaking").inner_text() == sentences[1]  # the highlight follows the voice
    _shot(page, shots, "reading-4-read-aloud")
    page.click("[data-read-pause]")
    assert page.evaluate("() => window.__paused") is True
    assert page.locator("[data-read-resume]").is_visible()
    page.click("[data-read-resume]")
    assert page.evaluate("() => window.__paused") is False
    page.evaluate("() => { window.__hold = false; window.speechSynthesis.finish(); }")
    page.wait_for_function(f"() => window.__spoken.length === {len(sentences)}")
    spoken: list[dict[str, Any]] = page.evaluate("() => window.__spoken")
    assert [s["text"] for s in spoken] == [s.strip() for s in sentences]  # the whole text, in order
    assert {s["lang"] for s in spoken} == {"zh-CN"}
    page.wait_for_function("() => document.querySelector('.s.speaking') === null")
    assert page.locator("[data-read-start]").is_visible()


def _assert_large_type_and_nothing_covers_it(page: Page) -> None:
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('#contract-text p')].map(p => parseFloat(getComputedStyle(p).fontSize))"
    )
    assert min(sizes) >= 20, f"contract text is {min(sizes)} px"
    bar = page.locator("#reader").bounding_box()
    assert bar is not None
    assert bar["height"] <= 72, f"the read-aloud bar is {bar['height']} px high"
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    last = page.locator("#to-sign").bounding_box()
    assert last is not None
    assert last["y"] + last["height"] <= bar["y"] + 1, "the end of the page can be scrolled above the bar"


def _drag_and_check(page: Page, *, touch: bool, target: tuple[float, float]) -> dict[str, float]:
    """Drag the seal from the tray to ``target`` (viewport px) and return the stored placement and the image box."""
    seal = page.locator("[data-seal]").bounding_box()
    assert seal is not None
    grab = (seal["x"] + seal["width"] / 2, seal["y"] + seal["height"] / 2)
    if touch:
        _touch_drag(page, grab, target)
    else:
        page.mouse.move(*grab)
        page.mouse.down()
        page.mouse.move(*target, steps=12)
        page.mouse.up()
    fields = {name: page.locator(f"input[name={name}]").input_value() for name in ("page", "fx", "fy", "fw", "fh")}
    assert fields["page"] != "", "the seal was placed"
    image = page.locator(f'.pages > .page[data-page="{fields["page"]}"] img:not([data-seal])').bounding_box()
    assert image is not None
    values = {k: float(v) for k, v in fields.items()}
    centre_x = image["x"] + (values["fx"] + values["fw"] / 2) * image["width"]
    centre_y = image["y"] + (values["fy"] + values["fh"] / 2) * image["height"]
    assert abs(centre_x - target[0]) <= 3, f"stored x lands {centre_x - target[0]:.1f} px from the finger"
    assert abs(centre_y - target[1]) <= 3, f"stored y lands {centre_y - target[1]:.1f} px from the finger"
    shown = page.locator("[data-seal]").bounding_box()
    assert shown is not None
    assert abs(shown["x"] + shown["width"] / 2 - target[0]) <= 3
    assert abs(shown["y"] + shown["height"] / 2 - target[1]) <= 3
    return values


def _seal_target(page: Page) -> tuple[float, float]:
    """A point in the worker's signature area of the last page, scrolled into view above the signing bar."""
    button = page.locator("[data-default-position]")
    index, fx, fy = (button.get_attribute(a) or "0" for a in ("data-page", "data-fx", "data-fy"))
    image = page.locator(f'.pages > .page[data-page="{index}"] img:not([data-seal])')
    image.evaluate("img => img.decode()")
    box = image.bounding_box()
    assert box is not None
    page.evaluate("y => window.scrollBy(0, y)", box["y"] + float(fy) * box["height"] - 250)
    box = image.bounding_box()
    assert box is not None
    return box["x"] + (float(fx) + 0.08) * box["width"], box["y"] + (float(fy) + 0.06) * box["height"]


def test_worker_reads_listens_and_places_the_seal_under_the_finger(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    shots = artifacts / "reading"
    shots.mkdir(parents=True, exist_ok=True)
    token = sealed_for_worker(app, world)
    page, errors = _to_reading_view(browser, live_server, token, shots, SPEECH_STUB)
    _check_phone_layout(page, "reading view")
    _shot(page, shots, "reading-3-key-terms")
    assert page.locator("#key-terms").inner_text().startswith("劳动报酬")
    _assert_large_type_and_nothing_covers_it(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    _read_aloud(page, shots)

    page.click("#to-sign")
    page.wait_for_url("**/sign")
    _check_phone_layout(page, "signing page")
    bar = page.locator("form[data-sign-form]").bounding_box()
    assert bar is not None
    assert bar["height"] <= 120, f"the signing bar is {bar['height']} px of 740"
    _shot(page, shots, "reading-5-seal-page")
    # dropped on a button: back to the tray, no error
    usual = page.locator("[data-default-position]").bounding_box()
    assert usual is not None
    seal = page.locator("[data-seal]").bounding_box()
    assert seal is not None
    page.mouse.move(seal["x"] + seal["width"] / 2, seal["y"] + seal["height"] / 2)
    page.mouse.down()
    page.mouse.move(usual["x"] + usual["width"] / 2, usual["y"] + usual["height"] / 2, steps=6)
    page.mouse.up()
    assert page.locator("input[name=page]").input_value() == ""
    assert page.locator("[data-submit]").is_disabled()
    # with the mouse, then with a finger: the seal lands where it is let go
    target = _seal_target(page)
    _drag_and_check(page, touch=False, target=(target[0] - 30, target[1] - 20))
    target = _seal_target(page)
    placed = _drag_and_check(page, touch=True, target=target)
    _shot(page, shots, "reading-6-seal-dropped")
    # Nothing failed while reading and placing the seal. (Checked before signing: a page image still loading when
    # the contract is signed is refused with 404 - the link no longer opens that contract - which is right.)
    assert errors == [], errors
    page.click("[data-submit]")
    page.wait_for_url("**/s/done")
    _shot(page, shots, "reading-7-done")
    with app.app_context():
        event = db.session.scalars(sa.select(ContractEvent).where(ContractEvent.kind == "worker_signed")).one()
    assert event.details["page"] == int(placed["page"])


def test_without_speech_synthesis_the_page_says_so(
    app: Flask, world: World, live_server: str, browser: Browser, artifacts: Path
) -> None:
    shots = artifacts / "reading"
    shots.mkdir(parents=True, exist_ok=True)
    page, errors = _to_reading_view(browser, live_server, sealed_for_worker(app, world), shots, NO_SPEECH)
    assert not page.locator("#reader").is_visible()
    assert page.locator("#reader-unsupported").is_visible()
    assert page.locator("#contract-text").is_visible()
    _shot(page, shots, "reading-8-no-speech")
    assert errors == [], errors
