"""A resend inside the cool-down never spoils the code form: with CSRF protection on, as in production, each journey
(staff login, worker signing, employer sealing, portal, enrolment) sends a code, asks again too early, and then
submits the code with the form the browser shows - over HTTP, tokens read from the pages like a browser."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.enrollment.test_journey import form as enrolment_form
from tests.factories import PASSWORD, STAFF, World, latest_code
from tests.journeys.conftest import SIGNATORY_PHONE, WORKERS, SigningWorld, issue, link_in_sms, seal_batch

COOLDOWN_ZH = "请等"


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _resend_then_submit(
    client: FlaskClient, code_page: str, resend: str, verify: str, phone: str, app: Flask, *, follow: bool = True
) -> str:
    """Ask for a new code too early from the code page, then submit the code from the page the browser shows."""
    response = client.post(resend, data={"csrf_token": _token(_page(client, code_page))})
    shown = _page(client, code_page) if response.status_code == 302 and follow else response.get_data(as_text=True)
    assert COOLDOWN_ZH in shown, "the cool-down is explained"
    answer = client.post(verify, data={"code": latest_code(app, phone), "csrf_token": _token(shown)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[-600:]
    return answer.location


def test_staff_login(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login = {"username": "foreman_a", "password": PASSWORD, "csrf_token": _token(_page(client, "/login"))}
    assert client.post("/login", data=login).status_code == 302
    location = _resend_then_submit(client, "/login/verify", "/login/resend", "/login/verify", STAFF["foreman_a"][1], app)
    assert location == "/"


def test_employer_sealing(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    app.config["WTF_CSRF_ENABLED"] = True
    path = "/seal/" + link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    assert client.post(f"{path}/code", data={"csrf_token": _token(_page(client, path))}).status_code == 302
    location = _resend_then_submit(client, f"{path}/verify", f"{path}/code", f"{path}/verify", SIGNATORY_PHONE, app)
    assert location.endswith("/seal")


def test_worker_signing(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    app.config["WTF_CSRF_ENABLED"] = True
    phone = WORKERS["李四"][1]
    path = "/s/" + link_in_sms(app, phone, "/s/")
    client = app.test_client()
    assert client.post(f"{path}/code", data={"csrf_token": _token(_page(client, path))}).status_code == 302
    assert _resend_then_submit(client, f"{path}/verify", f"{path}/code", f"{path}/verify", phone, app).endswith("/notice")


def test_portal(app: Flask, signing_world: SigningWorld) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    phone = WORKERS["李四"][1]
    client = app.test_client()
    start = {"phone": phone.removeprefix("+86"), "csrf_token": _token(_page(client, "/me/"))}
    assert client.post("/me/", data=start).status_code == 302
    again = client.post("/me/", data={**start, "csrf_token": _token(_page(client, "/me/"))})  # "send again" too early
    assert again.status_code == 429
    assert COOLDOWN_ZH in again.get_data(as_text=True)
    answer = client.post("/me/verify", data={"code": latest_code(app, phone), "csrf_token": _token(_page(client, "/me/verify"))})
    assert answer.status_code == 302
    assert answer.location.endswith("/me/contracts")


def test_enrolment(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    path = f"/e/{world.token_a}"
    assert client.post(path, data={**enrolment_form(), "csrf_token": _token(_page(client, path))}).status_code == 302
    phone = "+86" + str(enrolment_form()["phone"])
    location = _resend_then_submit(client, f"{path}/verify", f"{path}/resend", f"{path}/verify", phone, app, follow=False)
    assert location.endswith("/done")


def test_a_stale_login_form_shows_a_fresh_one_instead_of_a_dead_end(app: Flask, world: World) -> None:
    """Logging in restarts the session (fixation defence), so the login form the browser's back button shows
    afterwards carries a token of the old session: it must lead back to a fresh form, and that form must work."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    stale = _token(_page(client, "/login"))
    login = {"username": "foreman_a", "password": PASSWORD, "csrf_token": stale}
    assert client.post("/login", data=login).status_code == 302
    client.post("/login/resend", data={"csrf_token": _token(_page(client, "/login/verify"))})
    again = client.post("/login", data=login)  # the back button: the first login page, its token now stale
    assert again.status_code == 303
    assert again.location == "/login"
    page = _page(client, "/login")
    assert "表单已过期" in page
    assert "请重新填写" in page
    login["csrf_token"] = _token(page)
    accepted = client.post("/login", data=login)  # the form is accepted; the code sent a moment ago still counts
    assert accepted.status_code == 429
    assert COOLDOWN_ZH in accepted.get_data(as_text=True)


def test_a_stale_token_on_a_post_only_address_still_explains_itself(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/login/resend", data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_the_login_form_refused_during_the_cool_down_can_be_sent_again(app: Flask, world: World) -> None:
    """The newcomer's finding: logging in again inside the code's cool-down is refused with the login form shown
    again; that form must carry the new session's token (the login restarts the session), not the old one."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login = {"username": "foreman_a", "password": PASSWORD, "csrf_token": _token(_page(client, "/login"))}
    assert client.post("/login", data=login).status_code == 302
    login["csrf_token"] = _token(_page(client, "/login"))
    refused = client.post("/login", data=login)
    assert refused.status_code == 429
    assert COOLDOWN_ZH in refused.get_data(as_text=True)
    login["csrf_token"] = _token(refused.get_data(as_text=True))
    again = client.post("/login", data=login)
    assert again.status_code == 429, "the form is accepted (and still waits for the cool-down), not expired"
    assert COOLDOWN_ZH in again.get_data(as_text=True)
    assert "表单已过期" not in again.get_data(as_text=True)
