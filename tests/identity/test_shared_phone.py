"""Proxy signing at the door (issue 7, finding 2): one phone collecting several people's enrolments and links."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from tests.factories import World, enrol_directly, id_number, latest_code, latest_sms, login
from tests.journeys.conftest import issue, link_in_sms, seal_batch
from wage_guard import boundary, clock
from wage_guard.codes import queries as code_queries
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.identity.models import CheckKind, CheckStatus, IdentityCheck
from wage_guard.organisations.models import Project
from wage_guard.sms.models import OutboundSms

FOREMAN_PHONE, FOREMAN_E164 = "13600001111", "+8613600001111"
PEOPLE = [("张一", "37032219800101001"), ("张二", "37032219810101002"), ("张三", "37032219820101003")]


def enrol(app: Flask, world: World, name: str, first17: str, device: str = "foreman-phone-0000000001") -> int:
    client = app.test_client()
    client.set_cookie("wg_device", device)
    form = {"name": name, "id_number": id_number(first17), "phone": FOREMAN_PHONE, "trade": "general", "consent": "y"}
    assert client.post(f"/e/{world.token_a}", data=form).status_code == 302
    response = client.post(f"/e/{world.token_a}/verify", data={"code": latest_code(app, FOREMAN_E164)})
    assert response.status_code == 302
    return 0 if response.headers["Location"].endswith("/held") else 1


def people_on_roster(app: Flask, project_id: int) -> set[str]:
    with app.app_context():
        query = sa.select(Worker.name).join(Enrollment).where(Enrollment.project_id == project_id)
        return set(db.session.scalars(query))


def test_a_phone_of_two_people_cannot_enrol_a_third_without_the_foreman(app: Flask, world: World) -> None:
    assert enrol(app, world, *PEOPLE[0]) == 1
    assert enrol(app, world, *PEOPLE[1]) == 1  # a couple may share a phone
    assert enrol(app, world, *PEOPLE[2]) == 0  # the third is held
    assert people_on_roster(app, world.project_a) == {"张一", "张二"}
    with app.app_context():
        check = db.session.scalars(sa.select(IdentityCheck)).one()
        assert check.kind is CheckKind.SHARED_PHONE_ENROLMENT
        check_id = check.id
    # The foreman's in-person confirmation puts the person on the roster; it is logged and inspectors see it.
    foreman = app.test_client()
    login(foreman, "foreman_a")
    assert foreman.post(f"/identity-checks/{check_id}", data={"decision": "confirm", "seen_id_card": "y"}).status_code == 302
    assert people_on_roster(app, world.project_a) == {"张一", "张二", "张三"}
    inspector = app.test_client()
    login(inspector, "inspector_x")
    dashboard = inspector.get("/inspector/").get_data(as_text=True)
    assert "张三" in dashboard
    assert "使用共用手机号登记" in dashboard
    # The code checks are kept in the form the proxy-signing rule reads with one query.
    with app.app_context():
        signals = code_queries.shared_verifiers(since=clock.utcnow() - timedelta(days=1))
    by_dimension = {s.dimension: s.people for s in signals}
    assert by_dimension["phone"] == 3
    assert by_dimension["device"] == 3


def test_a_refused_third_person_stays_off_the_roster(app: Flask, world: World) -> None:
    for person in PEOPLE:
        enrol(app, world, *person)
    with app.app_context():
        check_id = db.session.scalars(sa.select(IdentityCheck.id)).one()
    foreman = app.test_client()
    login(foreman, "foreman_a")
    assert foreman.post(f"/identity-checks/{check_id}", data={"decision": "reject"}).status_code == 302
    assert people_on_roster(app, world.project_a) == {"张一", "张二"}


def test_different_devices_are_separate_signals(app: Flask, world: World) -> None:
    enrol(app, world, *PEOPLE[0], device="device-of-zhang-yi-0000001")
    enrol(app, world, *PEOPLE[1], device="device-of-zhang-er-0000002")
    with app.app_context():
        signals = code_queries.shared_verifiers(since=clock.utcnow() - timedelta(days=1))
    assert [s.dimension for s in signals if s.dimension == "device"] == []
    assert {s.dimension for s in signals} >= {"phone"}


def test_another_persons_signing_link_to_a_full_phone_waits_for_the_foreman(app: Flask, signing_world) -> None:  # type: ignore[no-untyped-def]
    """Three people on one phone (data from before the rule): the third's signing link is held, then released."""
    sw = signing_world
    shared = "+8613812345678"  # 李四's phone in the signing world
    with app.app_context():
        project = db.session.get(Project, sw.base.project_a)
        assert project is not None
        for name, first17 in PEOPLE[:2]:
            entry = enrol_directly(project, name, id_number(first17), shared)
            entry.worker.address = "山东省淄博市高青县田镇街道青城路2号"
            sw.enrollments[name] = entry.id
        boundary.commit()
    [contract_id] = issue(app, sw, ["张一"])
    before = _sms_count(app, shared)
    seal_batch(app.test_client(), app, link_in_sms(app, "+8613900000004", "/seal/"))
    assert _sms_count(app, shared) == before  # no signing link went to the shared phone
    with app.app_context():
        check = db.session.scalars(sa.select(IdentityCheck)).one()
        assert (check.kind, check.contract_id) == (CheckKind.SHARED_PHONE_SIGNING, contract_id)
        check_id = check.id
    foreman = app.test_client()
    login(foreman, "foreman_a")
    assert foreman.post(f"/identity-checks/{check_id}", data={"decision": "confirm", "seen_id_card": "y"}).status_code == 302
    assert "/s/" in (latest_sms(app, shared).body or "")
    with app.app_context():
        assert db.session.get(IdentityCheck, check_id).status is CheckStatus.DONE  # type: ignore[union-attr]


def _sms_count(app: Flask, phone: str) -> int:
    with app.app_context():
        return sum(1 for m in db.session.scalars(sa.select(OutboundSms)) if m.recipient == phone)
