"""Person data across employers (issue 7, finding 3) and the enrolment form as an oracle (finding 10)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from tests.conftest import advance
from tests.factories import World, id_number, latest_code, login
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db

PHONE, E164 = "13812345678", "+8613812345678"
ADDRESS = "山东省淄博市高青县青城路1号"


def enrolled_on_both(app: Flask, world: World) -> tuple[int, int]:
    """One worker on project A (employer A) and project B (employer B); returns the two roster entry ids."""
    client = app.test_client()
    form = {"name": "李四", "id_number": id_number("37032219850315123"), "phone": PHONE, "trade": "rebar", "consent": "y"}
    for token in (world.token_a, world.token_b):
        assert client.post(f"/e/{token}", data={**form, "address": ADDRESS}).status_code == 302
        assert client.post(f"/e/{token}/verify", data={"code": latest_code(app, E164)}).status_code == 302
        advance(seconds=61)
    with app.app_context():
        entries = dict(
            db.session.execute(sa.select(Enrollment.project_id, Enrollment.id).join(Worker).where(Worker.name == "李四")).all()
        )
    return entries[world.project_a], entries[world.project_b]


def address(app: Flask) -> str | None:
    with app.app_context():
        return db.session.scalars(sa.select(Worker.address).where(Worker.name == "李四")).one()


def test_a_foreman_of_employer_a_cannot_change_what_employer_b_sees(app: Flask, world: World) -> None:
    entry_a, _entry_b = enrolled_on_both(app, world)
    foreman_a = app.test_client()
    login(foreman_a, "foreman_a")
    url = f"/projects/{world.project_a}/enrolment/roster/{entry_a}"
    response = foreman_a.post(url, data={"crew_id": "0", "trade": "mason", "address": "伪造地址999号"})
    assert response.status_code == 302
    assert address(app) == ADDRESS  # the project's data changed, the person's did not
    with app.app_context():
        assert db.session.get(Enrollment, entry_a).trade == "mason"  # type: ignore[union-attr]
    # The in-person path: a code to the worker's own phone, read out by the worker.
    change = f"/projects/{world.project_a}/identity/{entry_a}/address"
    assert foreman_a.post(change, data={"address": "伪造地址999号", "code": "000000"}).status_code in (400, 410, 422)
    assert address(app) == ADDRESS
    assert foreman_a.post(f"{change}/code").status_code == 302
    wrong = foreman_a.post(change, data={"address": "伪造地址999号", "code": "000000"})
    assert wrong.status_code == 422
    assert address(app) == ADDRESS
    ok = foreman_a.post(change, data={"address": "山东省淄博市高青县田镇2号", "code": latest_code(app, E164)})
    assert ok.status_code == 302
    assert address(app) == "山东省淄博市高青县田镇2号"


def test_other_foremen_cannot_reach_the_person_pages(app: Flask, world: World) -> None:
    entry_a, _entry_b = enrolled_on_both(app, world)
    foreman_b = app.test_client()
    login(foreman_b, "foreman_b")
    for suffix in ("address", "address/code", "lost-phone", "unlock"):
        url = f"/projects/{world.project_a}/identity/{entry_a}/{suffix}"
        assert foreman_b.post(url, data={"address": "x" * 10, "phone": "13999998888", "seen_id_card": "y"}).status_code == 404
    assert address(app) == ADDRESS


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_the_enrolment_form_answers_the_same_for_known_and_unknown_people(app: Flask, world: World) -> None:
    """Until the phone is proven, nothing says whether an ID number or phone is registered, or under which name."""
    enrolled_on_both(app, world)
    advance(seconds=61)
    variants = {
        "known id, its own phone": {"name": "李四", "id_number": id_number("37032219850315123"), "phone": PHONE},
        "known id, other phone": {"name": "李四", "id_number": id_number("37032219850315123"), "phone": "13911112222"},
        "known id, other name": {"name": "张三", "id_number": id_number("37032219850315123"), "phone": "13911113333"},
        "unknown id, known phone": {"name": "王五", "id_number": id_number("37032219900101002"), "phone": PHONE},
        "unknown id, unknown phone": {"name": "王五", "id_number": id_number("37032219900101002"), "phone": "13911114444"},
    }
    answers = {}
    for label, fields in variants.items():
        advance(seconds=61)
        client = app.test_client()
        response = client.post(f"/e/{world.token_a}", data={**fields, "trade": "rebar", "consent": "y"})
        page = client.get(response.headers.get("Location", "/")) if response.status_code == 302 else response
        answers[label] = (response.status_code, response.headers.get("Location"), _masked(page.get_data(as_text=True)))
    assert len({(s, loc) for s, loc, _ in answers.values()}) == 1, answers
    assert len({body for _, _, body in answers.values()}) == 1


def _masked(html: str) -> str:
    """The verify page names the masked phone the code went to: the only part allowed to differ."""
    return re.sub(r"1\d{2}\*{4}\d{4}", "PHONE", _without_tokens(html))
