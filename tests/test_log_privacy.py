"""No ID number, phone number or code in the logs of an enrolment and a staff login."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import advance
from tests.enrollment.test_journey import E164, GOOD_ID, PHONE, form
from tests.factories import STAFF, World, latest_code, login


def test_enrolment_journey_logs_no_personal_data(
    app: Flask, client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    codes: list[str] = []
    client.post(f"/e/{world.token_a}", data=form(id_number=GOOD_ID.lower()))
    codes.append(latest_code(app, E164))
    client.post(f"/e/{world.token_a}/verify", data={"code": "000000" if codes[0] != "000000" else "111111"})
    advance(seconds=61)
    client.post(f"/e/{world.token_a}/resend")
    codes.append(latest_code(app, E164))
    client.post(f"/e/{world.token_a}/verify", data={"code": codes[-1]})
    login(client, "foreman_a")
    codes.append(latest_code(app, STAFF["foreman_a"][1]))
    client.get(f"/projects/{world.project_a}")
    from jobs.runner import run_job
    from jobs.sms import deliver_pending_sms

    run_job(app, deliver_pending_sms)
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "sms" in text  # the journey did log something about SMS delivery
    secrets = [
        GOOD_ID,
        GOOD_ID.lower(),
        GOOD_ID[:17],
        PHONE,
        E164,
        "138 1234 5678",
        STAFF["foreman_a"][1],
        STAFF["foreman_a"][1][3:],
        *codes,
    ]
    for secret in secrets:
        assert secret not in text, "personal data or a code was logged"
