"""Identity takeover by re-enrolment (issue 7, finding 1), replayed step by step, and the paths that replace it.

The attacker knows a worker's name and ID number (printed on every contract), scans *another* project's QR
code and enrols with a new phone. Before the fix this replaced the worker's phone and opened their portal.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from jobs.enrollment import apply_phone_changes
from tests.conftest import advance
from tests.factories import World, id_number, latest_code, latest_sms, login
from wage_guard import boundary, clock
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.identity.models import CheckStatus, IdentityCheck
from wage_guard.ledger.models import LedgerEntry
from wage_guard.sms.models import OutboundSms

VICTIM_PHONE, VICTIM_E164 = "13812345678", "+8613812345678"
ATTACKER_PHONE, ATTACKER_E164 = "13999998888", "+8613999998888"
VICTIM_ID = id_number("37032219850315123")


def enrol_form(phone: str, **changes: str) -> dict[str, str]:
    return {"name": "李四", "id_number": VICTIM_ID, "phone": phone, "trade": "rebar", "consent": "y", **changes}


def victim_enrolled(app: Flask, world: World) -> None:
    """The real worker enrols on project A with their own phone."""
    client = app.test_client()
    assert (
        client.post(f"/e/{world.token_a}", data=enrol_form(VICTIM_PHONE, address="山东省淄博市高青县青城路1号")).status_code
        == 302
    )
    assert client.post(f"/e/{world.token_a}/verify", data={"code": latest_code(app, VICTIM_E164)}).status_code == 302
    advance(seconds=61)


def attacker_enrols_on_b(app: Flask, world: World, client: FlaskClient) -> str:
    """Step by step as the probe did: project B's QR, the victim's name and ID, a new phone, that phone's code."""
    assert client.post(f"/e/{world.token_b}", data=enrol_form(ATTACKER_PHONE)).status_code == 302
    response = client.post(f"/e/{world.token_b}/verify", data={"code": latest_code(app, ATTACKER_E164)})
    assert response.status_code == 302
    return response.headers["Location"]


def victim(app: Flask) -> Worker:
    with app.app_context():
        worker = db.session.scalars(sa.select(Worker).where(Worker.name == "李四")).one()
        db.session.expunge(worker)
        return worker


def open_check(app: Flask) -> IdentityCheck:
    with app.app_context():
        check = db.session.scalars(sa.select(IdentityCheck).order_by(IdentityCheck.id.desc())).first()
        assert check is not None
        db.session.expunge(check)
        return check


def rosters_of(app: Flask, worker_id: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Enrollment.project_id).where(Enrollment.worker_id == worker_id)))


def run_job(app: Flask) -> int:
    with app.app_context():
        done = apply_phone_changes(now=clock.utcnow())
        boundary.commit()
        return done


def test_takeover_by_re_enrolment_changes_nothing_and_gives_the_new_phone_nothing(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    attacker = app.test_client()
    location = attacker_enrols_on_b(app, world, attacker)
    assert location.endswith(f"/e/{world.token_b}/held")
    worker = victim(app)
    assert worker.phone == VICTIM_E164
    assert rosters_of(app, worker.id) == {world.project_a}
    held = attacker.get(location).get_data(as_text=True)
    assert "班组长" in held
    assert "never changed just by enrolling" in attacker.get(location + "?lang=en").get_data(as_text=True)
    attacker.get(location + "?lang=zh_Hans_CN")
    assert VICTIM_ID not in held
    assert "1234" not in held.split("<main>")[1]  # not even the masked registered number
    # The registered phone was told at once, with a link to stop it.
    notice = latest_sms(app, VICTIM_E164).body or ""
    assert "/id/" in notice
    # The new phone gets no portal: a portal code for it (if any is sent) opens no contracts of the victim.
    attacker.post("/me/", data={"phone": ATTACKER_PHONE})
    message = latest_sms(app, ATTACKER_E164)
    if "门户" in (message.body or "") or "合同" in (message.body or ""):
        attacker.post("/me/verify", data={"code": latest_code(app, ATTACKER_E164)})
    page = attacker.get("/me/contracts")
    assert page.status_code in (200, 302)
    assert "李四" not in page.get_data(as_text=True)


def test_the_foreman_confirms_in_person_then_the_hold_then_the_change(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    newcomer = app.test_client()
    attacker_enrols_on_b(app, world, newcomer)
    check = open_check(app)
    foreman_b = app.test_client()
    login(foreman_b, "foreman_b")
    assert "李四" in foreman_b.get("/identity-checks/").get_data(as_text=True)
    # Without the ID-card confirmation: refused with a specific message, nothing changes.
    refused = foreman_b.post(f"/identity-checks/{check.id}", data={"decision": "confirm"})
    assert refused.status_code == 422
    assert "身份证" in refused.get_data(as_text=True)
    assert open_check(app).status is CheckStatus.AWAITING_FOREMAN
    confirmed = foreman_b.post(f"/identity-checks/{check.id}", data={"decision": "confirm", "seen_id_card": "y"})
    assert confirmed.status_code == 302
    assert open_check(app).status is CheckStatus.ON_HOLD
    assert "/id/" in (latest_sms(app, VICTIM_E164).body or "")
    # During the hold: still the old phone, no roster entry on B.
    advance(hours=71)
    assert run_job(app) == 0
    assert victim(app).phone == VICTIM_E164
    advance(hours=2)
    assert run_job(app) == 1
    worker = victim(app)
    assert worker.phone == ATTACKER_E164
    assert rosters_of(app, worker.id) == {world.project_a, world.project_b}
    with app.app_context():
        kinds = set(db.session.scalars(sa.select(LedgerEntry.kind).where(LedgerEntry.subject == f"identity_check:{check.id}")))
    assert {"identity_check_opened", "old_phone_notified", "identity_check_confirmed", "phone_changed"} <= kinds


def test_the_old_number_cancels_during_the_hold(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    attacker_enrols_on_b(app, world, app.test_client())
    check = open_check(app)
    foreman_b = app.test_client()
    login(foreman_b, "foreman_b")
    foreman_b.post(f"/identity-checks/{check.id}", data={"decision": "confirm", "seen_id_card": "y"})
    body = latest_sms(app, VICTIM_E164).body or ""
    token = body.split("/id/")[1].split()[0]
    owner = app.test_client()
    page = owner.get(f"/id/{token}")
    assert page.status_code == 200
    assert "139****8888" in page.get_data(as_text=True)
    assert owner.post(f"/id/{token}").status_code == 200
    assert open_check(app).status is CheckStatus.CANCELLED
    advance(hours=80)
    assert run_job(app) == 0
    assert victim(app).phone == VICTIM_E164
    # A second press, or an unknown token, answers clearly.
    assert owner.post(f"/id/{token}").status_code == 410
    assert owner.get("/id/not-a-real-token-at-all-xxxxxxxx").status_code == 404


def test_a_person_who_still_has_the_old_phone_proves_it_and_moves_at_once(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    person = app.test_client()
    held = attacker_enrols_on_b(app, world, person)
    assert person.post(f"/e/{world.token_b}/old-phone/code").status_code == 302
    wrong = person.post(f"/e/{world.token_b}/old-phone", data={"code": "000000"})
    assert wrong.status_code in (400, 422)
    assert victim(app).phone == VICTIM_E164
    response = person.post(f"/e/{world.token_b}/old-phone", data={"code": latest_code(app, VICTIM_E164)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/e/{world.token_b}/done")
    worker = victim(app)
    assert worker.phone == ATTACKER_E164
    assert rosters_of(app, worker.id) == {world.project_a, world.project_b}
    assert held.endswith("/held")


def test_outsiders_cannot_see_or_decide_the_check(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    attacker_enrols_on_b(app, world, app.test_client())
    check = open_check(app)
    for username in ("foreman_a", "employer_a", "inspector_x"):
        client = app.test_client()
        login(client, username)
        assert client.get(f"/identity-checks/{check.id}").status_code in (403, 404), username
        decided = client.post(f"/identity-checks/{check.id}", data={"decision": "confirm", "seen_id_card": "y"})
        assert decided.status_code in (403, 404), username
        assert "李四" not in client.get("/identity-checks/").get_data(as_text=True)
    # The county's inspector sees it but cannot decide it.
    inspector = app.test_client()
    login(inspector, "inspector_y")
    assert inspector.get(f"/identity-checks/{check.id}").status_code == 200
    assert inspector.post(f"/identity-checks/{check.id}", data={"decision": "confirm", "seen_id_card": "y"}).status_code == 403
    assert open_check(app).status is CheckStatus.AWAITING_FOREMAN


def test_lost_phone_goes_the_same_in_person_way(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    worker = victim(app)
    with app.app_context():
        entry_id = db.session.scalar(sa.select(Enrollment.id).where(Enrollment.worker_id == worker.id))
    foreman = app.test_client()
    login(foreman, "foreman_a")
    base = f"/projects/{world.project_a}/identity/{entry_id}/lost-phone"
    assert foreman.get(base).status_code == 200
    assert foreman.post(base, data={"phone": "12345"}).status_code == 422
    started = foreman.post(base, data={"phone": ATTACKER_PHONE})
    assert started.status_code == 302
    check = open_check(app)
    assert check.phone_verified_at is None
    # Deciding before the new phone is proven is refused.
    early = foreman.post(f"/identity-checks/{check.id}", data={"decision": "confirm", "seen_id_card": "y"})
    assert early.status_code == 422
    proven = foreman.post(f"/identity-checks/{check.id}/code", data={"code": latest_code(app, ATTACKER_E164)})
    assert proven.status_code == 302
    assert "/id/" in (latest_sms(app, VICTIM_E164).body or "")
    assert foreman.post(f"/identity-checks/{check.id}", data={"decision": "confirm", "seen_id_card": "y"}).status_code == 302
    advance(hours=73)
    assert run_job(app) == 1
    assert victim(app).phone == ATTACKER_E164


def test_refused_check_changes_nothing(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    attacker_enrols_on_b(app, world, app.test_client())
    check = open_check(app)
    foreman_b = app.test_client()
    login(foreman_b, "foreman_b")
    response = foreman_b.post(f"/identity-checks/{check.id}", data={"decision": "reject", "note": "不是本人"})
    assert response.status_code == 302
    assert open_check(app).status is CheckStatus.REJECTED
    advance(hours=100)
    assert run_job(app) == 0
    assert victim(app).phone == VICTIM_E164


def test_nobody_deciding_lets_the_check_lapse(app: Flask, world: World) -> None:
    victim_enrolled(app, world)
    attacker_enrols_on_b(app, world, app.test_client())
    advance(days=15)
    run_job(app)
    assert open_check(app).status is CheckStatus.LAPSED
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)) > 0
