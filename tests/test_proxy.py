"""Behind a reverse proxy (``PROXY_HOPS``), the client's address comes from X-Forwarded-For, so per-address limits
count clients and not the proxy; without it the header is not trusted, so a client cannot forge another address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests import conftest
from tests.factories import World
from wage_guard import create_app
from wage_guard.extensions import limiter


@pytest.fixture
def limits_on() -> Iterator[None]:
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.enabled = False
    limiter.reset()


def _statuses(application: Flask, forwarded_for: str, tries: int) -> list[int]:
    client = application.test_client()
    return [
        client.post(
            "/login", data={"username": "nobody", "password": "x"}, headers={"X-Forwarded-For": forwarded_for}
        ).status_code
        for _ in range(tries)
    ]


@pytest.mark.parametrize("hops", [0, 1])
def test_limits_count_the_forwarded_client_only_behind_a_trusted_proxy(
    database_url: str, world: World, limits_on: None, hops: int
) -> None:
    config = conftest.test_config(database_url) | {
        "PROXY_HOPS": hops,
        "RATELIMIT_LOGIN_PER_IP": "2 per minute",
        "WTF_CSRF_ENABLED": False,
    }
    application = create_app(config)
    assert _statuses(application, "203.0.113.7", 3)[-1] == 429
    other_client = _statuses(application, "198.51.100.9", 1)[0]
    assert (other_client == 429) is (hops == 0)  # without a trusted proxy the header is ignored: one address
