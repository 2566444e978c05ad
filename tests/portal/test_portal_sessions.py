"""Worker-portal sessions end everywhere on logout, on ``end_worker_sessions`` and on a phone change, and the
cookie holds no phone number, name or ID number at any step. Attacks are replayed with a copied cookie."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.accounts.test_sessions import copy_of, session_of
from tests.conftest import advance
from tests.factories import World, id_number, latest_code
from wage_guard import boundary
from wage_guard.accounts.sessions import end_worker_sessions
from wage_guard.codes.services import phone_index
from wage_guard.enrollment.models import Worker
from wage_guard.extensions import db

#: 赵六, on project B's roster in the test world (no contracts yet).
PHONE = "+8613700000001"
NAME = "赵六"
ID_NUMBER = id_number("37032119800101123")


def portal_login(app: Flask, client: FlaskClient, phone: str = PHONE) -> None:
    assert client.post("/me/", data={"phone": phone.removeprefix("+86")}).status_code == 302
    response = client.post("/me/verify", data={"code": latest_code(app, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/me/contracts")


def sent_back_to_start(client: FlaskClient) -> bool:
    response = client.get("/me/contracts")
    return response.status_code == 302 and response.headers["Location"].endswith("/me/")


def worker(app: Flask) -> Worker:
    found = db.session.scalar(sa.select(Worker).where(Worker.phone_index == phone_index(PHONE)))
    assert found is not None
    return found


def test_a_portal_cookie_copied_before_logout_is_worthless_after(app: Flask, client: FlaskClient, world: World) -> None:
    portal_login(app, client)
    thief = copy_of(app, client)
    assert thief.get("/me/contracts").status_code == 200
    assert client.post("/me/logout").status_code == 302
    assert sent_back_to_start(thief)
    assert sent_back_to_start(client)


def test_logout_ends_the_workers_sessions_on_every_device(app: Flask, world: World) -> None:
    first, second = app.test_client(), app.test_client()
    portal_login(app, first)
    advance(seconds=61)  # the code cool-down
    portal_login(app, second)
    first.post("/me/logout")
    assert sent_back_to_start(second)


def test_end_worker_sessions_ends_every_portal_session(app: Flask, client: FlaskClient, world: World) -> None:
    portal_login(app, client)
    thief = copy_of(app, client)
    with app.app_context():
        end_worker_sessions(worker(app))
        boundary.commit()
    assert sent_back_to_start(client)
    assert sent_back_to_start(thief)
    advance(seconds=61)
    portal_login(app, client)  # the worker simply logs in again
    assert client.get("/me/contracts").status_code == 200


def test_a_phone_change_ends_portal_sessions_of_the_old_phone(app: Flask, client: FlaskClient, world: World) -> None:
    """Even code that changes the phone on the model directly (not through ``end_worker_sessions``) ends them."""
    portal_login(app, client)
    with app.app_context():
        person = worker(app)
        person.phone, person.phone_index = "+8613811112222", phone_index("+8613811112222")
        boundary.commit()
    assert sent_back_to_start(client)


def test_a_tampered_or_stale_portal_session_opens_nothing(app: Flask, client: FlaskClient, world: World) -> None:
    portal_login(app, client)
    with app.app_context():
        worker_id = worker(app).id
    for forged in ([[worker_id, 7]], [[worker_id + 1, 0]], [[2**70, 0]], "x", [["a", 0]], [], None):
        with client.session_transaction() as session:
            session["portal"] = {"workers": forged, "at": 1e12}
        assert sent_back_to_start(client), forged


def test_a_pending_portal_login_lives_on_the_server_and_expires(app: Flask, client: FlaskClient, world: World) -> None:
    client.post("/me/", data={"phone": PHONE})
    assert client.get("/me/verify").status_code == 200
    with client.session_transaction() as session:
        session["portal_login"] = "guessed-handle"
    assert client.get("/me/verify").headers["Location"].endswith("/me/")
    advance(seconds=61)
    other = app.test_client()
    other.post("/me/", data={"phone": PHONE})
    assert other.get("/me/verify").status_code == 200
    advance(minutes=31)
    assert other.get("/me/verify").headers["Location"].endswith("/me/")


def test_the_portal_cookie_holds_no_personal_data(app: Flask, client: FlaskClient, world: World) -> None:
    seen = []
    client.post("/me/", data={"phone": PHONE.removeprefix("+86")})
    seen.append(session_of(app, client))
    client.post("/me/verify", data={"code": "000000" if latest_code(app, PHONE) != "000000" else "111111"})
    seen.append(session_of(app, client))
    client.post("/me/verify", data={"code": latest_code(app, PHONE)})
    seen.append(session_of(app, client))
    client.get("/me/contracts")
    seen.append(session_of(app, client))
    assert "portal" in seen[-1]
    assert "portal_login" in seen[0]
    national = PHONE.removeprefix("+86")
    for state in seen:
        text = repr(state)
        for personal in (PHONE, national, national[-8:], NAME, ID_NUMBER, ID_NUMBER[-6:], "127.0.0.1"):
            assert personal not in text, (personal, state)
