"""Verification codes: keyed hashes only, an audit event for every send and check, never the code itself."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.conftest import advance
from tests.factories import latest_code
from wage_guard import boundary, clock
from wage_guard.codes import services as codes
from wage_guard.codes.models import CodeEvent, VerificationCode
from wage_guard.errors import RecordedFailure
from wage_guard.extensions import db

PHONE = "+8613812345678"
WHO = codes.Requester("203.0.113.7", "Mozilla/5.0 (Linux; Android 10)")


def send(app: Flask, purpose: str = "test:1") -> str:
    with app.test_request_context():
        codes.send_code(purpose, PHONE, now=clock.utcnow(), requester=WHO, project_name="项目")
        boundary.commit()
    return latest_code(app, PHONE)


def check(app: Flask, code: str, purpose: str = "test:1") -> str | None:
    with app.test_request_context():
        try:
            codes.check_code(purpose, PHONE, code, now=clock.utcnow(), requester=WHO)
        except RecordedFailure as error:
            boundary.end_failed(error)
            return error.message
        boundary.commit()
        return None


def test_code_is_six_digits_and_stored_only_as_keyed_hash(app: Flask) -> None:
    code = send(app)
    assert len(code) == 6
    assert code.isdigit()
    with app.app_context():
        row = db.session.scalars(sa.select(VerificationCode)).one()
        dumped = " ".join(str(v) for v in db.session.execute(sa.text("SELECT * FROM verification_code")).one())
        events = " ".join(str(v) for r in db.session.execute(sa.text("SELECT * FROM code_event")) for v in r)
    assert code not in dumped
    assert code not in events
    assert len(row.code_hash) == 64
    assert PHONE not in dumped


def test_code_is_single_use(app: Flask) -> None:
    code = send(app)
    assert check(app, code) is None
    assert check(app, code) is not None


def test_code_is_bound_to_its_purpose(app: Flask) -> None:
    code = send(app, "enrol:1")
    assert check(app, code, "enrol:2") is not None
    assert check(app, code, "enrol:1") is None


def test_every_send_and_check_is_recorded(app: Flask) -> None:
    code = send(app)
    check(app, "000000" if code != "000000" else "111111")
    check(app, code)
    advance(seconds=10)
    with app.test_request_context():
        try:
            codes.send_code("test:1", PHONE, now=clock.utcnow(), requester=WHO, project_name="x")
        except RecordedFailure as error:
            boundary.end_failed(error)
    with app.app_context():
        events = db.session.scalars(sa.select(CodeEvent).order_by(CodeEvent.id)).all()
        assert [e.kind.value for e in events] == ["sent", "wrong", "verified", "cooldown"]
        assert {e.ip_address for e in events} == {"203.0.113.7"}
        assert all(e.user_agent and "Android" in e.user_agent for e in events)


def test_expiry_is_exactly_five_minutes(app: Flask) -> None:
    code = send(app)
    advance(minutes=4, seconds=59)
    assert check(app, code) is None
    code = send(app, "test:2")
    advance(minutes=5)
    assert check(app, code, "test:2") is not None
