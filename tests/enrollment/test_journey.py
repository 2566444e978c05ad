"""The worker's enrolment journey over HTTP: happy path, re-use of identity, and every kind of bad input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import advance
from tests.factories import World, id_number, latest_code
from wage_guard.enrollment.models import Enrollment, EnrollmentLink, PendingEnrollment, Worker
from wage_guard.extensions import db

PHONE = "13812345678"
E164 = "+8613812345678"
GOOD_ID = id_number("37032219850315123")


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"name": "李四", "id_number": GOOD_ID, "phone": PHONE, "trade": "rebar", "consent": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts(app: Flask) -> tuple[int, int]:
    """Workers and enrolments added by the test (the world starts with one of each, on project B)."""
    with app.app_context():
        return (
            (db.session.scalar(sa.select(sa.func.count()).select_from(Worker)) or 0) - 1,
            (db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) or 0) - 1,
        )


def enrol(client: FlaskClient, token: str, **overrides: object) -> None:
    response = client.post(f"/e/{token}", data=form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    phone = "+86" + str(overrides.get("phone", PHONE))
    response = client.post(f"/e/{token}/verify", data={"code": latest_code(client.application, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_enrolment_puts_worker_on_roster(app: Flask, client: FlaskClient, world: World) -> None:
    page = client.get(f"/e/{world.token_a}")
    assert page.status_code == 200
    assert "高青县项目A" in page.get_data(as_text=True)
    enrol(client, world.token_a)
    done = client.get(f"/e/{world.token_a}/done")
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "3703**********1236"[:4] in html
    assert GOOD_ID not in html
    with app.app_context():
        worker = db.session.scalars(sa.select(Worker).where(Worker.name == "李四")).one()
        assert worker.id_number == GOOD_ID
        assert worker.phone == E164
        assert worker.masked_id_number == GOOD_ID[:4] + "*" * 10 + GOOD_ID[-4:]
        enrollment = db.session.scalars(sa.select(Enrollment).where(Enrollment.worker_id == worker.id)).one()
        assert (enrollment.project_id, enrollment.trade) == (world.project_a, "rebar")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEnrollment)) == 0


def test_id_number_is_encrypted_at_rest(app: Flask, client: FlaskClient, world: World) -> None:
    enrol(client, world.token_a)
    with app.app_context():
        raw = db.session.execute(sa.text("SELECT id_number, phone, id_number_index FROM worker WHERE name = '李四'")).one()
    assert GOOD_ID.encode() not in bytes(raw[0])
    assert E164.encode() not in bytes(raw[1])
    assert GOOD_ID not in raw[2]


def test_lowercase_x_is_accepted_and_normalised(app: Flask, client: FlaskClient, world: World) -> None:
    with_x = id_number("11010519491231002")
    assert with_x.endswith("X")
    enrol(client, world.token_a, id_number=with_x.lower(), name="王五")
    with app.app_context():
        assert db.session.scalars(sa.select(Worker).where(Worker.name == "王五")).one().id_number == with_x


def test_same_person_on_second_project_reuses_identity(app: Flask, client: FlaskClient, world: World) -> None:
    enrol(client, world.token_a)
    advance(seconds=61)
    enrol(client, world.token_b)
    assert counts(app) == (1, 2)


@pytest.mark.parametrize(
    ("overrides", "field_message_zh", "field_message_en"),
    [
        ({"id_number": GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")}, "最后一位", "last character"),
        ({"id_number": id_number("37032219850230123")}, "出生日期", "not a real date"),
        ({"id_number": id_number("37032221250101123")}, "出生日期", "not possible"),
        ({"id_number": "370322850315123"}, "15", "15-digit"),
        ({"id_number": "37032219850315"}, "18", "18 characters"),
        ({"id_number": id_number("99032219850315123")}, "地区", "region code"),
        ({"id_number": id_number("37032220150101123")}, "16", "16 years"),
        ({"phone": "+85291234567"}, "+86", "mainland"),
        ({"phone": "1381234567"}, "11", "not a valid mainland mobile"),
        ({"phone": "abc"}, "手机", "not a phone number"),
        ({"phone": "05336960000"}, "座机", "landline"),
        ({"name": "1"}, "姓名", "full name"),
        ({"trade": "astronaut"}, "工种", "trade"),
        ({"consent": None}, "隐私", "privacy notice"),
    ],
)
def test_bad_enrolment_input_is_refused_with_specific_message(
    app: Flask, client: FlaskClient, world: World, overrides: dict[str, object], field_message_zh: str, field_message_en: str
) -> None:
    response = client.post(f"/e/{world.token_a}", data=form(**overrides))
    assert response.status_code == 422
    assert field_message_zh in response.get_data(as_text=True)
    english = client.post(f"/e/{world.token_a}?lang=en", data=form(**overrides))
    assert english.status_code == 422
    assert field_message_en in english.get_data(as_text=True)
    assert counts(app) == (0, 0)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEnrollment)) == 0


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_dead_qr_token_is_refused(app: Flask, client: FlaskClient, world: World, state: str) -> None:
    token = world.token_a
    if state == "expired":
        advance(days=181)
    elif state == "revoked":
        with app.app_context():
            db.session.scalars(sa.select(EnrollmentLink)).first().revoked_at = advance(seconds=1)  # type: ignore[union-attr]
            db.session.commit()
    else:
        token = "not-a-real-token-000000000000"
    status, chinese, english = {
        "expired": (410, "过期", "has expired"),
        "revoked": (410, "撤回", "has been withdrawn"),
        "unknown": (404, "无效", "is not valid"),
    }[state]
    for response in (client.get(f"/e/{token}"), client.post(f"/e/{token}", data=form())):
        assert response.status_code == status
        assert chinese in response.get_data(as_text=True)
    english_response = client.get(f"/e/{token}?lang=en")
    assert english_response.status_code == status
    assert english in english_response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_token_revoked_between_form_and_code_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    client.post(f"/e/{world.token_a}", data=form())
    code = latest_code(app, E164)
    with app.app_context():
        db.session.scalars(sa.select(EnrollmentLink)).first().revoked_at = advance(seconds=1)  # type: ignore[union-attr]
        db.session.commit()
    assert client.post(f"/e/{world.token_a}/verify", data={"code": code}).status_code == 410
    assert counts(app) == (0, 0)


def test_five_wrong_codes_lock_the_code(app: Flask, client: FlaskClient, world: World) -> None:
    client.post(f"/e/{world.token_a}", data=form())
    code = latest_code(app, E164)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for tries_left in (4, 3, 2, 1):
        response = client.post(f"/e/{world.token_a}/verify", data={"code": wrong})
        assert response.status_code == 422
        assert str(tries_left) in response.get_data(as_text=True)
    last = client.post(f"/e/{world.token_a}/verify", data={"code": wrong})
    assert last.status_code == 429
    assert "锁定" in last.get_data(as_text=True)
    after = client.post(f"/e/{world.token_a}/verify?lang=en", data={"code": code})
    assert after.status_code == 429
    assert "locked" in after.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_code_after_five_minutes_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    client.post(f"/e/{world.token_a}", data=form())
    code = latest_code(app, E164)
    advance(minutes=5, seconds=1)
    response = client.post(f"/e/{world.token_a}/verify", data={"code": code})
    assert response.status_code == 410
    assert "过期" in response.get_data(as_text=True)
    english = client.post(f"/e/{world.token_a}/verify?lang=en", data={"code": code})
    assert english.status_code == 410
    assert "expired" in english.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_resend_inside_cooldown_is_refused_then_allowed(app: Flask, client: FlaskClient, world: World) -> None:
    client.post(f"/e/{world.token_a}", data=form())
    first = latest_code(app, E164)
    advance(seconds=30)
    early = client.post(f"/e/{world.token_a}/resend")
    assert early.status_code == 429
    assert "31秒" in early.get_data(as_text=True)
    early_english = client.post(f"/e/{world.token_a}/resend?lang=en")
    assert early_english.status_code == 429
    assert "wait 31 seconds" in early_english.get_data(as_text=True)
    advance(seconds=31)
    assert client.post(f"/e/{world.token_a}/resend").status_code == 302
    second = latest_code(app, E164)
    # Only the newest code works.
    if first != second:
        assert client.post(f"/e/{world.token_a}/verify", data={"code": first}).status_code == 422
    assert client.post(f"/e/{world.token_a}/verify", data={"code": second}).status_code == 302
    assert counts(app) == (1, 1)


def test_duplicate_enrolment_is_recognised_once_the_phone_is_proven(app: Flask, client: FlaskClient, world: World) -> None:
    enrol(client, world.token_a)
    advance(seconds=61)
    # Before the code, the answer is the same as for anybody (no oracle): a code is sent.
    assert client.post(f"/e/{world.token_a}", data=form()).status_code == 302
    again = client.post(f"/e/{world.token_a}/verify", data={"code": latest_code(app, E164)})
    assert again.status_code == 409
    assert "已在" in again.get_data(as_text=True)
    advance(seconds=61)
    assert client.post(f"/e/{world.token_a}?lang=en", data=form()).status_code == 302
    english = client.post(f"/e/{world.token_a}/verify?lang=en", data={"code": latest_code(app, E164)})
    assert english.status_code == 409
    assert "already on this project" in english.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_same_id_with_other_name_is_refused_after_the_code(app: Flask, client: FlaskClient, world: World) -> None:
    enrol(client, world.token_a)
    advance(seconds=61)
    assert client.post(f"/e/{world.token_b}", data=form(name="张三")).status_code == 302
    response = client.post(f"/e/{world.token_b}/verify", data={"code": latest_code(app, E164)})
    assert response.status_code == 422
    assert "姓名" in response.get_data(as_text=True) or "name" in response.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_verify_without_form_in_session_is_gone(client: FlaskClient, world: World) -> None:
    response = client.post(f"/e/{world.token_a}/verify", data={"code": "123456"})
    assert response.status_code == 410


def test_done_page_shows_nothing_to_another_browser(app: Flask, client: FlaskClient, world: World) -> None:
    enrol(client, world.token_a)
    other = app.test_client()
    assert other.get(f"/e/{world.token_a}/done").status_code == 404
