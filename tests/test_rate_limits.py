"""Flask-Limiter limits on code requests per phone number and per address, and on logins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import advance
from tests.enrollment.test_journey import form
from tests.factories import PASSWORD, World
from wage_guard.extensions import limiter


@pytest.fixture
def limited(app: Flask) -> Iterator[Flask]:
    limiter.enabled = True
    saved = dict(app.config)
    yield app
    app.config.update(saved)
    limiter.enabled = False


def test_code_requests_are_limited_per_phone_number(limited: Flask, world: World) -> None:
    statuses = []
    for n in range(7):
        client = limited.test_client()  # a new browser each time
        response = client.post(f"/e/{world.token_a}", data=form(), environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        statuses.append(response.status_code)
        advance(seconds=61)
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    other = limited.test_client().post(
        f"/e/{world.token_a}", data=form(phone="13912345678"), environ_base={"REMOTE_ADDR": "10.0.1.1"}
    )
    assert other.status_code == 302


def test_code_requests_are_limited_per_address(limited: Flask, world: World) -> None:
    limited.config["RATELIMIT_SMS_PER_IP"] = "3 per hour"
    statuses = [
        limited.test_client().post(f"/e/{world.token_a}", data=form(phone=f"1391234567{n}")).status_code for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_code_checks_are_limited_per_address(limited: Flask, client: FlaskClient, world: World) -> None:
    limited.config["RATELIMIT_CODE_CHECK_PER_IP"] = "3 per 10 minutes"
    client.post(f"/e/{world.token_a}", data=form())
    responses = [client.post(f"/e/{world.token_a}/verify", data={"code": "999999"}) for _ in range(4)]
    assert [r.status_code for r in responses] == [422, 422, 422, 429]
    assert "操作太频繁" in responses[-1].get_data(as_text=True)


def test_logins_are_limited_per_address(limited: Flask, client: FlaskClient, world: World) -> None:
    limited.config["RATELIMIT_LOGIN_PER_IP"] = "3 per 10 minutes"
    statuses = [client.post("/login", data={"username": f"u{n}", "password": PASSWORD}).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_the_api_is_limited_per_address_with_a_json_429(limited: Flask, world: World) -> None:
    from tests.api.support import issue_token, use_token

    limited.config["RATELIMIT_API_PER_IP"] = "3 per minute"
    client = use_token(limited.test_client(), issue_token(limited, "inspector_x", county="370322"))
    statuses = [client.get("/api/v1/projects").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/projects")
    assert refused.get_json()["code"] == "too_many_requests"
    other = use_token(limited.test_client(), issue_token(limited, "inspector_y", county="370321"))
    assert other.get("/api/v1/projects", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
