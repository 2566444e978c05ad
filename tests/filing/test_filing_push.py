"""The filing push against a local HTTP receiver that checks the HMAC signature: records queued when contracts
take effect or end, kept while the receiver is down, then delivered exactly once each, in order per contract."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from flask import Flask

from jobs.filing import push_filings
from jobs.runner import run_job
from tests.conftest import advance
from tests.factories import login
from tests.journeys.conftest import SigningWorld
from tests.journeys.test_signing_journey import sign_one
from wage_guard import boundary, clock, create_app
from wage_guard.config import ConfigurationError
from wage_guard.contracts import records
from wage_guard.contracts.lifecycle import Event, Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.filing import services
from wage_guard.filing.models import FilingAttempt, FilingEvent, FilingRecord

SECRET = "s" * 40


class Receiver:
    """The employment-filing system: accepts a POST only with a valid signature, and keeps what it accepted."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, dict[str, object]]] = []
        self.refused = 0
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), data, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get(services.SIGNATURE_HEADER, "")):
                    receiver.refused += 1
                    self.send_response(401)
                else:
                    receiver.accepted.append((self.headers["Idempotency-Key"], json.loads(data)))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/filings"


@pytest.fixture
def receiver(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    monkeypatch.setitem(app.config, "FILING_PUSH_URL", server.url)
    monkeypatch.setitem(app.config, "FILING_PUSH_SECRET", SECRET)
    monkeypatch.setitem(app.config, "FILING_PUSH_TIMEOUT_SECONDS", 5)
    yield server
    if server._server is not None:
        server._server.server_close()


def _in_force_then_expired(app: Flask, sw: SigningWorld) -> list[int]:
    """李四 and 王五 sign (each contract takes effect: NEW), then the expiry job's transition ends both (EXPIRY)."""
    ids = [sign_one(app, sw, "李四"), sign_one(app, sw, "王五")]
    with app.app_context():
        for contract_id in ids:
            contract = db.session.get(Contract, contract_id)
            assert contract is not None
            records.transition(contract, Event.TERM_ENDED, now=clock.utcnow())
        boundary.commit()
    return ids


def _records(app: Flask) -> list[tuple[int, str, bool]]:
    with app.app_context():
        query = sa.select(FilingRecord.contract_id, FilingRecord.event, FilingRecord.delivered_at.is_not(None)).order_by(
            FilingRecord.id
        )
        return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def test_records_wait_while_the_receiver_is_down_then_arrive_once_in_order(
    app: Flask, signing_world: SigningWorld, receiver: Receiver
) -> None:
    receiver.stop()  # the filing system is down before anything is sent
    first, second = _in_force_then_expired(app, signing_world)
    assert _records(app) == [(first, "new", False), (second, "new", False), (first, "expiry", False), (second, "expiry", False)]
    assert run_job(app, push_filings) == {"failed": 2}  # each contract's first record; its second waits behind it
    for _day in range(3):  # days of outage: tried again and again, never given up
        advance(hours=8)
        assert run_job(app, push_filings) == {"failed": 2}
    with app.app_context():
        attempts = list(db.session.scalars(sa.select(FilingAttempt)))
        assert len(attempts) == 8
        assert all(a.status_code is None and a.error for a in attempts)
        assert {a.record_id for a in attempts} == {
            r.id for r in db.session.scalars(sa.select(FilingRecord).where(FilingRecord.event == "new"))
        }
    receiver.start()  # back, on the same address
    advance(hours=1)
    assert run_job(app, push_filings) == {"delivered": 4}
    assert run_job(app, push_filings) == {}
    advance(days=2)
    assert run_job(app, push_filings) == {}
    keys = [key for key, _body in receiver.accepted]
    assert len(keys) == len(set(keys)) == 4  # exactly once each
    events = {
        n: [body["event"] for _k, body in receiver.accepted if body["contract_number"] == n] for n in _numbers(app, first, second)
    }
    assert list(events.values()) == [["new", "expiry"], ["new", "expiry"]]  # in order per contract
    assert receiver.refused == 0
    assert all(delivered for _c, _e, delivered in _records(app))


def test_the_body_carries_the_parties_and_terms(app: Flask, signing_world: SigningWorld, receiver: Receiver) -> None:
    first = sign_one(app, signing_world, "李四")
    run_job(app, push_filings)
    [(key, body)] = receiver.accepted
    assert key.startswith("wage-guard-filing-")
    assert body["event"] == "new"
    assert body["worker"]["name"] == "李四"  # type: ignore[index]
    assert len(body["worker"]["id_number"]) == 18  # type: ignore[index]
    assert body["county_code"] == "370322"
    assert body["contract_number"] == _numbers(app, first)[0]


def test_a_wrong_secret_is_refused_and_retried(
    app: Flask, signing_world: SigningWorld, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_one(app, signing_world, "李四")
    monkeypatch.setitem(app.config, "FILING_PUSH_SECRET", "x" * 40)
    assert run_job(app, push_filings) == {"failed": 1}
    assert receiver.refused == 1
    with app.app_context():
        assert db.session.scalar(sa.select(FilingRecord.last_error)) == "HTTP 401"
    monkeypatch.setitem(app.config, "FILING_PUSH_SECRET", SECRET)
    advance(minutes=1)
    assert run_job(app, push_filings) == {"delivered": 1}


def test_without_a_receiver_records_stay_queued(app: Flask, signing_world: SigningWorld) -> None:
    sign_one(app, signing_world, "李四")
    assert run_job(app, push_filings) == {}
    assert _records(app)[0][1:] == ("new", False)


def test_the_administrator_sees_the_log_and_sends_a_record_again(
    app: Flask, signing_world: SigningWorld, receiver: Receiver
) -> None:
    sign_one(app, signing_world, "李四")
    run_job(app, push_filings)
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/filings?lang=en").get_data(as_text=True)
    assert "Delivered" in page
    with app.app_context():
        record_id = db.session.scalar(sa.select(FilingRecord.id))
    assert admin.post("/admin/filings/resend", data={"record_id": str(record_id)}).status_code == 302
    assert admin.post("/admin/filings/resend", data={"record_id": "999999"}).status_code == 404
    assert admin.post("/admin/filings/resend", data={"record_id": "x"}).status_code == 404
    assert run_job(app, push_filings) == {"delivered": 1}
    assert [key for key, _ in receiver.accepted] == [f"wage-guard-filing-{record_id}"] * 2  # the same key: the receiver can tell
    with app.app_context():
        by = list(db.session.scalars(sa.select(FilingAttempt.requested_by).order_by(FilingAttempt.id)))
    assert by[0] == "system"
    assert by[1].startswith("staff:")


@pytest.mark.parametrize("username", ["foreman_a", "employer_a", "inspector_x"])
def test_only_administrators_see_the_filing_log(app: Flask, world: object, username: str) -> None:
    client = app.test_client()
    login(client, username)
    assert client.get("/admin/filings").status_code == 403
    assert client.post("/admin/filings/resend", data={"record_id": "1"}).status_code == 403


@pytest.mark.parametrize(
    ("kind", "status", "event"),
    [
        (Kind.ORIGINAL, Status.IN_FORCE, FilingEvent.NEW),
        (Kind.RENEWAL, Status.IN_FORCE, FilingEvent.RENEWAL),
        (Kind.AMENDMENT, Status.COMPLETED, FilingEvent.CHANGE),
        (Kind.ORIGINAL, Status.TERMINATED, FilingEvent.TERMINATION),
        (Kind.ORIGINAL, Status.RESCINDED, FilingEvent.TERMINATION),
        (Kind.ORIGINAL, Status.EXPIRED, FilingEvent.EXPIRY),
        (Kind.ORIGINAL, Status.AWAITING_WORKER, None),
        (Kind.TERMINATION, Status.COMPLETED, None),  # the contract it ends is filed, not the agreement
        (Kind.TERMINATION_NOTICE, Status.SERVED, None),
    ],
)
def test_which_status_changes_are_filed(kind: Kind, status: Status, event: FilingEvent | None) -> None:
    assert services.filing_event(kind, status) is event


def test_a_receiver_without_a_long_secret_is_refused_at_start() -> None:
    with pytest.raises(ConfigurationError, match="FILING_PUSH_SECRET"):
        create_app(
            {
                "ENV_NAME": "testing",
                "TESTING": True,
                "FILING_PUSH_URL": "https://filing.example/api",
                "FILING_PUSH_SECRET": "short",
            }
        )


def _numbers(app: Flask, *ids: int) -> list[str]:
    with app.app_context():
        return [db.session.get(Contract, i).number for i in ids]  # type: ignore[union-attr]
