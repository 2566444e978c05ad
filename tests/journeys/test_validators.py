"""A contract signed through the application, checked by pyHanko, poppler's pdfsig and ``flask contracts verify``."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.journeys.conftest import SigningWorld, final_pdf
from tests.journeys.test_signing_journey import sign_one
from tests.signing.conftest import require_tool
from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.signing import ca_setup
from wage_guard.signing import services as signing
from wage_guard.signing.models import SigningAuthority


@pytest.fixture
def signed(app: Flask, signing_world: SigningWorld) -> bytes:
    return final_pdf(app, sign_one(app, signing_world))


def _root_pem(app: Flask) -> str:
    with app.app_context():
        return db.session.query(SigningAuthority).one().root_cert_pem


def _pdfsig(app: Flask, pdf: bytes, directory: Path) -> list[str]:
    pdfsig, certutil = require_tool("pdfsig", "poppler-utils"), require_tool("certutil", "libnss3-tools")
    (directory / "root.pem").write_text(_root_pem(app))
    nss = f"sql:{directory}"
    subprocess.run([certutil, "-N", "-d", nss, "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [certutil, "-A", "-d", nss, "-n", "root", "-t", "CT,C,C", "-i", str(directory / "root.pem")],
        check=True,
        capture_output=True,
    )
    (directory / "contract.pdf").write_bytes(pdf)
    result = subprocess.run(
        [pdfsig, "-nssdir", nss, str(directory / "contract.pdf")], capture_output=True, text=True, check=False
    )
    return re.split(r"^Signature #\d+:$", result.stdout, flags=re.MULTILINE)[1:]


def _flip_signed_byte(pdf: bytes) -> bytes:
    """Change one byte of the first revision's page content (covered by every signature)."""
    position = pdf.index(b"stream", pdf.index(b"/Contents")) + 20
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


def test_pyhanko_trusts_both_signatures_and_the_document_timestamp(app: Flask, signed: bytes) -> None:
    with app.app_context():
        report = signing.verify(signed).to_dict()
    assert report["ok"] is True, report["problems"]
    assert [s["field_name"] for s in report["signatures"]] == ["employer", "worker"]
    assert all(s["summary"].startswith("INTACT:TRUSTED") for s in report["signatures"])
    assert all(s["timestamp_time"] for s in report["signatures"])
    assert report["document_timestamps"]
    assert all(t["intact"] and t["trusted"] for t in report["document_timestamps"])


def test_pdfsig_trusts_both_signatures(app: Flask, signed: bytes, tmp_path: Path) -> None:
    blocks = _pdfsig(app, signed, tmp_path)
    signatures = [b for b in blocks if re.search(r"Signature Field Name: (employer|worker)\b", b)]
    assert len(signatures) == 2
    for block in signatures:
        assert "Signature is Valid." in block
        assert "Certificate is Trusted." in block


def test_one_changed_byte_fails_everywhere(app: Flask, signed: bytes, tmp_path: Path) -> None:
    tampered = _flip_signed_byte(signed)
    with app.app_context():
        assert signing.verify(tampered).ok is False
    blocks = _pdfsig(app, tampered, tmp_path)
    assert blocks
    assert not any("Signature is Valid." in b for b in blocks if re.search(r"Field Name: (employer|worker)\b", b))
    (tmp_path / "t.pdf").write_bytes(tampered)
    assert app.test_cli_runner().invoke(args=["contracts", "verify", str(tmp_path / "t.pdf")]).exit_code == 1


def test_verify_command_exit_codes_and_json(app: Flask, signed: bytes, tmp_path: Path) -> None:
    good, junk = tmp_path / "good.pdf", tmp_path / "junk.pdf"
    good.write_bytes(signed)
    junk.write_bytes(b"this is not a pdf at all")
    runner = app.test_cli_runner()
    text = runner.invoke(args=["contracts", "verify", str(good)])
    assert text.exit_code == 0, text.output
    for field in ("signer_cn", "issuer_cn", "signing_time", "timestamp_time", "intact", "trusted", "document timestamp"):
        assert field in text.output
    as_json = runner.invoke(args=["contracts", "verify", str(good), "--json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert data["ok"] is True
    assert {s["role"] for s in data["signatures"]} == {"employer", "worker"}
    assert runner.invoke(args=["contracts", "verify", str(junk)]).exit_code == 2
    assert runner.invoke(args=["contracts", "verify", str(tmp_path / "missing.pdf")]).exit_code == 2


def test_appended_content_after_the_last_signature_fails(app: Flask, signed: bytes, tmp_path: Path) -> None:
    """An incremental update that changes the document (not validation data) after the last signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Extra"] = writer.add_object(
        generic.DictionaryObject({generic.NameObject("/Note"): generic.TextStringObject("x")})
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "appended.pdf").write_bytes(out.getvalue())
    result = app.test_cli_runner().invoke(args=["contracts", "verify", str(tmp_path / "appended.pdf")])
    assert result.exit_code == 1, result.output


def test_contract_from_another_ca_is_not_trusted(app: Flask, signed: bytes, tmp_path: Path) -> None:
    with app.app_context():
        db.session.query(SigningAuthority).delete()
        db.session.commit()
        ca_setup.init_authority(now=clock.wallclock())
        db.session.commit()
        report = signing.verify(signed)
    assert report.ok is False
    assert not any(s.trusted for s in report.signatures)
