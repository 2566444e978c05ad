"""Endings the worker does not sign: the employer's termination notice and notice of rescission (劳动合同法 Art.
39-41, 44), issued by the foreman, sealed by the employer alone, delivered by SMS and in the portal, acknowledged
(or not) by the worker, and ending the contract on the effective date."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.authz_world import portal_login
from tests.conftest import advance
from tests.factories import login
from tests.journeys.conftest import (
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    contract_state,
    default_placement,
    final_pdf,
    issue,
    link_in_sms,
    seal_batch,
    worker_ready,
)
from wage_guard import clock
from wage_guard.contracts import expiry, terms
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.extensions import db
from wage_guard.signing import services as signing
from wage_guard.sms.models import OutboundSms
from wage_guard.verification import services as verification
from wage_guard.verification import wording as verification_wording
from wage_guard.verification.model import Result, Stage

LI_PHONE, WANG_PHONE = WORKERS["李四"][1], WORKERS["王五"][1]
TODAY = date(2026, 11, 2)  # the tests' frozen clock (01:00 UTC) in China


def sign_contract(app: Flask, sw: SigningWorld, name: str = "李四", **changes: object) -> int:
    """Issue, seal and sign one contract for ``name`` (task-based by default)."""
    [contract_id] = issue(app, sw, [name], **changes)
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    client = app.test_client()
    token = link_in_sms(app, WORKERS[name][1], "/s/")
    html = worker_ready(client, app, token, WORKERS[name][1])
    assert client.post(f"/s/{token}/sign", data=default_placement(html)).status_code == 302
    return contract_id


def fixed(end: date) -> dict[str, object]:
    return {"term_type": terms.TermType.FIXED, "end_date": end, "task_description": ""}


def foreman(app: Flask, username: str = "foreman_a") -> FlaskClient:
    advance(seconds=61)  # a fresh login code
    client = app.test_client()
    login(client, username)
    return client


def post_notice(client: FlaskClient, sw: SigningWorld, contract_id: int, **fields: str) -> tuple[int, str]:
    """POST the notice form; returns the status and the page the foreman ends on (in English)."""
    data = {"ground": "39.2", "effective_date": TODAY.isoformat(), "reason": "2026年11月1日在脚手架上不系安全带，屡教不改"}
    data.update(fields)
    url = f"/projects/{sw.base.project_a}/contracts/{contract_id}/notice?lang=en"
    response = client.post(url, data=data)
    location = response.headers.get("Location", "")
    page = client.get(location).get_data(as_text=True) if location else response.get_data(as_text=True)
    return response.status_code, location + "\n" + page


def issue_notice(app: Flask, sw: SigningWorld, contract_id: int, **fields: str) -> int:
    status, page = post_notice(foreman(app), sw, contract_id, **fields)
    assert status == 302, page
    location = page.split("\n", 1)[0]
    notice_id = int(location.split("?")[0].rstrip("/").split("/")[-1])
    assert notice_id != contract_id, page
    return notice_id


def seal(app: Flask) -> None:
    advance(seconds=61)
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))


def messages_to(app: Flask, phone: str) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id))
        return [m.body or "" for m in rows if m.recipient == phone]  # the recipient is stored encrypted


def events(app: Flask, contract_id: int, kind: str) -> list[ContractEvent]:
    with app.app_context():
        query = sa.select(ContractEvent).where(ContractEvent.contract_id == contract_id, ContractEvent.kind == kind)
        return list(db.session.scalars(query))


def pdf_text(app: Flask, contract_id: int) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=final_pdf(app, contract_id), capture_output=True, check=True)
    return "".join(text.stdout.decode().split())


def test_a_rescission_for_misconduct_is_served_without_the_workers_signature(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    before = len(messages_to(app, LI_PHONE))
    notice = issue_notice(app, signing_world, original)
    assert contract_state(app, notice)[0] == "awaiting_employer"
    assert contract_state(app, original)[0] == "in_force"  # not before the employer's seal
    seal(app)
    assert contract_state(app, notice)[0] == "served"
    assert contract_state(app, original)[0] == "rescinded"  # effective today: at once
    texts = messages_to(app, LI_PHONE)[before:]
    assert len(texts) == 1
    assert "/me/" in texts[0]
    assert "/s/" not in texts[0]  # nothing to sign
    assert "12333" in texts[0]
    assert "解除劳动合同通知书" in texts[0]
    flat = pdf_text(app, notice)
    for expected in ("解除劳动合同通知书", "第三十九条第（二）项", "严重违反用人单位的规章制度", "屡教不改", "2026年11月2日"):
        assert expected in flat
    assert "本单位不支付经济补偿" in flat
    assert "劳动争议仲裁委员会申请仲裁" in flat
    assert "12333" in flat
    assert "乙方（签字）" not in flat  # the worker's signature line is not there
    assert [e.details["by"] for e in events(app, original, "status_changed")] == [_number(app, notice)]
    assert len(events(app, notice, "notice_took_effect")) == 1


def test_a_sealed_notice_validates_like_other_contract_documents(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    notice = issue_notice(app, signing_world, original)
    seal(app)
    with app.app_context():
        report = signing.verify(final_pdf(app, notice))
    assert report.ok, report.problems
    assert [s.role for s in report.signatures] == ["employer"]


def test_the_verifier_calls_a_sealed_notice_final_and_the_ended_contract_points_to_it(
    app: Flask, signing_world: SigningWorld
) -> None:
    """A notice needs only the employer's seal: the verifier must not call it "only the employer has sealed", and
    the contract it ends is no longer "in force" but names the notice as the later document."""
    original = sign_contract(app, signing_world)
    notice = issue_notice(app, signing_world, original)
    seal(app)
    with app.app_context():
        checked = verification.verify_pdf(final_pdf(app, notice))
        assert checked.result is Result.VALID, checked.findings
        assert checked.version.stage is Stage.FINAL
        assert "通知" in verification_wording.headline(checked.result, checked.version, checked.findings)
        ended = verification.verify_pdf(final_pdf(app, original))
    assert ended.version.later
    assert ended.version.later[0].number == _number(app, notice)
    assert not ended.version.in_force


def test_article_40_needs_thirty_days_or_pay_in_lieu_and_owes_severance(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    client = foreman(app)
    too_soon = (TODAY + timedelta(days=29)).isoformat()
    status, page = post_notice(client, signing_world, original, ground="40.2", effective_date=too_soon)
    assert "30 days" in page
    assert contract_state(app, original)[0] == "in_force"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract).where(Contract.parent_id == original)) == 0
    effective = TODAY + timedelta(days=30)
    notice = issue_notice(
        app, signing_world, original, ground="40.2", effective_date=effective.isoformat(), reason="经培训后仍不能胜任钢筋绑扎工作"
    )
    seal(app)
    assert contract_state(app, notice)[0] == "served"
    assert contract_state(app, original)[0] == "in_force"  # until the effective date
    flat = pdf_text(app, notice)
    assert "第四十六条第（三）项" in flat
    assert "按此计算为0.5个月工资" in flat
    assert "三倍" in flat
    assert "十二年" in flat
    assert "提前三十日以书面形式通知你" in flat
    # While the notice runs, nothing else may end or renew the contract.
    status, page = post_notice(foreman(app), signing_world, original, ground="39.2")
    assert "already ends this contract" in page
    # The day before the effective date nothing happens; on it the contract ends, once.
    with app.test_request_context():
        assert expiry.run_daily(now=clock.utcnow() + timedelta(days=29))["notices_took_effect"] == 0
        db.session.commit()
        assert expiry.run_daily(now=clock.utcnow() + timedelta(days=30))["notices_took_effect"] == 1
        db.session.commit()
        assert expiry.run_daily(now=clock.utcnow() + timedelta(days=31))["notices_took_effect"] == 0
        db.session.commit()
    assert contract_state(app, original)[0] == "rescinded"


def test_pay_in_lieu_allows_an_earlier_date(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    notice = issue_notice(
        app,
        signing_world,
        original,
        ground="40.3",
        effective_date=TODAY.isoformat(),
        reason="工程停工，协商变更未果",
        pay_in_lieu="y",
    )
    seal(app)
    assert contract_state(app, original)[0] == "rescinded"
    assert "额外支付你一个月工资" in pdf_text(app, notice)


def test_termination_at_expiry_needs_a_fixed_term_and_its_end(app: Flask, signing_world: SigningWorld) -> None:
    task_contract = sign_contract(app, signing_world, "王五")
    status, page = post_notice(foreman(app), signing_world, task_contract, ground="44.1")
    assert "does not fit the contract" in page
    end = TODAY + timedelta(days=20)
    original = sign_contract(app, signing_world, **fixed(end))
    status, page = post_notice(foreman(app), signing_world, original, ground="44.1", effective_date=TODAY.isoformat())
    assert "before the end of the term" in page
    notice = issue_notice(
        app, signing_world, original, ground="44.1", effective_date=end.isoformat(), reason="", renewal_refused="y"
    )
    seal(app)
    flat = pdf_text(app, notice)
    assert "终止劳动合同通知书" in flat
    assert "第四十四条第（一）项" in flat
    assert "你不同意续订" in flat
    assert "本单位不支付经济补偿" in flat
    assert contract_state(app, original)[0] == "in_force"
    with app.test_request_context():
        outcome = expiry.run_daily(now=clock.utcnow() + timedelta(days=20))
        db.session.commit()
    assert outcome["notices_took_effect"] == 1
    assert contract_state(app, original)[0] == "terminated"


def test_the_end_of_a_task_owes_severance(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    notice = issue_notice(app, signing_world, original, ground="task", reason="3号楼主体结构钢筋绑扎已完成")
    seal(app)
    flat = pdf_text(app, notice)
    assert "《劳动合同法实施条例》第二十二条" in flat
    assert "按此计算为0.5个月工资" in flat
    assert contract_state(app, original)[0] == "terminated"


def test_a_worker_who_refused_a_termination_agreement_can_still_be_given_notice(app: Flask, signing_world: SigningWorld) -> None:
    from tests.journeys.test_changes import change

    original = sign_contract(app, signing_world)
    advance(seconds=61)
    agreement = change(app, signing_world, original, "termination", end_date="2026-11-02", other_terms="结清工资")
    seal(app)
    client = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    from tests.journeys.conftest import confirm_code

    confirm_code(client, app, f"/s/{token}", LI_PHONE)
    assert client.post(f"/s/{token}/refuse", data={"reason": "我不同意终止"}).status_code in (200, 302)
    assert contract_state(app, agreement)[0] == "refused"
    assert contract_state(app, original)[0] == "in_force"
    issue_notice(app, signing_world, original, ground="task", reason="任务已完成")
    seal(app)
    assert contract_state(app, original)[0] == "terminated"


def test_the_worker_acknowledges_receipt_in_the_portal_once(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    effective = TODAY + timedelta(days=30)
    notice = issue_notice(
        app, signing_world, original, ground="40.2", effective_date=effective.isoformat(), reason="不能胜任工作"
    )
    seal(app)
    advance(seconds=61)
    worker = app.test_client()
    portal_login(worker, LI_PHONE)
    listing = worker.get("/me/contracts?lang=en").get_data(as_text=True)
    assert _number(app, notice) in listing
    assert f"/me/contracts/{notice}/acknowledge" in listing
    assert "12333" in listing
    assert worker.post(f"/me/contracts/{notice}/acknowledge").status_code == 302
    assert worker.post(f"/me/contracts/{notice}/acknowledge").status_code == 302  # again: recorded once
    [event] = events(app, notice, "receipt_acknowledged")
    with app.app_context():
        row = db.session.get(Contract, notice)
        assert row is not None
        assert event.actor == f"worker:{row.worker_id}"
        assert row.receipt_acknowledged_at is not None
    listing = worker.get("/me/contracts?lang=en").get_data(as_text=True)
    assert "You acknowledged receipt" in listing
    assert f"/me/contracts/{notice}/acknowledge" not in listing
    page = foreman(app).get(f"/projects/{signing_world.base.project_a}/contracts/{notice}?lang=en").get_data(as_text=True)
    assert "The worker acknowledged receipt" in page
    # An original contract is not a notice: nothing to acknowledge, nothing recorded.
    worker.post(f"/me/contracts/{original}/acknowledge")
    assert events(app, original, "receipt_acknowledged") == []


def test_outsiders_can_neither_see_nor_acknowledge_nor_issue_a_notice(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    notice = issue_notice(app, signing_world, original, ground="40.2", effective_date="2026-12-02", reason="不能胜任工作")
    seal(app)
    sign_contract(app, signing_world, "王五")  # so 王五 has a portal of his own
    advance(seconds=61)
    other = app.test_client()
    portal_login(other, WANG_PHONE)
    assert _number(app, notice) not in other.get("/me/contracts").get_data(as_text=True)
    assert other.post(f"/me/contracts/{notice}/acknowledge").status_code == 404
    assert events(app, notice, "receipt_acknowledged") == []
    stranger = app.test_client()
    assert stranger.post(f"/me/contracts/{notice}/acknowledge").status_code == 302  # to the portal's start page
    assert events(app, notice, "receipt_acknowledged") == []
    status, _page = post_notice(foreman(app, "foreman_b"), signing_world, original, ground="39.2")
    assert status in (403, 404)


def _number(app: Flask, contract_id: int) -> str:
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        return contract.number
