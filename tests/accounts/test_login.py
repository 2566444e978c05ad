"""Staff login with two factors, safe redirects, session renewal and timeouts (the throttle on wrong passwords is
in test_login_throttle.py, the end of sessions in test_sessions.py)."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import advance
from tests.factories import PASSWORD, STAFF, World, latest_code, login
from wage_guard import boundary
from wage_guard.accounts.models import User
from wage_guard.codes.models import CodeEvent
from wage_guard.extensions import db


def test_login_needs_password_and_sms_code(app: Flask, client: FlaskClient, world: World) -> None:
    response = client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/verify")
    # The password alone does not log in.
    assert client.get("/projects/").status_code == 302
    code = latest_code(app, STAFF["foreman_a"][1])
    response = client.post("/login/verify", data={"code": code})
    assert response.status_code == 302
    assert client.get("/projects/").status_code == 200


def test_wrong_password_gets_generic_message(client: FlaskClient, world: World) -> None:
    for username in ("foreman_a", "nobody"):
        response = client.post("/login", data={"username": username, "password": "Wrong-password-1"})
        assert response.status_code == 401
        assert "用户名或密码错误" in response.get_data(as_text=True)


def test_wrong_second_factor_code_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
    code = latest_code(app, STAFF["foreman_a"][1])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert client.post("/login/verify", data={"code": wrong}).status_code == 422
    assert client.get("/projects/").status_code == 302
    with app.app_context():
        kinds = [e.kind.value for e in db.session.scalars(sa.select(CodeEvent).order_by(CodeEvent.id))]
    assert kinds[-2:] == ["sent", "wrong"]


def test_totp_second_factor(app: Flask, client: FlaskClient, world: World) -> None:
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, world.users["inspector_x"])
        assert user is not None
        user.totp_secret = secret
        boundary.commit()
    client.post("/login", data={"username": "inspector_x", "password": PASSWORD})
    from wage_guard import clock

    code = pyotp.TOTP(secret).at(clock.utcnow())
    assert client.post("/login/verify", data={"code": code}).status_code == 302
    assert client.get("/inspector/").status_code == 200


def test_session_is_renewed_at_login(app: Flask, client: FlaskClient, world: World) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login(client, "foreman_a")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/projects/", "/projects/"), ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil.example", "/")],
)
def test_next_redirect_is_same_site_only(client: FlaskClient, world: World, next_url: str, expected: str) -> None:
    client.post(f"/login?next={next_url}", data={"username": "foreman_a", "password": PASSWORD})
    code = latest_code(client.application, STAFF["foreman_a"][1])
    response = client.post("/login/verify", data={"code": code})
    assert response.headers["Location"] == expected


def test_idle_timeout_logs_out(client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    advance(minutes=29)
    assert client.get("/projects/").status_code == 200
    advance(minutes=31)
    response = client.get("/projects/")
    assert response.status_code == 302
    assert "expired=1" in response.headers["Location"]


def test_absolute_timeout_logs_out_even_when_active(client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    for _ in range(25):
        advance(minutes=29)
        if client.get("/projects/").status_code != 200:
            break
    else:
        pytest.fail("session outlived the 12-hour absolute timeout")
    from tests.conftest import START
    from wage_guard import clock

    assert (clock.utcnow() - START).total_seconds() > 12 * 3600


def test_logout_ends_session(client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    assert client.post("/logout").status_code == 302
    assert client.get("/projects/").status_code == 302


def test_second_factor_window_expires(client: FlaskClient, world: World) -> None:
    client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
    advance(minutes=6)
    assert client.get("/login/verify").status_code == 410


def test_login_form_rejects_missing_csrf_token(app: Flask, client: FlaskClient, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/projects/").status_code == 302


def test_disabled_account_cannot_log_in(app: Flask, client: FlaskClient, world: World) -> None:
    with app.app_context():
        user = db.session.get(User, world.users["foreman_a"])
        assert user is not None
        user.is_enabled = False
        boundary.commit()
    assert client.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 401
