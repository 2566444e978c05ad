"""Issuing, sealing and signing over HTTP, the worker portal, and every kind of bad input."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import advance
from tests.factories import latest_code, login
from tests.journeys.conftest import (
    ISSUE_FORM,
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    complete_long_term,
    confirm_code,
    contract_state,
    default_placement,
    final_pdf,
    issue,
    link_in_sms,
    seal_batch,
    worker_ready,
)
from tests.ledger.checks import ledger_verifies
from wage_guard.accounts.models import User
from wage_guard.contracts.models import Contract, ContractDocument, SigningLink
from wage_guard.extensions import db
from wage_guard.signing import services as signing

LI_PHONE = WORKERS["李四"][1]


def sign_one(app: Flask, sw: SigningWorld, name: str = "李四") -> int:
    [contract_id] = issue(app, sw, [name])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    client = app.test_client()
    token = link_in_sms(app, WORKERS[name][1], "/s/")
    html = worker_ready(client, app, token, WORKERS[name][1])
    response = client.post(f"/s/{token}/sign", data=default_placement(html))
    assert response.status_code == 302, response.get_data(as_text=True)
    return contract_id


def test_foreman_issues_employer_seals_worker_signs(app: Flask, signing_world: SigningWorld) -> None:
    foreman = app.test_client()
    login(foreman, "foreman_a")
    form = {**ISSUE_FORM, "enrollment_ids": [str(v) for v in signing_world.enrollments.values()]}
    response = foreman.post(f"/projects/{signing_world.base.project_a}/contracts/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        ids = [c.id for c in db.session.scalars(sa.select(Contract).order_by(Contract.id))]
    assert [contract_state(app, i)[0] for i in ids] == ["awaiting_employer"] * 2
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    assert [contract_state(app, i)[0] for i in ids] == ["awaiting_worker"] * 2
    worker = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    html = worker_ready(worker, app, token, LI_PHONE)
    signed = worker.post(f"/s/{token}/sign", data=default_placement(html))
    assert signed.status_code == 302, signed.get_data(as_text=True)
    done = worker.get("/s/done")
    assert done.status_code == 200
    assert "WG-370322" in done.get_data(as_text=True)
    state = contract_state(app, ids[0])
    assert state == ("in_force", 3)
    with app.app_context():
        report = signing.verify(final_pdf(app, ids[0]))
    data = report.to_dict()
    assert data["ok"] is True
    assert len(data["signatures"]) == 2
    assert len(data["document_timestamps"]) >= 1
    listing = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/").get_data(as_text=True)
    assert "status-in_force" in listing


def test_worker_portal_lists_downloads_and_verifies(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world)
    complete_long_term(app)  # as the scheduler does right after the signing request
    advance(seconds=61)  # the resend cool-down after the signing code
    client = app.test_client()
    assert client.post("/me/", data={"phone": LI_PHONE.removeprefix("+86")}).status_code == 302
    assert client.post("/me/verify", data={"code": latest_code(app, LI_PHONE)}).status_code == 302
    page = client.get("/me/contracts").get_data(as_text=True)
    assert "WG-370322" in page
    pdf = client.get(f"/me/contracts/{contract_id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data == final_pdf(app, contract_id)
    report = client.get(f"/me/contracts/{contract_id}/verify").get_data(as_text=True)
    assert 'class="verdict valid"' in report
    assert client.get(f"/me/contracts/{contract_id + 1000}.pdf").status_code == 404


def test_portal_hides_other_workers_contracts(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world, "李四")
    other = app.test_client()
    wang_phone = WORKERS["王五"][1]
    other.post("/me/", data={"phone": wang_phone})
    # Without the code sent to 王五's phone, nothing can be opened.
    assert other.get(f"/me/contracts/{contract_id}.pdf").status_code == 302


def test_public_verification_page_reports_valid_and_known(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world)
    pdf = final_pdf(app, contract_id)
    import io

    client = app.test_client()
    response = client.post("/verify/", data={"file": (io.BytesIO(pdf), "c.pdf")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="verdict valid"' in html
    assert "李*" in html
    assert "李四" not in html
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    bad = client.post("/verify/", data={"file": (io.BytesIO(bytes(tampered)), "c.pdf")}, content_type="multipart/form-data")
    assert 'class="verdict valid"' not in bad.get_data(as_text=True)


def test_expired_link_is_refused(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    advance(days=15)
    response = app.test_client().get(f"/seal/{token}")
    assert response.status_code == 410
    assert "过期" in response.get_data(as_text=True)


def test_link_reused_after_signing_is_refused(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world)
    token = link_in_sms(app, LI_PHONE, "/s/")
    response = app.test_client().get(f"/s/{token}")
    assert response.status_code == 410
    assert "用过" in response.get_data(as_text=True)
    assert contract_state(app, contract_id) == ("in_force", 3)


def test_wrong_and_stale_codes_are_refused(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    client.post(f"/seal/{token}/code")
    code = latest_code(app, SIGNATORY_PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert client.post(f"/seal/{token}/verify", data={"code": wrong}).status_code == 422
    advance(minutes=6)
    assert client.post(f"/seal/{token}/verify", data={"code": code}).status_code == 410
    # Without a confirmed code the sealing page sends the signatory back to the start.
    assert client.get(f"/seal/{token}/seal").status_code == 302


def test_code_from_another_contract_does_not_work(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四", "王五"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    li_token = link_in_sms(app, LI_PHONE, "/s/")
    wang_token = link_in_sms(app, WORKERS["王五"][1], "/s/")
    wang = app.test_client()
    wang.post(f"/s/{wang_token}/code")
    wang_code = latest_code(app, WORKERS["王五"][1])
    li = app.test_client()
    assert li.post(f"/s/{li_token}/verify", data={"code": wang_code}).status_code == 422
    confirm_code(li, app, f"/s/{li_token}", LI_PHONE)


def test_seal_dropped_outside_the_page_is_refused(app: Flask, signing_world: SigningWorld) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    for bad in (
        {"page": 0, "fx": 0.95, "fy": 0.5, "fw": 0.19, "fh": 0.13},
        {"page": 9, "fx": 0.1, "fy": 0.1, "fw": 0.1, "fh": 0.1},
        {"page": 0, "fx": -0.1, "fy": 0.1, "fw": 0.1, "fh": 0.1},
        {},
    ):
        response = client.post(f"/seal/{token}/seal", data=bad)
        assert response.status_code == 422
        assert "印章" in response.get_data(as_text=True)
    assert contract_state(app, contract_id) == ("awaiting_employer", 1)


def ready_to_sign(app: Flask, sw: SigningWorld) -> tuple[int, FlaskClient, str, dict[str, float]]:
    """李四's contract issued and sealed, the code confirmed and the notice read: (contract, client, token, form)."""
    [contract_id] = issue(app, sw, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    client = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    return contract_id, client, token, default_placement(worker_ready(client, app, token, LI_PHONE))


def test_double_submit_gives_exactly_one_signature(app: Flask, signing_world: SigningWorld) -> None:
    contract_id, client, token, placement = ready_to_sign(app, signing_world)
    assert client.post(f"/s/{token}/sign", data=placement).status_code == 302
    again = client.post(f"/s/{token}/sign", data=placement)
    assert again.status_code in (409, 410)
    assert contract_state(app, contract_id) == ("in_force", 3)
    with app.app_context():
        report = signing.verify(final_pdf(app, contract_id)).to_dict()
    assert len(report["signatures"]) == 2


def test_concurrent_signing_requests_one_wins(app: Flask, signing_world: SigningWorld) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    first = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    placement = default_placement(worker_ready(first, app, token, LI_PHONE))
    second = app.test_client()
    with first.session_transaction() as source, second.session_transaction() as target:
        target.update(dict(source))
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def post(client: FlaskClient) -> None:
        barrier.wait()
        statuses.append(client.post(f"/s/{token}/sign", data=placement).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses)[0] == 302
    assert sorted(statuses)[1] in (409, 410)  # a clean refusal, never a server error
    with app.app_context():
        report = signing.verify(final_pdf(app, contract_id)).to_dict()
    assert report["ok"] is True
    assert len(report["signatures"]) == 2


def test_timestamp_authority_down_fails_clearly_and_stores_nothing(app: Flask, signing_world: SigningWorld) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    placement = default_placement(client.get(f"/seal/{token}/seal").get_data(as_text=True))
    app.config["TSA_URL"] = "http://127.0.0.1:9/tsa"
    try:
        response = client.post(f"/seal/{token}/seal?lang=en", data=placement)
        chinese = client.post(f"/seal/{token}/seal?lang=zh_Hans_CN", data=placement)
    finally:
        app.config["TSA_URL"] = None
    assert response.status_code == 503
    assert "nothing was signed" in response.get_data(as_text=True)
    # The signer sees their language and no internals: not the TSA's address, not the library's English reason.
    page = chinese.get_data(as_text=True)
    assert chinese.status_code == 503
    assert "可信时间" in page
    assert "127.0.0.1:9" not in page + response.get_data(as_text=True)
    assert "timestamp authority" not in page
    assert contract_state(app, contract_id) == ("awaiting_employer", 1)
    with app.app_context():
        assert db.session.scalars(sa.select(SigningLink).where(SigningLink.party == "employer")).one().used_at is None
    logged = ledger_verifies(app)
    # Once the TSA is back the same link works, its seal is logged and the log still verifies.
    assert client.post(f"/seal/{token}/seal", data=placement).status_code == 200
    assert contract_state(app, contract_id) == ("awaiting_worker", 2)
    assert ledger_verifies(app) > logged


def test_unavailable_hsm_fails_clearly(app: Flask, signing_world: SigningWorld) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    placement = default_placement(client.get(f"/seal/{token}/seal").get_data(as_text=True))
    saved = {k: app.config[k] for k in ("KEY_STORE", "PKCS11_MODULE", "PKCS11_TOKEN_LABEL", "PKCS11_USER_PIN")}
    app.config.update(KEY_STORE="pkcs11", PKCS11_MODULE="/nonexistent/libpkcs11.so", PKCS11_TOKEN_LABEL="x", PKCS11_USER_PIN="1")
    try:
        response = client.post(f"/seal/{token}/seal?lang=en", data=placement)
    finally:
        app.config.update(saved)
    assert response.status_code == 503
    assert "signing service is not available" in response.get_data(as_text=True)
    assert "libpkcs11" not in response.get_data(as_text=True)
    assert contract_state(app, contract_id) == ("awaiting_employer", 1)


def test_worker_can_refuse_with_reason_and_foreman_sees_it(app: Flask, signing_world: SigningWorld) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    client = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    worker_ready(client, app, token, LI_PHONE)
    assert client.post(f"/s/{token}/refuse", data={"reason": "日工资和说好的不一样"}).status_code == 200
    assert contract_state(app, contract_id)[0] == "refused"
    foreman = app.test_client()
    login(foreman, "foreman_a")
    page = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/").get_data(as_text=True)
    assert "日工资和说好的不一样" in page


def test_staff_cannot_sign_for_a_worker(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    token = link_in_sms(app, LI_PHONE, "/s/")
    foreman = app.test_client()
    login(foreman, "foreman_a")
    # Even with the link, a staff session has no confirmed worker code: signing pages send it back to the start.
    assert foreman.get(f"/s/{token}/sign").status_code == 302
    assert foreman.post(f"/s/{token}/sign", data={"page": 0, "fx": 0.1, "fy": 0.1, "fw": 0.1, "fh": 0.1}).status_code == 302
    foreman.post(f"/s/{token}/code")
    # The code goes to the worker's phone, never to staff.
    with app.app_context():
        from tests.factories import latest_sms

        assert latest_sms(app, LI_PHONE).template == "sign_code"


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"probation_months": 1}, "第十九条"), ({"job_title": "钢筋工\U0001f600"}, "字")],
)
def test_unlawful_or_unprintable_contracts_are_not_issued(
    app: Flask, signing_world: SigningWorld, changes: dict[str, object], message: str
) -> None:
    foreman = app.test_client()
    login(foreman, "foreman_a")
    form = {**ISSUE_FORM, "enrollment_ids": [str(signing_world.enrollments["李四"])]}
    form.update({k: str(v) for k, v in changes.items()})
    response = foreman.post(f"/projects/{signing_world.base.project_a}/contracts/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContractDocument)) == 0


def test_missing_worker_address_names_article_17(app: Flask, signing_world: SigningWorld) -> None:
    from wage_guard.enrollment.models import Enrollment

    with app.app_context():
        entry = db.session.get(Enrollment, signing_world.enrollments["王五"])
        assert entry is not None
        entry.worker.address = None
        db.session.commit()
    with pytest.raises(Exception, match="第十七条"):
        issue(app, signing_world, ["李四", "王五"])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0


def test_contract_of_another_project_is_not_found(app: Flask, signing_world: SigningWorld) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    outsider = app.test_client()
    login(outsider, "foreman_b")
    # Through its own project's URL, foreman B cannot reach project A's contract either.
    assert outsider.get(f"/projects/{signing_world.base.project_b}/contracts/{contract_id}").status_code == 404
    assert outsider.get(f"/projects/{signing_world.base.project_b}/contracts/{contract_id}/pdf").status_code == 404
    assert outsider.get(f"/projects/{signing_world.base.project_a}/contracts/{contract_id}/pdf").status_code == 404
    insider = app.test_client()
    login(insider, "foreman_a")
    assert insider.get(f"/projects/{signing_world.base.project_a}/contracts/{contract_id}/pdf").mimetype == "application/pdf"


def test_portal_needs_a_code(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world)
    anonymous = app.test_client()
    for url in ("/me/contracts", f"/me/contracts/{contract_id}.pdf", f"/me/contracts/{contract_id}/verify"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/me/")


def test_a_phone_change_ends_the_signing_session_confirmed_on_the_old_phone(app: Flask, signing_world: SigningWorld) -> None:
    """Whoever confirmed the code on the worker's old phone cannot sign once the phone is changed."""
    contract_id, client, token, form = ready_to_sign(app, signing_world)
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        contract.worker.phone_index = "0" * 64  # the phone number changed (the listener ends the person's sessions)
        db.session.commit()
    response = client.post(f"/s/{token}/sign", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{token}")
    assert client.get(f"/s/{token}/sign").status_code == 302
    assert contract_state(app, contract_id) == ("awaiting_worker", 2)


def test_a_new_phone_for_the_signatory_ends_the_sealing_session(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    client = app.test_client()
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    page = client.get(f"/seal/{token}/seal")
    assert page.status_code == 200
    with app.app_context():
        signatory = db.session.get(User, signing_world.base.users["employer_a"])
        assert signatory is not None
        signatory.phone = "+8613700000999"
        db.session.commit()
    response = client.post(f"/seal/{token}/seal", data=default_placement(page.get_data(as_text=True)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seal/{token}")
