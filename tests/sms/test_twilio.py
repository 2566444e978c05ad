"""The Twilio backend through the real ``twilio`` client against a local fake of Twilio's REST API."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import advance
from tests.ledger.checks import ledger_verifies
from wage_guard import boundary, clock
from wage_guard.codes import services as codes
from wage_guard.extensions import db
from wage_guard.sms import backends
from wage_guard.sms import services as sms
from wage_guard.sms.models import OutboundSms, SmsStatus

SID, TOKEN, FROM = "AC" + "0" * 32, "test-auth-token", "+15005550006"


@dataclass
class FakeTwilio:
    """Records every request; answers with the next queued (status, body) or a success."""

    url: str = ""
    requests: list[dict[str, object]] = field(default_factory=list)
    replies: list[tuple[int, dict[str, object]]] = field(default_factory=list)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "form": form})
            status, body = (
                fake.replies.pop(0)
                if fake.replies
                else (
                    201,
                    {"sid": f"SM{len(fake.requests):032d}", "status": "queued", "to": form.get("To"), "body": form.get("Body")},
                )
            )
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def twilio_app(app: Flask, fake_twilio: FakeTwilio) -> Iterator[Flask]:
    saved = {
        k: app.config.get(k)
        for k in ("SMS_BACKEND", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_API_BASE_URL")
    }
    app.config.update(
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER=FROM,
        TWILIO_API_BASE_URL=fake_twilio.url,
    )
    app.extensions.pop("wage_guard.sms_backend", None)
    yield app
    app.config.update(saved)
    app.extensions.pop("wage_guard.sms_backend", None)


def queue(app: Flask, *, secret: bool = False) -> int:
    with app.test_request_context():
        message = sms.queue_sms("+8613812345678", "code", secret=secret, code="123456", minutes=5, project_name="项目")
        message_id = message.id
        boundary.commit()
    return message_id


def send_code(app: Flask) -> int:
    """A portal code sent as the app sends one: its ``code_sent`` step is logged in the transaction that queues the SMS."""
    with app.test_request_context():
        codes.send_code("portal", "+8613812345678", now=clock.utcnow(), requester=codes.Requester(), project_name="项目")
        message_id = db.session.scalars(sa.select(OutboundSms.id).order_by(OutboundSms.id.desc())).first()
        boundary.commit()
    assert message_id is not None
    return message_id


def load(app: Flask, message_id: int) -> OutboundSms:
    with app.app_context():
        message = db.session.get(OutboundSms, message_id)
        assert message is not None
        db.session.expunge(message)
        return message


def test_message_is_posted_to_twilio_after_commit(twilio_app: Flask, fake_twilio: FakeTwilio) -> None:
    message_id = queue(twilio_app)
    assert len(fake_twilio.requests) == 1
    request = fake_twilio.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    form = request["form"]
    assert isinstance(form, dict)
    assert form["To"] == "+8613812345678"
    assert form["From"] == FROM
    assert "123456" in form["Body"]
    assert "工资卫士" in form["Body"]
    message = load(twilio_app, message_id)
    assert message.status is SmsStatus.SENT
    assert message.provider_id == "SM" + "1".zfill(32)


def test_rolled_back_transaction_sends_nothing(twilio_app: Flask, fake_twilio: FakeTwilio) -> None:
    with twilio_app.test_request_context():
        sms.queue_sms("+8613812345678", "code", code="123456", minutes=5, project_name="项目")
        boundary.rollback()
    assert fake_twilio.requests == []
    with twilio_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)) == 0


def test_secret_body_is_erased_after_delivery(twilio_app: Flask) -> None:
    message = load(twilio_app, queue(twilio_app, secret=True))
    assert message.status is SmsStatus.SENT
    assert message.body is None
    assert message.template == "code"


def test_server_error_is_retried_by_the_job(twilio_app: Flask, fake_twilio: FakeTwilio) -> None:
    fake_twilio.replies.append((500, {"code": 20500, "message": "Internal Server Error", "status": 500}))
    message_id = send_code(twilio_app)
    logged = ledger_verifies(twilio_app)
    assert logged > 0  # the code_sent step
    message = load(twilio_app, message_id)
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 1)
    assert message.last_error is not None
    assert "500" in message.last_error
    from jobs.runner import run_job
    from jobs.sms import deliver_pending_sms

    assert run_job(twilio_app, deliver_pending_sms) == 0  # not due yet: back-off of 30 s
    advance(seconds=31)
    assert run_job(twilio_app, deliver_pending_sms) == 1
    message = load(twilio_app, message_id)
    assert (message.status, message.attempts) == (SmsStatus.SENT, 2)
    assert len(fake_twilio.requests) == 2
    assert ledger_verifies(twilio_app) == logged  # the step logged once, not again for the retry


def test_invalid_number_fails_permanently(twilio_app: Flask, fake_twilio: FakeTwilio) -> None:
    fake_twilio.replies.append((400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}))
    message = load(twilio_app, queue(twilio_app))
    assert message.status is SmsStatus.FAILED
    assert message.last_error == "twilio HTTP 400 code 21211"


def test_gives_up_after_max_attempts(twilio_app: Flask, fake_twilio: FakeTwilio) -> None:
    from jobs.runner import run_job
    from jobs.sms import deliver_pending_sms

    fake_twilio.replies.extend([(503, {"code": 20503, "message": "busy", "status": 503})] * 5)
    message_id = queue(twilio_app)
    for _ in range(4):
        advance(hours=1)
        run_job(twilio_app, deliver_pending_sms)
    message = load(twilio_app, message_id)
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 5)


def test_unreachable_twilio_is_retryable(twilio_app: Flask, fake_twilio: FakeTwilio) -> None:
    twilio_app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"
    twilio_app.extensions.pop("wage_guard.sms_backend", None)
    message = load(twilio_app, send_code(twilio_app))
    assert message.status is SmsStatus.QUEUED
    assert "unreachable" in (message.last_error or "")
    assert ledger_verifies(twilio_app) > 0  # the code_sent step is in the log although the SMS is not out yet


def test_unknown_backend_name_is_refused(app: Flask) -> None:
    app.config["SMS_BACKEND"] = "carrier-pigeon"
    app.extensions.pop("wage_guard.sms_backend", None)
    try:
        with pytest.raises(ValueError, match="unknown SMS_BACKEND"):
            backends.get_backend(app)
    finally:
        app.config["SMS_BACKEND"] = "console"


def test_retry_delay_backs_off_and_caps() -> None:
    delays = [sms.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 3600
