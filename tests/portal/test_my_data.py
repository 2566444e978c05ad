"""A worker downloads everything held about them (PIPL Art. 45): their own details, rosters, contracts with the
PDFs, payroll lines, confirmations and complaints, and nothing of anyone else's; the download is in the evidence log."""

from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa
from flask import Flask

from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import WORKER_B, WORKER_B2, ObjectWorld, portal_login
from tests.factories import id_number
from wage_guard.extensions import db
from wage_guard.ledger import sequencer
from wage_guard.ledger.models import LedgerEntry


def test_a_worker_downloads_all_their_data_and_nobody_elses(app: Flask, objects: ObjectWorld) -> None:
    client = app.test_client()
    portal_login(client, WORKER_B[1])
    assert "/me/my-data.zip" in client.get("/me/contracts").get_data(as_text=True)
    response = client.get("/me/my-data.zip")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("my-data.json"))
    [me] = data["people"]
    assert me["name"] == WORKER_B[0]
    assert me["id_number"] == id_number("37032119800101123")
    assert me["phone"] == WORKER_B[1]
    assert [r["project"] for r in me["rosters"]] == ["桓台县项目B"]
    own = {objects.contract_numbers_b[i] for i in (0, 1, 3)}  # B1, its amendment B2 and the notice B4
    assert {c["number"] for c in me["contracts"]} == own
    assert {n for n in archive.namelist() if n.endswith(".pdf")} == {f"contracts/{n}.pdf" for n in own}
    assert all(archive.read(f"contracts/{n}.pdf").startswith(b"%PDF") for n in own)
    assert {line["month"] for line in me["payroll_lines"]} == {"2026-10-01"}  # every version of the sheet
    assert [line["current"] for line in me["payroll_lines"]].count(True) == 1
    assert me["wage_confirmations"]
    assert me["complaints"]
    everything = response.data + archive.read("my-data.json")
    for other in (WORKER_B2[0], id_number(WORKER_B2[1]), WORKER_B2[2]):
        assert other.encode() not in everything
    with app.app_context():
        sequencer.integrate_queued()
        kinds = db.session.scalars(sa.select(LedgerEntry.kind).where(LedgerEntry.kind == "personal_data_exported"))
        assert list(kinds) == ["personal_data_exported"]


def test_without_a_portal_session_there_is_nothing(app: Flask, objects: ObjectWorld) -> None:
    response = app.test_client().get("/me/my-data.zip")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/")
