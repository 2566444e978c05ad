"""The scheduled jobs, called directly as the scheduler would."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from jobs.enrollment import purge_stale_enrollments
from jobs.ledger import integrate_ledger
from jobs.runner import run_job
from jobs.sms import deliver_pending_sms
from tests.conftest import advance
from tests.enrollment.test_journey import form
from tests.factories import World
from tests.ledger.checks import ledger_verifies
from wage_guard import clock
from wage_guard.enrollment.models import PendingEnrollment
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
from wage_guard.ledger.models import LedgerEntry
from wage_guard.sms import services as sms
from wage_guard.sms.models import OutboundSms, SmsStatus


def test_deliver_pending_sms_sends_what_is_due(app: Flask) -> None:
    with app.test_request_context():
        message = sms.queue_sms("+8613812345678", "code", code="123456", minutes=5, project_name="x")
        message_id = message.id
        db.session.commit()  # committed without the after-commit delivery, as after a crash
        db.session.info.clear()
    assert run_job(app, deliver_pending_sms) == 1
    assert run_job(app, deliver_pending_sms) == 0
    with app.app_context():
        delivered = db.session.get(OutboundSms, message_id)
        assert delivered is not None
        assert delivered.status is SmsStatus.SENT
        assert delivered.attempts == 1


def test_purge_removes_only_stale_pending_enrolments(app: Flask, client: FlaskClient, world: World) -> None:
    client.post(f"/e/{world.token_a}", data=form())
    assert run_job(app, purge_stale_enrollments) == 0
    advance(minutes=61)
    assert run_job(app, purge_stale_enrollments) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEnrollment)) == 0


def test_failed_job_rolls_back(app: Flask) -> None:
    def logs_a_step(*, now: datetime) -> None:
        ledger.append("test_step", "subject:job", {"n": 0}, now=now)

    def broken(*, now: datetime) -> None:
        sms.queue_sms("+8613812345678", "code", code="1", minutes=5, project_name="x")
        ledger.append("test_step", "subject:job", {"n": 1}, now=now)
        raise RuntimeError("boom")

    run_job(app, logs_a_step)
    assert ledger_verifies(app) == 1
    with pytest.raises(RuntimeError, match="boom"):
        run_job(app, broken)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)) == 0
    assert ledger_verifies(app) == 1  # the failed job's step died with its transaction; the log still verifies


def test_the_sequencer_job_moves_what_no_request_integrated(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Steps committed without the after-commit sequencing (as after a crash, or with it switched off) reach the
    log on the job's next run; its runs are logged at debug level only (it runs every second)."""
    app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = False
    try:
        with app.app_context():
            queued = [ledger.append("test_step", "subject:job", {"n": n}, now=clock.utcnow()) for n in range(3)]
            db.session.commit()
            assert (ledger.size(), ledger.queued()) == (0, 3)
    finally:
        app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = True
    with caplog.at_level(logging.INFO, logger="jobs"):
        assert run_job(app, integrate_ledger, quiet=True) == 3
        assert run_job(app, integrate_ledger, quiet=True) == 0
    assert "integrate_ledger" not in caplog.text
    with app.app_context():
        assert (ledger.size(), ledger.queued()) == (3, 0)
        entries = db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert [e.entry_id for e in entries] == [q.entry_id for q in queued]
