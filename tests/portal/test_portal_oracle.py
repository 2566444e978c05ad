"""Until its code is verified, the portal answers a registered phone and an unregistered one identically.

The attack: enter a phone number on /me/, then a few wrong codes and a resend, and read the answers. Before, an
unregistered phone got "There is no code waiting for this phone" and no cool-down, while a registered one got
"Wrong code, N tries left" and a cool-down: the portal told anyone which numbers belong to workers. Here the
full sequence of answers (status, redirect, page text) is generated and compared, step by step.
"""

from __future__ import annotations

import itertools
import re

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import advance
from tests.factories import World, enrol_directly, id_number, latest_code, latest_sms
from wage_guard import boundary
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.sms.phones import mask_mobile

_numbers = itertools.count(1)


def fresh_phones(app: Flask, world: World) -> tuple[str, str]:
    """A phone on a worker of project B, and one nobody has, never used before in this test."""
    n = next(_numbers)
    registered, unregistered = f"+8613710{n:06d}", f"+8613720{n:06d}"
    with app.app_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        enrol_directly(project, "钱七", id_number(f"37032119800101{n:03d}"), registered)
        boundary.commit()
    return registered, unregistered


def answer(response, phone: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """What an observer sees, with the phone itself (as typed and masked) blanked out."""
    national = phone.removeprefix("+86")
    text = response.get_data(as_text=True).replace(mask_mobile(phone), "<phone>").replace(national, "<phone>")
    return response.status_code, response.headers.get("Location", ""), text


def wrong_code(app: Flask, *phones: str) -> str:
    """One code that is certainly not the one waiting for any of ``phones``."""
    waiting = set()
    for phone in phones:
        try:
            waiting.add(latest_code(app, phone))
        except AssertionError:  # no text message went to this phone (as before, for unregistered phones)
            pass
    return next(code for code in ("000000", "111111", "222222") if code not in waiting)


def run(client: FlaskClient, phone: str, step: tuple[str, int], wrong: str) -> tuple[int, str, str]:
    action = step[0]
    if action == "start":
        response = client.post("/me/?lang=en", data={"phone": phone.removeprefix("+86")})
    elif action == "wrong":
        response = client.post("/me/verify?lang=en", data={"code": wrong})
    elif action == "page":
        response = client.get("/me/verify?lang=en")
    else:
        response = client.get("/me/contracts?lang=en")
    return answer(response, phone)


def compare(app: Flask, world: World, steps: list[tuple[str, int]]) -> list[tuple[int, str, str]]:
    """Play the same steps for both phones, in lockstep (the clock moves for both alike), and compare."""
    registered, unregistered = fresh_phones(app, world)
    clients = {registered: app.test_client(), unregistered: app.test_client()}
    known = []
    for index, step in enumerate(steps):
        if step[0] == "wait":
            advance(seconds=step[1])
            continue
        wrong = wrong_code(app, registered, unregistered) if step[0] == "wrong" else ""
        k, u = (run(clients[phone], phone, step, wrong) for phone in (registered, unregistered))
        assert k == u, f"step {index} {step} answers differ"
        known.append(k)
    return known


def test_the_probe_from_the_report_gets_identical_answers(app: Flask, world: World) -> None:
    """Start, five wrong codes (the last locks the code), one more, a resend in the cool-down, a resend after it."""
    steps = [("start", 0)] + [("wrong", 0)] * 6 + [("start", 0), ("wait", 61), ("start", 0), ("wrong", 0), ("page", 0)]
    answers = compare(app, world, steps)
    statuses = [status for status, _, _ in answers]
    assert statuses == [302, 422, 422, 422, 422, 429, 429, 429, 302, 422, 200]  # (the wait is no answer)
    pages = [text for _, _, text in answers]
    assert "You have 4 tries left" in pages[1]
    assert "You have 1 tries left" in pages[4]
    assert "the code is now locked" in pages[5]
    assert "locked after too many wrong tries" in pages[6]
    assert "Please wait" in pages[7]
    assert "You have 4 tries left" in pages[9]
    assert not any("There is no code waiting" in page for page in pages)


STEP = st.one_of(
    st.just(("start", 0)),
    st.just(("wrong", 0)),
    st.just(("page", 0)),
    st.just(("contracts", 0)),
    st.tuples(st.just("wait"), st.sampled_from([1, 30, 61, 301, 3600])),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=14))
def test_any_sequence_of_steps_gets_identical_answers(app: Flask, world: World, steps: list[tuple[str, int]]) -> None:
    """Generated sequences of starts, wrong codes, waits (cool-down, code expiry, quotas) and page loads."""
    compare(app, world, [("start", 0), *steps])


def test_after_the_right_code_an_unregistered_phone_is_told_there_is_nothing(app: Flask, world: World) -> None:
    registered, unregistered = fresh_phones(app, world)
    for phone in (registered, unregistered):
        client = app.test_client()
        client.get("/me/?lang=en")
        client.post("/me/", data={"phone": phone})
        response = client.post("/me/verify?lang=en", data={"code": latest_code(app, phone)}, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "There are no contracts for this phone number yet." in page  # true for both; now the phone is proven
        if phone == unregistered:
            assert response.request.path == "/me/"
            assert client.get("/me/contracts").status_code == 302
        else:
            assert response.request.path == "/me/contracts"


def test_every_phone_gets_the_same_text_message(app: Flask, world: World) -> None:
    registered, unregistered = fresh_phones(app, world)
    bodies = []
    for phone in (registered, unregistered):
        app.test_client().post("/me/", data={"phone": phone})
        bodies.append(re.sub(r"\d{6}", "<code>", latest_sms(app, phone).body or ""))
    assert bodies[0] == bodies[1]
