"""Wrong passwords slow down the guesser per (username, client), never lock the account for its owner, answer an
unknown username exactly like a known one, and tell the account holder by SMS once after repeated failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from jobs.runner import run_job
from jobs.sms import deliver_pending_sms
from tests.conftest import advance
from tests.factories import PASSWORD, STAFF, World, latest_code, login
from wage_guard.accounts.models import LoginThrottle
from wage_guard.accounts.throttle import client_network, delay_after
from wage_guard.extensions import db
from wage_guard.sms.models import OutboundSms, SmsStatus

WRONG = "Wrong-password-1"
STRANGER = {"REMOTE_ADDR": "203.0.113.66"}


def attempt(client: FlaskClient, username: str, password: str = WRONG, ip: str = "198.51.100.1", lang: str = "en"):  # type: ignore[no-untyped-def]
    return client.post(f"/login?lang={lang}", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip})


def alerts(app: Flask) -> list[OutboundSms]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboundSms).where(OutboundSms.template == "login_alert")).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_a_stranger_cannot_lock_out_a_real_account(app: Flask, world: World) -> None:
    """The attack: anyone who knows a username types wrong passwords until the account locks. Here they only
    slow themselves down; the real user on their own device logs in at once, with both factors."""
    stranger = app.test_client()
    statuses = [
        stranger.post("/login", data={"username": "foreman_a", "password": WRONG}, environ_base=STRANGER).status_code
        for _ in range(12)
    ]
    assert statuses == [401] * 3 + [429] * 9  # the stranger is slowed down ...
    owner = app.test_client()
    login(owner, "foreman_a")  # ... the owner, from their own address, logs in at once: password, then SMS code
    assert owner.get("/projects/").status_code == 200
    # Even a stranger who waits out every delay for a whole day never shuts the owner out.
    for _ in range(96):
        advance(minutes=15)
        stranger.post("/login", data={"username": "foreman_a", "password": WRONG}, environ_base=STRANGER)
    late = app.test_client()
    login(late, "foreman_a")
    assert late.get("/projects/").status_code == 200


def test_delays_grow_per_username_and_client(app: Flask, client: FlaskClient, world: World) -> None:
    for _ in range(3):  # the first three failures cost nothing
        assert attempt(client, "foreman_a").status_code == 401
    waits = []
    for _ in range(4):
        blocked = attempt(client, "foreman_a", PASSWORD)  # even the right password waits: nothing is checked
        assert blocked.status_code == 429
        text = blocked.get_data(as_text=True)
        seconds = int(text.split("Please wait ")[1].split(" seconds")[0])
        waits.append(seconds)
        advance(seconds=seconds - 1)
        assert attempt(client, "foreman_a").status_code == 429  # one second early is still too early
        advance(seconds=1)
        assert attempt(client, "foreman_a").status_code == 401
    assert waits == [2, 4, 8, 16]
    # Only this (username, client) pair waits: another username here, and this username elsewhere, do not.
    assert attempt(client, "foreman_b").status_code == 401
    assert attempt(client, "foreman_a", ip="198.51.100.200").status_code == 401
    # Waiting it out and then the right password starts the pair afresh.
    advance(seconds=32)
    assert attempt(client, "foreman_a", PASSWORD).status_code == 302
    assert [attempt(client, "foreman_a").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_the_delay_is_capped_and_lasts_while_the_guessing_goes_on(app: Flask, client: FlaskClient, world: World) -> None:
    cap = app.config["LOGIN_MAX_DELAY"]
    for _ in range(14 + 100):  # more than a day of guessing, each at the earliest moment allowed
        advance(seconds=cap.total_seconds())
        assert attempt(client, "foreman_a").status_code == 401
    advance(seconds=cap.total_seconds() - 1)
    assert attempt(client, "foreman_a").status_code == 429  # still at the cap: a new day brings no free tries
    advance(hours=24)  # a whole day without failures: the pair starts over
    assert [attempt(client, "foreman_a").status_code for _ in range(4)] == [401, 401, 401, 429]
    advance(minutes=1)
    assert attempt(client, "foreman_a", PASSWORD).status_code == 302


def test_an_ipv6_client_is_one_64_network() -> None:
    assert client_network("2001:db8:1:2::1") == client_network("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_network("2001:db8:1:3::1") != client_network("2001:db8:1:2::1")
    assert client_network("::ffff:192.0.2.7") == client_network("192.0.2.7") == "192.0.2.7"
    assert client_network(None) == client_network("not an address") == "unknown"


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=7200))
def test_delay_grows_doubling_from_zero_to_the_cap(failures: int, free: int, cap_seconds: int) -> None:
    cap = timedelta(seconds=cap_seconds)
    delay = delay_after(failures, free=free, cap=cap)
    later = delay_after(failures + 1, free=free, cap=cap)
    assert timedelta(0) <= delay <= later <= cap
    if failures < free:
        assert delay == timedelta(0)
    elif delay < cap:
        assert delay == timedelta(seconds=2 ** (failures - free + 1))
        assert later == min(2 * delay, cap)


def test_unknown_and_known_usernames_answer_identically(app: Flask, world: World) -> None:
    """The same sequence of tries (wrong, blocked, waited out) gives the same statuses and the same pages, word for
    word, for a real username and one that does not exist, in both languages."""

    def replay(username: str, ip: str) -> list[tuple[int, str]]:
        client = app.test_client()
        answers = []
        for step in range(9):
            for lang in ("en", "zh_Hans_CN"):
                response = attempt(client, username, ip=ip, lang=lang)
                answers.append((response.status_code, response.get_data(as_text=True).replace(username, "<username>")))
            advance(seconds=2 ** max(0, step - 1))
        return answers

    known = replay("foreman_a", "198.51.100.10")
    unknown = replay("foreman_zz", "198.51.100.11")
    assert [status for status, _ in known] == [status for status, _ in unknown]
    assert {status for status, _ in known} == {401, 429}
    assert known == unknown
    assert "用户名或密码错误" in known[1][1]


@contextmanager
def recorded_work(app: Flask) -> Iterator[list[str]]:
    """The SQL statements (text only) and argon2 verifications a request performs."""
    work: list[str] = []

    def on_execute(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        work.append(" ".join(statement.split()))

    original = PasswordHasher.verify

    def verify(self, hash, password):  # type: ignore[no-untyped-def]  # noqa: A002
        work.append("argon2.verify")
        return original(self, hash, password)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    PasswordHasher.verify = verify  # type: ignore[method-assign]
    try:
        yield work
    finally:
        PasswordHasher.verify = original  # type: ignore[method-assign]
        sa.event.remove(engine, "before_cursor_execute", on_execute)


def test_known_and_unknown_usernames_take_the_same_path(app: Flask, world: World) -> None:
    """No timing is measured (timings belong in benchmarks/): instead each try of a known and an unknown username
    must do the same work, statement for statement, with one argon2 verification each, through every throttle state."""
    known_client, unknown_client = app.test_client(), app.test_client()
    for step in range(8):
        with recorded_work(app) as known:
            known_status = attempt(known_client, "foreman_a", ip="198.51.100.20").status_code
        with recorded_work(app) as unknown:
            unknown_status = attempt(unknown_client, "foreman_zz", ip="198.51.100.21").status_code
        assert known_status == unknown_status
        if step < 4:  # before the fifth failure, which texts the real holder (delivery is left to the scheduler)
            assert known == unknown, f"try {step + 1} differs"
        assert known.count("argon2.verify") == unknown.count("argon2.verify") == (1 if known_status == 401 else 0)
        advance(seconds=2**step)


def test_the_holder_is_told_once_after_repeated_failures(app: Flask, world: World) -> None:
    for n in range(4):
        assert attempt(app.test_client(), "foreman_a", ip=f"198.51.100.{30 + n}").status_code == 401
    assert alerts(app) == []
    attempt(app.test_client(), "foreman_a", ip="198.51.100.40")
    [notice] = alerts(app)
    assert notice.recipient == STAFF["foreman_a"][1]
    assert notice.status is SmsStatus.QUEUED  # not sent during the request: the scheduler sends it
    assert "5" in (notice.body or "")
    assert "密码" in (notice.body or "")
    assert run_job(app, deliver_pending_sms) >= 1
    assert alerts(app)[0].status is SmsStatus.SENT
    for n in range(10):  # more failures the same day: no second notice
        attempt(app.test_client(), "foreman_a", ip=f"198.51.100.{50 + n}")
    assert len(alerts(app)) == 1
    advance(hours=24, seconds=1)
    for n in range(5):
        attempt(app.test_client(), "foreman_a", ip=f"198.51.100.{70 + n}")
    assert len(alerts(app)) == 2


def test_unknown_usernames_text_nobody_but_count_alike(app: Flask, world: World) -> None:
    for name in ("foreman_a", "foreman_zz"):
        for n in range(6):
            attempt(app.test_client(), name, ip=f"198.51.100.{100 + n}")
    assert len(alerts(app)) == 1
    with app.app_context():
        rows = db.session.scalars(sa.select(LoginThrottle)).all()
        # Two accounts, six clients each: the same rows for both, every account row marked as told.
        assert len(rows) == 14
        assert sorted(r.failures for r in rows if r.alerted_at is not None) == [6, 6]


def test_counters_hold_no_username_or_address_in_clear(app: Flask, world: World) -> None:
    attempt(app.test_client(), "foreman_a", ip="198.51.100.77")
    with app.app_context():
        with db.engine.connect() as connection:
            dump = repr(connection.execute(sa.text("SELECT * FROM login_throttle")).all())
    assert "foreman_a" not in dump
    assert "198.51.100.77" not in dump


def test_a_right_password_after_failures_still_needs_the_second_factor(app: Flask, client: FlaskClient, world: World) -> None:
    for _ in range(2):
        attempt(client, "foreman_a", ip="127.0.0.1")
    assert client.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 302
    assert client.get("/projects/").status_code == 302
    code = latest_code(app, STAFF["foreman_a"][1])
    assert client.post("/login/verify", data={"code": code}).status_code == 302
    assert client.get("/projects/").status_code == 200


@pytest.mark.parametrize("username", ["foreman_a", "foreman_zz"])
def test_a_disabled_or_unknown_account_gets_the_wrong_password_answer(app: Flask, world: World, username: str) -> None:
    from wage_guard import boundary
    from wage_guard.accounts.models import User

    with app.app_context():
        user = db.session.get(User, world.users["foreman_a"])
        assert user is not None
        user.is_enabled = False
        boundary.commit()
    response = attempt(app.test_client(), username, PASSWORD)
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)
