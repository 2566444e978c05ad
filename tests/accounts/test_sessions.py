"""Staff sessions end everywhere on logout, password change, deactivation and phone change, and the session
cookie carries no personal data. Each attack is replayed with a copy of the cookie taken before."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import advance
from tests.factories import PASSWORD, STAFF, World, latest_code, login
from wage_guard import boundary
from wage_guard.accounts.models import User
from wage_guard.extensions import db
from wage_guard.ledger.models import LedgerEntry

NEW_PASSWORD = "Brand-new-pass-42"


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie, as a thief with the same browser would."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def session_of(app: Flask, client: FlaskClient) -> dict[str, object]:
    """What the signed session cookie holds: readable by anyone who has it (it is signed, not encrypted)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data: dict[str, object] = serializer.loads(cookie.value)
    return data


def redirected_to_login(client: FlaskClient) -> bool:
    response = client.get("/projects/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_logout_is_worthless_after(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    thief = copy_of(app, client)
    assert thief.get("/projects/").status_code == 200  # the copy works while the session lives ...
    assert client.post("/logout").status_code == 302
    assert redirected_to_login(thief)  # ... and not after the owner logged out
    assert redirected_to_login(client)


def test_logout_ends_every_session_of_the_person(app: Flask, world: World) -> None:
    phone, desktop = app.test_client(), app.test_client()
    login(phone, "foreman_a")
    advance(seconds=61)  # the SMS code cool-down
    login(desktop, "foreman_a")
    other = app.test_client()
    login(other, "foreman_b")
    desktop.post("/logout")
    assert redirected_to_login(phone)
    assert other.get("/projects/").status_code == 200  # someone else's session is untouched


def test_password_change_ends_other_sessions_and_keeps_this_one(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    thief = copy_of(app, client)
    response = client.post(
        "/account/password?lang=en",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Your password has been changed" in response.get_data(as_text=True)
    assert client.get("/projects/").status_code == 200
    assert redirected_to_login(thief)
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 401
    advance(seconds=61)  # the SMS code cool-down
    assert fresh.post("/login", data={"username": "foreman_a", "password": NEW_PASSWORD}).status_code == 302
    with app.app_context():
        kinds = db.session.scalars(sa.select(LedgerEntry.kind)).all()
    assert "staff_password_changed" in kinds


def test_password_change_checks_the_current_password_and_the_policy(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")

    def change(current: str, new: str, confirm: str | None = None) -> tuple[int, str]:
        data = {"current_password": current, "password": new, "confirm": new if confirm is None else confirm}
        response = client.post("/account/password?lang=en", data=data)
        return response.status_code, response.get_data(as_text=True)

    status, page = change("Not-my-password-1", NEW_PASSWORD)
    assert (status, "Your current password is wrong.") == (422, page[page.index("Your current") :][:31])
    assert change(PASSWORD, NEW_PASSWORD, "Something-else-1")[0] == 422
    status, page = change(PASSWORD, "short")
    assert status == 422
    assert "at least 10 characters" in page
    status, page = change(PASSWORD, "alllowercaseletters")
    assert status == 422
    assert "three of" in page
    status, page = change(PASSWORD, PASSWORD)
    assert status == 422
    assert "must be different" in page
    assert client.get("/projects/").status_code == 200  # nothing changed: still logged in with the old password
    advance(seconds=61)  # the SMS code cool-down
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 302


def test_wrong_current_passwords_are_throttled_like_logins(app: Flask, client: FlaskClient, world: World) -> None:
    """A stolen, still-open session cannot be used to guess the password quickly either."""
    login(client, "foreman_a")
    data = {"current_password": "Not-my-password-1", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    statuses = [client.post("/account/password", data=data).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 429, 429]


def test_the_password_page_needs_a_login(client: FlaskClient, world: World) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_deactivation_ends_every_session_at_once(app: Flask, world: World) -> None:
    foreman, admin = app.test_client(), app.test_client()
    login(foreman, "foreman_a")
    thief = copy_of(app, foreman)
    login(admin, "admin")
    page = admin.get("/admin/staff?lang=en").get_data(as_text=True)
    assert "Deactivate" in page
    response = admin.post(f"/admin/staff/{world.users['foreman_a']}/deactivate?lang=en", follow_redirects=True)
    assert "is deactivated" in response.get_data(as_text=True)
    assert redirected_to_login(foreman)
    assert redirected_to_login(thief)
    assert app.test_client().post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 401
    admin.post(f"/admin/staff/{world.users['foreman_a']}/reactivate")
    assert redirected_to_login(thief)  # reactivation does not revive old sessions
    again = app.test_client()
    advance(seconds=61)  # the SMS code cool-down
    login(again, "foreman_a")
    assert again.get("/projects/").status_code == 200
    with app.app_context():
        kinds = db.session.scalars(sa.select(LedgerEntry.kind)).all()
    assert {"staff_deactivated", "staff_reactivated"} <= set(kinds)


def test_employer_administrators_manage_only_their_own_foremen(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "employer_a")
    assert client.post(f"/admin/staff/{world.users['foreman_b']}/deactivate").status_code == 404
    assert client.post(f"/admin/staff/{world.users['admin']}/deactivate").status_code == 404
    assert client.post(f"/admin/staff/{world.users['foreman_a']}/deactivate").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.users["foreman_a"]).is_enabled is False  # type: ignore[union-attr]
        assert db.session.get(User, world.users["foreman_b"]).is_enabled is True  # type: ignore[union-attr]
    for username in ("foreman_b", "inspector_x"):  # neither may manage accounts at all
        outsider = app.test_client()
        login(outsider, username)
        assert outsider.post(f"/admin/staff/{world.users['foreman_a']}/reactivate").status_code == 403


def test_nobody_deactivates_themselves(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "admin")
    response = client.post(f"/admin/staff/{world.users['admin']}/deactivate?lang=en", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert client.get("/admin/staff").status_code == 200


def test_a_phone_change_ends_staff_sessions(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    with app.app_context():
        user = db.session.get(User, world.users["foreman_a"])
        assert user is not None
        user.phone = "+8613911112222"
        boundary.commit()
    assert redirected_to_login(client)


def test_the_second_step_stops_when_the_account_is_deactivated_meanwhile(app: Flask, client: FlaskClient, world: World) -> None:
    assert client.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 302
    code = latest_code(app, STAFF["foreman_a"][1])
    admin = app.test_client()
    login(admin, "admin")
    admin.post(f"/admin/staff/{world.users['foreman_a']}/deactivate")
    assert client.post("/login/verify", data={"code": code}).status_code == 410
    assert redirected_to_login(client)


def test_the_staff_cookie_holds_no_personal_data(app: Flask, client: FlaskClient, world: World) -> None:
    client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
    pending = session_of(app, client)
    advance(seconds=61)  # the SMS code cool-down
    login(client, "foreman_a")
    data = session_of(app, client)
    phone = STAFF["foreman_a"][1]
    for state in (pending, data):
        text = repr(state)
        assert phone not in text
        assert phone.removeprefix("+86") not in text
        assert "127.0.0.1" not in text
    assert data["_user_id"] == f"{world.users['foreman_a']}:0"  # id and session version only
    # Flask-Login's own identifier is an unkeyed SHA-512 (128 hex digits) of address and browser, which can be
    # brute-forced back to the address; ours is an HMAC-SHA256 under the secret key.
    assert len(str(data["_id"])) == 64
