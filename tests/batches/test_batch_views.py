"""The foreman's and the signatory's side of a large batch over HTTP: the issue form hands the batch to the
scheduler and shows its progress; the seal is accepted at once and its progress shown to the browser that sealed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from jobs.batches import run_contract_batches
from jobs.runner import run_job
from tests.batches.conftest import Crowd
from tests.factories import login
from tests.journeys.conftest import ISSUE_FORM, SIGNATORY_PHONE, confirm_code, default_placement, link_in_sms
from wage_guard.contracts.models import Contract, ContractBatch
from wage_guard.extensions import db


def _issue(app: Flask, crowd: Crowd) -> tuple[str, FlaskClient]:
    foreman = app.test_client()
    login(foreman, "foreman_a")
    project = crowd.world.base.project_a
    data = {**ISSUE_FORM, "enrollment_ids": [str(e) for e in crowd.enrollments]}
    response = foreman.post(f"/projects/{project}/contracts/new?lang=en", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        batch_id = db.session.scalar(sa.select(ContractBatch.id))
    assert response.headers["Location"] == f"/projects/{project}/contracts/batches/{batch_id}"
    return f"/projects/{project}/contracts/batches/{batch_id}", foreman


def test_the_foreman_watches_a_large_batch_being_issued(app: Flask, crowd: Crowd) -> None:
    page, foreman = _issue(app, crowd)
    before = foreman.get(page + "?lang=en").get_data(as_text=True)
    assert "0 of 6 contracts" in before
    assert 'max="6" value="0"' in before
    assert foreman.get(page + "/progress.json").get_json() == [
        {"kind": "issue", "total": 6, "done": 0, "failed": 0, "settled": 0, "percent": 0, "finished": False}
    ]
    run_job(app, run_contract_batches)
    after = foreman.get(page + "?lang=en").get_data(as_text=True)
    assert "Finished: all 6 done." in after
    assert foreman.get(page + "/progress.json").get_json()[0]["finished"] is True
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 6


@pytest.mark.parametrize("outsider", ["foreman_b", "employer_b", "inspector_y", "inspector_beijing"])
def test_outsiders_do_not_see_the_batch(app: Flask, crowd: Crowd, outsider: str) -> None:
    page, _foreman = _issue(app, crowd)
    client = app.test_client()
    login(client, outsider)
    assert client.get(page).status_code in (403, 404)
    assert client.get(page + "/progress.json").status_code in (403, 404)
    assert app.test_client().get(page + "/progress.json").status_code in (302, 401)


def test_the_signatory_watches_the_seal_being_applied(app: Flask, crowd: Crowd) -> None:
    _issue(app, crowd)
    run_job(app, run_contract_batches)
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    signatory = app.test_client()
    confirm_code(signatory, app, f"/seal/{token}", SIGNATORY_PHONE)
    html = signatory.get(f"/seal/{token}/seal").get_data(as_text=True)
    response = signatory.post(f"/seal/{token}/seal?lang=en", data=default_placement(html))
    assert response.headers["Location"] == f"/seal/{token}/progress"
    assert "0 of 6 contracts" in signatory.get(f"/seal/{token}/progress?lang=en").get_data(as_text=True)
    run_job(app, run_contract_batches)
    done = signatory.get(f"/seal/{token}/progress?lang=en").get_data(as_text=True)
    assert "The company seal has been applied to 6 contracts." in done
    assert signatory.get(f"/seal/{token}/progress.json").get_json()[0]["finished"] is True
    assert signatory.post(f"/seal/{token}/seal", data=default_placement(html)).status_code == 410  # used up
