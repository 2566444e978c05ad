"""What only the S3-compatible backend has to get right: each upload carries its SHA-256 and MD5 for the server to
check, an endpoint that is down or a server that throttles is the same clear 503 as a full disk (after botocore's
retries, with no secret in the log), a server that states another checksum than was sent is not believed, and
the settings are checked at start-up."""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from tests.documents.conftest import SECRET_ACCESS_KEY, Backend, closed_endpoint
from tests.journeys.conftest import SIGNATORY_PHONE, SigningWorld, confirm_code, contract_state, issue, link_in_sms
from tests.test_config import production  # noqa: F401 - fixture
from wage_guard import create_app
from wage_guard.config import ConfigurationError
from wage_guard.documents import s3_store
from wage_guard.documents.store import document_store
from wage_guard.errors import ServiceUnavailable

PDF = b"%PDF-1.7 a contract\n%%EOF\n"
KEY = hashlib.sha256(PDF).hexdigest()
#: The 503s, in the default language (Chinese).
SAVING_FAILED = "暂时无法访问，没有保存任何内容"
UNREACHABLE = "服务器的文件存储暂时无法访问"


def test_each_upload_carries_its_sha256_and_md5_for_the_server_to_check(app: Flask, s3: Backend) -> None:
    sent: list[dict[str, str]] = []

    def headers(request: Any, **kwargs: Any) -> None:
        items = request.headers.items()
        sent.append({name.lower(): value.decode() if isinstance(value, bytes) else value for name, value in items})

    with app.app_context():
        events = document_store().client.meta.events  # type: ignore[attr-defined]
        events.register("before-send.s3.PutObject", headers)
        try:
            document_store().put(PDF)
        finally:
            events.unregister("before-send.s3.PutObject", headers)
    [upload] = sent
    assert upload["x-amz-checksum-sha256"] == base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert upload["content-md5"] == base64.b64encode(hashlib.md5(PDF, usedforsecurity=False).digest()).decode()
    assert "x-amz-trailer" not in upload  # plain headers: servers without streaming checksums accept them too


def test_an_unreachable_endpoint_is_a_503_for_every_operation_and_no_secret_is_logged(
    app: Flask, s3: Backend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", closed_endpoint())
    with app.test_request_context(), caplog.at_level(logging.ERROR, logger="wage_guard.documents.s3_store"):
        store = document_store()
        with pytest.raises(ServiceUnavailable, match=SAVING_FAILED):
            store.put(PDF)
        for operation in (lambda: store.get(KEY), lambda: store.contains(KEY), lambda: list(store.keys())):
            with pytest.raises(ServiceUnavailable, match=UNREACHABLE):
                operation()
    assert "EndpointConnectionError" in caplog.text
    assert s3.bucket in caplog.text
    assert SECRET_ACCESS_KEY not in caplog.text
    assert s3.names() == set()


class _Throttling(BaseHTTPRequestHandler):
    """An S3 endpoint that answers every request 503 SlowDown, and counts them."""

    requests: list[str] = []
    BODY = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
    )

    def _slow_down(self, body: bool = True) -> None:
        self.requests.append(self.command)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(503)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        if body:
            self.wfile.write(self.BODY)

    def do_GET(self) -> None:
        self._slow_down()

    def do_PUT(self) -> None:
        self._slow_down()

    def do_HEAD(self) -> None:
        self._slow_down(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def throttling_endpoint() -> Iterator[list[str]]:
    _Throttling.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield [f"http://127.0.0.1:{server.server_address[1]}", _Throttling.requests]  # type: ignore[list-item]
    finally:
        server.shutdown()
        server.server_close()


def test_throttling_is_retried_then_a_clear_503(
    app: Flask, s3: Backend, throttling_endpoint: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, requests = throttling_endpoint
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", endpoint)
    with app.test_request_context():
        with pytest.raises(ServiceUnavailable, match=SAVING_FAILED):
            document_store().put(PDF)
        assert requests == ["HEAD"] * s3_store.MAX_ATTEMPTS  # retried with back-off, then given up
        with pytest.raises(ServiceUnavailable, match=UNREACHABLE):
            document_store().get(KEY)
    assert requests[s3_store.MAX_ATTEMPTS :] == ["GET"] * s3_store.MAX_ATTEMPTS


def test_a_server_that_states_another_checksum_is_not_believed(app: Flask, s3: Backend) -> None:
    def misstate(parsed: dict[str, Any], **kwargs: Any) -> None:
        parsed["ChecksumSHA256"] = base64.b64encode(bytes(32)).decode()

    with app.test_request_context():
        events = document_store().client.meta.events  # type: ignore[attr-defined]
        events.register("after-call.s3.PutObject", misstate)
        try:
            with pytest.raises(ServiceUnavailable, match=SAVING_FAILED):
                document_store().put(PDF)
        finally:
            events.unregister("after-call.s3.PutObject", misstate)
    assert s3.names() == set()  # what the server kept under the key is removed again


def test_with_the_endpoint_down_the_seal_is_a_clear_503_and_nothing_changes(
    app: Flask, s3: Backend, signing_world: SigningWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    before = s3.names()
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", closed_endpoint())
    page = client.get(f"/seal/{token}/seal")
    assert page.status_code == 503
    assert "服务器的文件存储暂时无法访问" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    assert s3.names() == before
    assert contract_state(app, contract_id) == ("awaiting_employer", 1)
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3.endpoint)
    assert client.get(f"/seal/{token}/seal").status_code == 200


def test_production_refuses_the_object_store_without_a_bucket(production: pytest.MonkeyPatch) -> None:
    production.setenv("WAGE_GUARD_DOCUMENT_STORE", "s3")
    with pytest.raises(ConfigurationError, match="production refuses to start without: WAGE_GUARD_S3_BUCKET"):
        create_app()
    production.setenv("WAGE_GUARD_S3_BUCKET", "wage-guard-documents")
    production.setenv("WAGE_GUARD_S3_ENDPOINT_URL", "https://minio.internal:9000")
    app = create_app()
    assert (app.config["DOCUMENT_STORE"], app.config["S3_BUCKET"]) == ("s3", "wage-guard-documents")


@pytest.mark.parametrize(
    ("settings", "refusal"),
    [
        ({"DOCUMENT_STORE": "s3"}, "WAGE_GUARD_DOCUMENT_STORE=s3 needs WAGE_GUARD_S3_BUCKET"),
        ({"DOCUMENT_STORE": "ftp"}, "WAGE_GUARD_DOCUMENT_STORE must be 'local' or 's3'"),
        ({"DOCUMENT_STORE": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"}, "WAGE_GUARD_S3_ADDRESSING_STYLE"),
    ],
)
def test_any_environment_refuses_a_document_store_that_cannot_work(
    database_url: str, settings: dict[str, str], refusal: str
) -> None:
    from tests.conftest import test_config

    with pytest.raises(ConfigurationError, match=refusal):
        create_app({**test_config(database_url), **settings})
