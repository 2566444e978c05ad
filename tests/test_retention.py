"""The retention job, under a frozen clock (issue #14 part 7): text messages and the addresses of code events go
after six months and not a day before; contracts, their documents and events, payroll, confirmations, complaints,
the roster and the evidence log are never touched, and the log still verifies."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from jobs.retention import expire_logs
from jobs.runner import run_job
from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import ObjectWorld
from wage_guard import clock
from wage_guard.codes.models import CodeEvent
from wage_guard.complaints.models import Complaint
from wage_guard.confirmations.models import WageConfirmation
from wage_guard.contracts.models import Contract, ContractDocument, ContractEvent
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.ledger import audit, sequencer
from wage_guard.ledger.models import LedgerEntry
from wage_guard.payroll.models import PayrollLine
from wage_guard.retention.services import LOG_PERIOD
from wage_guard.sms.models import OutboundSms, SmsStatus

KEPT = (Contract, ContractDocument, ContractEvent, PayrollLine, WageConfirmation, Complaint, Enrollment, Worker, LedgerEntry)


def _census(app: Flask) -> dict[str, int]:
    with app.app_context():
        sequencer.integrate_queued()
        counts = {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0 for m in KEPT}
        counts["sms"] = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)) or 0
        counts["queued sms"] = db.session.scalar(sa.select(sa.func.count()).where(OutboundSms.status == SmsStatus.QUEUED)) or 0
        counts["addresses"] = db.session.scalar(sa.select(sa.func.count()).where(CodeEvent.ip_address.is_not(None))) or 0
        return counts


def _kept(counts: dict[str, int]) -> dict[str, int]:
    return {model.__name__: counts[model.__name__] for model in KEPT}


def _newest(app: Flask) -> tuple[object, object]:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(OutboundSms.created_at))), db.session.scalar(
            sa.select(sa.func.max(CodeEvent.created_at))
        )


def test_logs_go_after_six_months_and_nothing_else_ever(app: Flask, objects: ObjectWorld) -> None:
    before = _census(app)
    assert before["sms"] > 5
    assert before["addresses"] > 5
    newest_sms, newest_event = _newest(app)
    start = clock.utcnow()
    try:
        clock.freeze(clock.as_utc(min(newest_sms, newest_event)) + LOG_PERIOD - timedelta(days=1))  # type: ignore[arg-type]
        run_job(app, expire_logs)
        assert _census(app) == before  # every message and event is a day short of six months old: all stay
        clock.freeze(clock.as_utc(max(newest_sms, newest_event)) + LOG_PERIOD + timedelta(seconds=1))  # type: ignore[arg-type]
        run_job(app, expire_logs)
        after = _census(app)
        assert after["sms"] == before["queued sms"]  # only messages still waiting to be sent stay
        assert after["addresses"] == 0
        assert _kept(after) == _kept(before)
        clock.freeze(clock.utcnow() + timedelta(days=3650))
        run_job(app, expire_logs)
        assert _kept(_census(app)) == _kept(before)  # ten years on: still nothing of the evidence
        with app.app_context():
            assert audit.verify_all().ok
    finally:
        clock.freeze(start)
