"""Timestamps: the embedded TSA, an RFC 3161 TSA over HTTP, and refusing to sign when no TSA answers."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import tsp
from cryptography import x509

from tests.signing.conftest import EMPLOYER_BOX, Party, sign_as
from wage_guard.signing import pades, pki, validation
from wage_guard.signing.errors import TimestampUnavailable
from wage_guard.signing.keystore import EncryptedKeyStore
from wage_guard.signing.timestamps import (
    EMBEDDED_TSA_POLICY,
    MAX_CLOCK_SKEW,
    EmbeddedTimestamper,
    HttpTimestamper,
    make_timestamper,
)


class _TsaHandler(BaseHTTPRequestHandler):
    """RFC 3161 over HTTP (RFC 3161 §3.4) answered by the embedded TSA; ``/broken`` fails on purpose."""

    timestamper: EmbeddedTimestamper
    #: ``/skewed/<seconds>``: the same TSA with its clock that many seconds off.
    ca: pki.PlatformCA

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.startswith("/skewed/"):
            offset = timedelta(seconds=int(self.path.rsplit("/", 1)[1]))
            skewed = EmbeddedTimestamper(
                self.ca.tsa_cert, self.ca.tsa_key, [self.ca.issuing_cert], clock=lambda: datetime.now(UTC) + offset
            )
            self._reply(200, "application/timestamp-reply", skewed.request_tsa_response(tsp.TimeStampReq.load(body)).dump())
        elif self.path == "/broken":
            self._reply(500, "text/plain", b"TSA overloaded")
        elif self.path == "/wrong-type":
            self._reply(200, "text/html", b"<html>login</html>")
        elif self.path == "/garbage":
            self._reply(200, "application/timestamp-reply", b"\x30\x05garbage")
        elif self.path == "/other-digest":
            request = tsp.TimeStampReq.load(body)
            imprint = {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": bytes(32)}
            forged = tsp.TimeStampReq({"version": 1, "message_imprint": imprint, "nonce": request["nonce"]})
            self._reply(200, "application/timestamp-reply", self.timestamper.request_tsa_response(forged).dump())
        elif self.headers["Content-Type"] != "application/timestamp-query":
            self._reply(415, "text/plain", b"")
        else:
            response = self.timestamper.request_tsa_response(tsp.TimeStampReq.load(body))
            self._reply(200, "application/timestamp-reply", response.dump())

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - overrides the stdlib signature
        """Keep test output clean."""


@pytest.fixture(scope="module")
def tsa_url(timestamper: EmbeddedTimestamper, ca: pki.PlatformCA) -> Iterator[str]:
    handler = type("Handler", (_TsaHandler,), {"timestamper": timestamper, "ca": ca})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="test-tsa", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsr"


def test_http_timestamper_signature_validates_with_timestamp(
    tsa_url: str, contract_pdf: bytes, employer: Party, store: EncryptedKeyStore, seal_png: bytes, ca: pki.PlatformCA
) -> None:
    signed = sign_as(
        contract_pdf, employer, store, HttpTimestamper(tsa_url + "/tsr", timeout=5), "employer", EMPLOYER_BOX, seal_png
    )

    report = validation.validate_pdf(signed, trust_roots=[ca.root_cert])

    assert report.ok, report.problems
    [signature] = report.signatures
    assert signature.summary.startswith("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>")
    assert signature.timestamp_time is not None


@pytest.mark.parametrize("path", ["/broken", "/wrong-type", "/garbage", "/other-digest"])
def test_http_timestamper_bad_answer_raises(
    path: str, tsa_url: str, contract_pdf: bytes, employer: Party, store: EncryptedKeyStore, seal_png: bytes
) -> None:
    with pytest.raises(TimestampUnavailable):
        sign_as(contract_pdf, employer, store, HttpTimestamper(tsa_url + path, timeout=5), "employer", EMPLOYER_BOX, seal_png)


@pytest.mark.parametrize("seconds", [-3600, -300, -60, 60, 300, 3600])  # a minute or more either side of the limit
def test_a_tsa_whose_clock_is_off_is_refused_like_one_that_is_down(
    seconds: int, tsa_url: str, contract_pdf: bytes, employer: Party, store: EncryptedKeyStore, seal_png: bytes
) -> None:
    timestamper = HttpTimestamper(f"{tsa_url}/skewed/{seconds}", timeout=5)
    if abs(seconds) < MAX_CLOCK_SKEW.total_seconds():
        assert sign_as(contract_pdf, employer, store, timestamper, "employer", EMPLOYER_BOX, seal_png).startswith(contract_pdf)
        return
    with pytest.raises(TimestampUnavailable) as raised:
        sign_as(contract_pdf, employer, store, timestamper, "employer", EMPLOYER_BOX, seal_png)
    assert f"clock is {'+' if seconds > 0 else '-'}" in raised.value.reason


def test_tsa_down_raises_and_returns_nothing(
    closed_port_url: str, contract_pdf: bytes, employer: Party, store: EncryptedKeyStore, seal_png: bytes
) -> None:
    original = bytes(contract_pdf)
    result: bytes | None = None

    with pytest.raises(TimestampUnavailable) as raised:
        result = sign_as(
            contract_pdf, employer, store, HttpTimestamper(closed_port_url, timeout=2), "employer", EMPLOYER_BOX, seal_png
        )

    assert result is None
    assert contract_pdf == original
    assert "unavailable" in raised.value.reason


def test_tsa_down_complete_lta_raises(
    closed_port_url: str, signed_bt: bytes, ca: pki.PlatformCA, crls: list[x509.CertificateRevocationList]
) -> None:
    with pytest.raises(TimestampUnavailable):
        pades.complete_lta(
            signed_bt, trust_roots=[ca.root_cert], crls=crls, timestamper=HttpTimestamper(closed_port_url, timeout=2)
        )


def _request(digest: bytes, algorithm: str = "sha256") -> tsp.TimeStampReq:
    imprint = {"hash_algorithm": {"algorithm": algorithm}, "hashed_message": digest}
    return tsp.TimeStampReq({"version": 1, "message_imprint": imprint, "nonce": 42, "cert_req": True})


def test_embedded_tsa_token_content(timestamper: EmbeddedTimestamper, ca: pki.PlatformCA) -> None:
    digest = hashlib.sha256(b"contract").digest()

    response = timestamper.request_tsa_response(_request(digest))

    assert response["status"]["status"].native == "granted"
    signed_data = response["time_stamp_token"]["content"]
    tst_info = signed_data["encap_content_info"]["content"].parsed
    assert tst_info["message_imprint"]["hashed_message"].native == digest
    assert tst_info["nonce"].native == 42
    assert tst_info["policy"].dotted == EMBEDDED_TSA_POLICY
    assert signed_data["signer_infos"][0]["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"
    assert {c.chosen.subject.native["common_name"] for c in signed_data["certificates"]} == {
        "wage_guard test Timestamp Authority",
        "wage_guard test Signing CA",
    }


def test_embedded_tsa_rejects_malformed_imprint(timestamper: EmbeddedTimestamper) -> None:
    response = timestamper.request_tsa_response(_request(b"too short"))

    assert response["status"]["status"].native == "rejection"
    assert response["time_stamp_token"].native is None


def test_make_timestamper_chooses_by_url(ca: pki.PlatformCA) -> None:
    assert isinstance(make_timestamper(None, ca), EmbeddedTimestamper)
    assert isinstance(make_timestamper("", ca), EmbeddedTimestamper)
    external = make_timestamper("https://tsa.example/tsr", ca, timeout=3)
    assert isinstance(external, HttpTimestamper)
    assert external.url == "https://tsa.example/tsr"
