"""Renew, amend, rescind, terminate: each a signed document linked to the original, and the terms risk jobs read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from tests.conftest import advance
from tests.factories import login
from tests.journeys.conftest import (
    OFFER_FORM,
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    contract_state,
    default_placement,
    link_in_sms,
    seal_batch,
    worker_ready,
)
from tests.journeys.test_signing_journey import sign_one
from wage_guard.contracts import services as contracts
from wage_guard.contracts.models import Contract
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger

LI_PHONE = WORKERS["李四"][1]


def change(app: Flask, sw: SigningWorld, contract_id: int, kind: str, **fields: str) -> int:
    foreman = app.test_client()
    login(foreman, "foreman_a")
    form = {"kind": kind, **OFFER_FORM}
    form.update(fields)
    response = foreman.post(f"/projects/{sw.base.project_a}/contracts/{contract_id}/change", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def sign_change(app: Flask) -> None:
    advance(seconds=61)
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    advance(seconds=61)
    client = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    html = worker_ready(client, app, token, LI_PHONE)
    assert client.post(f"/s/{token}/sign", data=default_placement(html)).status_code == 302


def current_pay(app: Flask, sw: SigningWorld) -> Decimal | None:
    with app.app_context():
        entry = db.session.get(Enrollment, sw.enrollments["李四"])
        assert entry is not None
        terms = contracts.current_terms(entry)
        return terms.pay_amount if terms else None


def test_amendment_changes_the_terms_risk_jobs_read(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_one(app, signing_world)
    assert current_pay(app, signing_world) == Decimal("350")
    amendment = change(app, signing_world, original, "amendment", pay_amount="380")
    # Until the amendment is signed, the original terms apply.
    assert current_pay(app, signing_world) == Decimal("350")
    sign_change(app)
    assert contract_state(app, amendment)[0] == "completed"
    assert contract_state(app, original)[0] == "in_force"
    assert current_pay(app, signing_world) == Decimal("380")
    with app.app_context():
        linked = db.session.get(Contract, amendment)
        assert linked is not None
        assert linked.parent_id == original


@pytest.mark.parametrize(("kind", "parent_status"), [("termination", "terminated"), ("rescission", "rescinded")])
def test_ending_a_contract(app: Flask, signing_world: SigningWorld, kind: str, parent_status: str) -> None:
    original = sign_one(app, signing_world)
    ending = change(
        app,
        signing_world,
        original,
        kind,
        end_date="2026-12-31",
        other_terms="甲方于2026年12月31日前结清全部工资并支付经济补偿3500元",
    )
    sign_change(app)
    assert contract_state(app, ending)[0] == "completed"
    assert contract_state(app, original)[0] == parent_status
    assert current_pay(app, signing_world) is None
    with app.app_context():
        number = db.session.get(Contract, original).number  # type: ignore[union-attr]
        kinds = [entry.kind for entry in ledger.entries_about(f"contract:{number}")]
    assert kinds[-1] == "status_changed"


def test_renewal_replaces_the_original(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_one(app, signing_world)
    renewal = change(app, signing_world, original, "renewal", pay_amount="360")
    sign_change(app)
    assert contract_state(app, original)[0] == "renewed"
    assert contract_state(app, renewal)[0] == "in_force"
    assert current_pay(app, signing_world) == Decimal("360")


def test_only_one_change_at_a_time_and_only_in_force(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_one(app, signing_world)
    change(app, signing_world, original, "amendment", pay_amount="380")
    advance(seconds=61)  # the foreman's previous login code
    foreman = app.test_client()
    login(foreman, "foreman_a")
    second = foreman.post(
        f"/projects/{signing_world.base.project_a}/contracts/{original}/change?lang=en",
        data={
            "kind": "termination",
            "term_type": "task",
            "start_date": "2026-11-02",
            "task_description": "x",
            "job_title": "钢筋工",
            "work_place": "工地",
            "pay_form": "daily",
            "pay_amount": "350",
        },
        follow_redirects=True,
    )
    assert "already being signed" in second.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "title", "article"),
    [("rescission", "解除劳动合同协议书", "第三十六条"), ("termination", "终止劳动合同确认书", "第四十四条")],
)
def test_ending_documents_have_their_own_text(
    app: Flask, signing_world: SigningWorld, kind: str, title: str, article: str
) -> None:
    import subprocess

    from tests.journeys.conftest import final_pdf

    original = sign_one(app, signing_world)
    ending = change(app, signing_world, original, kind, end_date="2026-12-31", other_terms="结清工资并支付经济补偿3500元")
    with app.app_context():
        original_number = db.session.get(Contract, original).number  # type: ignore[union-attr]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=final_pdf(app, ending), capture_output=True, check=True
    ).stdout.decode()
    flat = "".join(text.split())
    for expected in (title, article, original_number, "2026年12月31日", "经济补偿3500元"):
        assert expected in flat


def test_ending_needs_an_end_date_and_the_arrangements(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_one(app, signing_world)
    foreman = app.test_client()
    login(foreman, "foreman_a")
    base = {
        "kind": "rescission",
        "term_type": "task",
        "start_date": "2026-11-02",
        "task_description": "x",
        "job_title": "钢筋工",
        "work_place": "工地",
        "pay_form": "daily",
        "pay_amount": "350",
    }
    url = f"/projects/{signing_world.base.project_a}/contracts/{original}/change?lang=en"
    no_date = foreman.post(url, data={**base, "other_terms": "结清工资"}, follow_redirects=True).get_data(as_text=True)
    assert "last day of employment" in no_date
    no_text = foreman.post(url, data={**base, "end_date": "2026-12-31"}, follow_redirects=True).get_data(as_text=True)
    assert "Describe what was agreed" in no_text
    assert [c.status.value for c in _children(app, original)] == []


def _children(app: Flask, contract_id: int) -> list[Contract]:
    with app.app_context():
        parent = db.session.get(Contract, contract_id)
        assert parent is not None
        return contracts.children(parent)
