"""The worker's confirmation pages (SMS link and portal), the foreman's list, and exit settlement over HTTP."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.authz_world import portal_login
from tests.confirmations.support import Row, import_month, link_token, messages_to, open_slip
from tests.conftest import advance
from tests.factories import World, enrol_directly, id_number, latest_code, login
from wage_guard import boundary
from wage_guard.confirmations.models import Answer, Status, WageConfirmation
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project

PHONE = "+8613700000001"


def _import(app: Flask, world: World, *rows: Row) -> None:
    with app.app_context():
        import_month(world.project_b, list(rows) or [Row(world.enrollment_b)])
        boundary.commit()


def _only(app: Flask) -> WageConfirmation:
    with app.app_context():
        confirmation = db.session.scalars(sa.select(WageConfirmation).order_by(WageConfirmation.id.desc())).first()
        assert confirmation is not None
        db.session.expunge(confirmation)
        return confirmation


def test_worker_proves_the_phone_sees_the_slip_and_disputes_the_amount(app: Flask, world: World) -> None:
    _import(app, world)
    client = app.test_client()
    token = link_token(app, PHONE)
    assert client.get(f"/w/{token}/slip").status_code == 302  # no code yet: back to the start
    html = open_slip(client, token, PHONE)
    for shown in (
        "工资清单",
        "2026-10",
        "桓台县项目B",
        "乙建筑公司",
        "¥4800.00",
        "¥300.00 (伙食费)",
        "¥4500.00",
        "2026-11-15",
        "1234",
    ):
        assert shown in html, shown
    response = client.post(f"/w/{token}/slip", data={"answer": "wrong_amount", "amount": "4,000", "note": "少发500"})
    assert response.status_code == 302
    assert "金额不对" in client.get(f"/w/{token}/slip").get_data(as_text=True)
    confirmation = _only(app)
    assert (confirmation.answer, str(confirmation.claimed_amount), confirmation.answered_via) == (
        Answer.WRONG_AMOUNT,
        "4000.00",
        "link",
    )
    foreman = app.test_client()
    login(foreman, "foreman_b")
    page = foreman.get(f"/projects/{world.project_b}/confirmations").get_data(as_text=True)
    assert 'class="dispute"' in page
    assert "少发500" in page
    assert "¥4000.00" in page


def test_bad_answers_get_a_specific_message_and_change_nothing(app: Flask, world: World) -> None:
    _import(app, world)
    client = app.test_client()
    token = link_token(app, PHONE)
    open_slip(client, token, PHONE)
    response = client.post(f"/w/{token}/slip", data={"answer": "wrong_amount", "amount": "很多"})
    assert response.status_code == 422
    assert "请输入" in response.get_data(as_text=True) or "Please enter" in response.get_data(as_text=True)
    assert client.post(f"/w/{token}/slip", data={}).status_code == 422
    assert _only(app).status is Status.PENDING


def test_a_wrong_code_is_refused_and_counted(app: Flask, world: World) -> None:
    _import(app, world)
    client = app.test_client()
    token = link_token(app, PHONE)
    client.post(f"/w/{token}/code")
    wrong = "000000" if latest_code(app, PHONE) != "000000" else "111111"
    response = client.post(f"/w/{token}/verify", data={"code": wrong})
    assert response.status_code == 422
    assert client.get(f"/w/{token}/slip").status_code == 302
    assert client.post(f"/w/{token}/code").status_code == 302  # inside the cool-down: a message, no new code


def test_unknown_and_superseded_links(app: Flask, world: World) -> None:
    _import(app, world)
    token = link_token(app, PHONE)
    client = app.test_client()
    assert client.get("/w/not-a-token").status_code == 404
    _import(app, world, Row(world.enrollment_b, net="4400.00", deductions="400.00"))
    assert client.get(f"/w/{token}").status_code == 410
    new = link_token(app, PHONE)
    assert new != token
    assert "更正" in messages_to(app, PHONE)[-1]
    assert client.get(f"/w/{new}").status_code == 200


def test_portal_lists_every_month_and_answers_there(app: Flask, world: World) -> None:
    _import(app, world)
    client = app.test_client()
    portal_login(client, PHONE)
    listing = client.get("/me/wages/").get_data(as_text=True)
    confirmation = _only(app)
    assert "2026-10" in listing
    assert "尚未回答" in listing
    response = client.post(f"/me/wages/{confirmation.id}", data={"answer": "received"})
    assert response.status_code == 302
    assert "已收到，无误" in client.get("/me/wages/").get_data(as_text=True)
    assert client.post(f"/me/wages/{confirmation.id}", data={"answer": "not_received"}).status_code == 409


def test_another_worker_cannot_open_or_answer_this_slip(app: Flask, world: World) -> None:
    with app.app_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        other = enrol_directly(project, "钱七", id_number("37032119900202003"), "+8613700000002")
        boundary.commit()
        other_id = other.id
    _import(app, world, Row(world.enrollment_b), Row(other_id))
    mine = link_token(app, PHONE)
    client = app.test_client()
    portal_login(client, "+8613700000002")
    with app.app_context():
        first_id = db.session.scalars(sa.select(WageConfirmation.id).order_by(WageConfirmation.id)).first()
    assert client.get(f"/me/wages/{first_id}").status_code == 404
    assert client.post(f"/me/wages/{first_id}", data={"answer": "received"}).status_code == 404
    open_slip(client, link_token(app, "+8613700000002"), "+8613700000002")  # their own link works
    assert client.get(f"/w/{mine}/slip").status_code == 302  # a code for their slip does not open mine
    assert _only(app).status is Status.PENDING


def test_foreman_records_exit_and_settlement_and_the_worker_confirms(app: Flask, world: World) -> None:
    foreman = app.test_client()
    login(foreman, "foreman_b")
    url = f"/projects/{world.project_b}/roster/{world.enrollment_b}/settlement"
    assert foreman.get(url).status_code == 200
    assert foreman.post(url, data={"exit_date": "2026-11-02", "amount": "abc"}).status_code == 422
    assert foreman.post(url, data={"exit_date": "2026-11-02", "amount": "8600", "note": "含10月工资"}).status_code == 302
    with app.app_context():
        entry = db.session.get(Enrollment, world.enrollment_b)
        assert entry is not None
        assert entry.exit_date is not None
    client = app.test_client()
    token = link_token(app, PHONE)
    html = open_slip(client, token, PHONE)
    assert "¥8600.00" in html
    assert "已结清" in html
    assert client.post(f"/w/{token}/slip", data={"answer": "settled"}).status_code == 302
    assert _only(app).answer is Answer.SETTLED
    inspector = app.test_client()
    login(inspector, "inspector_y")
    assert "¥8600.00" in inspector.get(f"/projects/{world.project_b}/confirmations").get_data(as_text=True)
    assert inspector.post(url, data={"exit_date": "2026-11-02", "amount": "1"}).status_code == 403
    outsider = app.test_client()
    login(outsider, "foreman_a")
    assert outsider.get(url).status_code == 404


def test_reminder_links_open_the_same_slip(app: Flask, world: World) -> None:
    from jobs.confirmations import remind_wage_confirmations

    _import(app, world)
    first = link_token(app, PHONE)
    with app.app_context():
        assert remind_wage_confirmations(now=advance(days=3)) == 1
        boundary.commit()
    second = link_token(app, PHONE)
    assert second != first
    client = app.test_client()
    assert client.get(f"/w/{first}").status_code == 200
    open_slip(client, second, PHONE)
