"""Complaints over HTTP: from the poster's QR page (with a code) and the portal; closed by foreman or inspector."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.authz_world import portal_login
from tests.conftest import advance
from tests.factories import World, latest_code, login
from wage_guard import boundary
from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.extensions import db
from wage_guard.ledger.models import LedgerEntry

FORM = {"name": "孙八", "phone": "13600000008", "months": "2026-09, 2026-10", "amount": "9,000", "note": "包工头跑了"}


def _complaints(app: Flask) -> list[Complaint]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Complaint).order_by(Complaint.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_poster_complaint_needs_the_code_then_foreman_closes_it(app: Flask, world: World) -> None:
    client = app.test_client()
    assert "反映欠薪" in client.get(f"/e/{world.token_b}").get_data(as_text=True)
    bad = client.post(f"/e/{world.token_b}/complaint", data={**FORM, "months": "九月", "amount": ""})
    assert bad.status_code == 422
    assert "2026-09" in bad.get_data(as_text=True)
    assert _complaints(app) == []
    assert client.post(f"/e/{world.token_b}/complaint", data=FORM).status_code == 302
    [pending] = _complaints(app)
    assert pending.status is ComplaintStatus.UNVERIFIED
    foreman = app.test_client()
    login(foreman, "foreman_b")
    assert "孙八" not in foreman.get(f"/projects/{world.project_b}/complaints").get_data(as_text=True)
    assert (
        client.post(
            f"/e/{world.token_b}/complaint/verify",
            data={"code": "000000" if latest_code(app, "+8613600000008") != "000000" else "111111"},
        ).status_code
        == 422
    )
    done = client.post(f"/e/{world.token_b}/complaint/verify", data={"code": latest_code(app, "+8613600000008")})
    assert done.status_code == 200
    assert "投诉已收到" in done.get_data(as_text=True)
    [filed] = _complaints(app)
    assert (filed.status, filed.months, str(filed.amount), filed.worker_id) == (
        ComplaintStatus.OPEN,
        "2026-09,2026-10",
        "9000.00",
        None,
    )
    listing = foreman.get(f"/projects/{world.project_b}/complaints").get_data(as_text=True)
    assert "孙八" in listing
    assert "不在花名册上" in listing
    url = f"/projects/{world.project_b}/complaints/{filed.id}"
    assert foreman.post(url, data={"resolution": ""}).status_code == 422
    assert foreman.post(url, data={"resolution": "已补发9000元"}).status_code == 302
    assert foreman.post(url, data={"resolution": "再次"}).status_code == 409
    [closed] = _complaints(app)
    assert closed.status is ComplaintStatus.CLOSED
    assert closed.resolution == "已补发9000元"
    with app.app_context():
        kinds = [
            e.kind
            for e in db.session.scalars(
                sa.select(LedgerEntry).where(LedgerEntry.subject == f"complaint:{filed.id}").order_by(LedgerEntry.seq)
            )
        ]
        payloads = " ".join(e.payload for e in db.session.scalars(sa.select(LedgerEntry)))
    assert kinds == ["complaint_filed", "complaint_closed"]
    assert "孙八" not in payloads
    assert "包工头" not in payloads
    assert "13600000008" not in payloads


def test_county_inspector_closes_and_outsiders_cannot(app: Flask, world: World) -> None:
    client = app.test_client()
    portal_login(client, "+8613700000001")
    assert (
        client.post("/me/complaints", data={"project_id": str(world.project_a), "months": "2026-10", "amount": "1"}).status_code
        == 404
    )
    assert (
        client.post(
            "/me/complaints", data={"project_id": str(world.project_b), "months": "2026-10", "amount": "5000"}
        ).status_code
        == 302
    )
    [filed] = _complaints(app)
    assert filed.worker_id is not None
    assert filed.source == "portal"
    assert "2026-10" in client.get("/me/complaints").get_data(as_text=True)
    url = f"/projects/{world.project_b}/complaints/{filed.id}"
    for outsider in ("foreman_a", "inspector_x"):
        other = app.test_client()
        login(other, outsider)
        assert other.get(url).status_code == 404
        assert other.post(url, data={"resolution": "关闭"}).status_code == 404
    inspector = app.test_client()
    login(inspector, "inspector_y")
    assert inspector.post(url, data={"resolution": "监察大队已责令支付"}).status_code == 302
    assert _complaints(app)[0].status is ComplaintStatus.CLOSED


def test_unverified_poster_complaints_are_purged_after_an_hour(app: Flask, world: World) -> None:
    from jobs.confirmations import purge_unverified_complaints

    client = app.test_client()
    assert client.post(f"/e/{world.token_b}/complaint", data=FORM).status_code == 302
    with app.app_context():
        assert purge_unverified_complaints(now=advance(minutes=59)) == 0
        assert purge_unverified_complaints(now=advance(minutes=2)) == 1
        boundary.commit()
    assert _complaints(app) == []
    assert client.get(f"/e/{world.token_b}/complaint/verify").status_code == 404
