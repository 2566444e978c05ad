"""Cumulative code limits (issue 7, finding 4): quotas per phone on every path, wrong codes per phone and account."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.conftest import advance
from tests.factories import PASSWORD, STAFF, World, id_number, latest_code, login
from wage_guard.codes.models import CodeEvent, CodeEventKind, VerificationCode
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db

PHONE, E164 = "13812345678", "+8613812345678"


def form(name: str = "李四", first17: str = "37032219850315123") -> dict[str, str]:
    return {"name": name, "id_number": id_number(first17), "phone": PHONE, "trade": "rebar", "consent": "y"}


def codes_sent(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(VerificationCode)) or 0


def test_resending_without_end_stops_at_the_phone_quota_on_every_path(app: Flask, world: World) -> None:
    client = app.test_client()
    assert client.post(f"/e/{world.token_a}", data=form()).status_code == 302
    statuses = []
    for _ in range(10):
        advance(seconds=61)
        statuses.append(client.post(f"/e/{world.token_a}/resend").status_code)
    assert statuses.count(302) == 4  # 5 codes an hour in all, the first included
    refused = client.post(f"/e/{world.token_a}/resend")
    assert refused.status_code == 429
    assert "验证码" in refused.get_data(as_text=True)
    assert codes_sent(app) == 5
    # Another path for the same phone (a new form, then the portal) shares the same quota.
    other = app.test_client()
    advance(seconds=61)
    assert other.post(f"/e/{world.token_b}", data=form()).status_code == 429
    other.post("/me/", data={"phone": PHONE})
    assert codes_sent(app) == 5
    english = other.post(f"/e/{world.token_b}?lang=en", data=form())
    assert english.status_code == 429
    assert "codes in 1 hours" in english.get_data(as_text=True)
    # An hour later the phone may receive codes again, up to the daily quota.
    advance(hours=1)
    assert other.post(f"/e/{world.token_b}", data=form()).status_code == 302


def test_the_cool_down_is_per_purpose(app: Flask, world: World) -> None:
    client = app.test_client()
    assert client.post(f"/e/{world.token_a}", data=form()).status_code == 302
    assert client.post(f"/e/{world.token_a}/verify", data={"code": latest_code(app, E164)}).status_code == 302
    # Right after enrolling, the worker may ask for a portal code without waiting a minute.
    before = codes_sent(app)
    client.post("/me/", data={"phone": PHONE})
    assert codes_sent(app) == before + 1
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(CodeEvent.kind)))
    assert CodeEventKind.COOLDOWN not in kinds


def wrong_enrolment_codes(app: Flask, world: World, n: int) -> list[int]:
    statuses = []
    client = app.test_client()
    for attempt in range(n):
        if attempt % 4 == 0:
            advance(seconds=61)
            assert client.post(f"/e/{world.token_a}", data=form()).status_code in (302, 429)
        statuses.append(client.post(f"/e/{world.token_a}/verify", data={"code": "000000"}).status_code)
    return statuses


def test_ten_wrong_codes_across_purposes_lock_the_phone_until_the_foreman_unlocks(app: Flask, world: World) -> None:
    client = app.test_client()
    assert client.post(f"/e/{world.token_a}", data=form()).status_code == 302
    assert client.post(f"/e/{world.token_a}/verify", data={"code": latest_code(app, E164)}).status_code == 302
    # Wrong codes spread over several purposes: enrolment forms and the portal.
    statuses = []
    for round_ in range(3):
        advance(minutes=21)  # stay under the hourly quota of codes: this test is about wrong codes
        fresh = app.test_client()
        fresh.post(f"/e/{world.token_b}", data=form())
        for _ in range(3):
            statuses.append(fresh.post(f"/e/{world.token_b}/verify", data={"code": "000000"}).status_code)
        portal = app.test_client()
        portal.post("/me/", data={"phone": PHONE})
        statuses.append(portal.post("/me/verify", data={"code": "000000"}).status_code)
        del round_
    assert statuses[:9] == [422] * 9
    assert statuses[9] == 429  # the tenth wrong code locks the phone
    assert set(statuses[10:]) <= {302, 429}  # refused, or sent back because no code could be asked for
    advance(hours=1)  # past the hourly quota of codes: what refuses now is the lock alone
    locked_client = app.test_client()
    locked = locked_client.post(f"/e/{world.token_b}", data=form())
    assert locked.status_code == 429
    assert "班组长" in locked.get_data(as_text=True)
    assert "foreman" in locked_client.post(f"/e/{world.token_b}?lang=en", data=form()).get_data(as_text=True)
    # The foreman sees the worker with the ID card and unlocks; codes work again.
    with app.app_context():
        entry_id = db.session.scalars(sa.select(Enrollment.id).where(Enrollment.project_id == world.project_a)).one()
    foreman = app.test_client()
    login(foreman, "foreman_a")
    unlock_url = f"/projects/{world.project_a}/identity/{entry_id}/unlock"
    assert foreman.post(unlock_url, data={}).status_code == 422  # without the ID-card confirmation
    assert foreman.post(unlock_url, data={"seen_id_card": "y"}).status_code == 302
    assert locked_client.post(f"/e/{world.token_b}", data=form()).status_code == 302
    assert locked_client.post(f"/e/{world.token_b}/verify", data={"code": latest_code(app, E164)}).status_code == 302


def test_wrong_second_factor_codes_count_against_the_staff_account(app: Flask, world: World) -> None:
    phone = STAFF["foreman_a"][1]
    statuses = []
    for _ in range(4):
        advance(seconds=61)
        client = app.test_client()
        assert client.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 302
        for _ in range(3):
            statuses.append(client.post("/login/verify", data={"code": "000000"}).status_code)
    assert 429 in statuses
    advance(seconds=61)
    client = app.test_client()
    client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
    response = client.post("/login/verify", data={"code": latest_code(app, phone)})
    assert response.status_code in (422, 429)
    body = response.get_data(as_text=True) + client.get("/login/verify").get_data(as_text=True)
    assert "管理员" in body


def test_an_administrator_unlocks_a_staff_account_and_nobody_else_can(app: Flask, world: World) -> None:
    phone = STAFF["foreman_a"][1]
    for _ in range(4):
        advance(seconds=61)
        client = app.test_client()
        client.post("/login", data={"username": "foreman_a", "password": PASSWORD})
        for _ in range(3):
            client.post("/login/verify", data={"code": "000000"})
    employer = app.test_client()
    login(employer, "employer_a")
    assert employer.post(f"/admin/staff/{world.users['foreman_a']}/unlock-codes").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post(f"/admin/staff/{world.users['foreman_a']}/unlock-codes").status_code == 302
    advance(seconds=61)
    client = app.test_client()
    assert client.post("/login", data={"username": "foreman_a", "password": PASSWORD}).status_code == 302
    assert client.post("/login/verify", data={"code": latest_code(app, phone)}).status_code == 302
