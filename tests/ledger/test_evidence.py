"""Evidence packages of signed contracts, and the public verification page with bad uploads and log proofs."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from tests.conftest import advance
from tests.factories import login
from tests.journeys.conftest import WORKERS, SigningWorld, final_pdf
from tests.journeys.test_signing_journey import sign_one
from wage_guard import boundary, clock
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.ledger import package, package_verify
from wage_guard.ledger import services as ledger

LI_PHONE = WORKERS["李四"][1]


@pytest.fixture
def signed_contract(app: Flask, signing_world: SigningWorld) -> tuple[int, bytes]:
    contract_id = sign_one(app, signing_world)
    return contract_id, final_pdf(app, contract_id)


def evidence_zip(app: Flask, sw: SigningWorld, contract_id: int) -> bytes:
    foreman = app.test_client()
    advance(seconds=61)
    login(foreman, "foreman_a")
    response = foreman.get(f"/projects/{sw.base.project_a}/contracts/{contract_id}/evidence.zip")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    return response.data


def upload(client: FlaskClient, data: bytes, name: str = "contract.pdf", lang: str = ""):  # type: ignore[no-untyped-def]
    return client.post(f"/verify/{lang}", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_evidence_package_verifies_offline(
    app: Flask, signing_world: SigningWorld, signed_contract: tuple[int, bytes], tmp_path: Path
) -> None:
    contract_id, pdf = signed_contract
    data = evidence_zip(app, signing_world, contract_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert archive.read("contract.pdf") == pdf
        assert archive.read("report.pdf").startswith(b"%PDF")
    assert names == set(package.FILES) | {package.MANIFEST, package.SIGNATURE}
    report = package_verify.verify_package(data)
    assert report.ok, report.lines
    path = tmp_path / "evidence.zip"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["ledger", "verify-package", str(path)])
    assert result.exit_code == 0, result.output
    assert "result: VALID" in result.output
    assert any("worker_signed" in line for line in report.lines)


def test_one_changed_byte_in_any_file_fails(
    app: Flask, signing_world: SigningWorld, signed_contract: tuple[int, bytes], tmp_path: Path
) -> None:
    contract_id, _pdf = signed_contract
    data = evidence_zip(app, signing_world, contract_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    for name in files:
        changed = dict(files)
        content = bytearray(changed[name])
        content[len(content) // 2] ^= 0x01
        changed[name] = bytes(content)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for other, value in changed.items():
                archive.writestr(other, value)
        path = tmp_path / f"{name}.zip"
        path.write_bytes(buffer.getvalue())
        result = app.test_cli_runner().invoke(args=["ledger", "verify-package", str(path)])
        assert result.exit_code in (1, 2), f"a changed byte in {name} went unnoticed"


def test_not_a_package_exits_2(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip")
    assert app.test_cli_runner().invoke(args=["ledger", "verify-package", str(path)]).exit_code == 2


def test_worker_gets_their_own_evidence_package(
    app: Flask, signing_world: SigningWorld, signed_contract: tuple[int, bytes]
) -> None:
    contract_id, _pdf = signed_contract
    advance(seconds=61)
    client = app.test_client()
    client.post("/me/", data={"phone": LI_PHONE})
    from tests.factories import latest_code

    client.post("/me/verify", data={"code": latest_code(app, LI_PHONE)})
    response = client.get(f"/me/contracts/{contract_id}/evidence.zip")
    assert response.status_code == 200
    assert package_verify.verify_package(response.data).ok


def test_county_inspector_gets_the_package_other_county_does_not(
    app: Flask, signing_world: SigningWorld, signed_contract: tuple[int, bytes]
) -> None:
    contract_id, _pdf = signed_contract
    url = f"/projects/{signing_world.base.project_a}/contracts/{contract_id}/evidence.zip"
    insider, outsider = app.test_client(), app.test_client()
    login(insider, "inspector_x")
    login(outsider, "inspector_y")
    assert insider.get(url).status_code == 200
    assert outsider.get(url).status_code == 404


def test_known_contract_shows_its_log_entries_with_checked_proofs(app: Flask, signed_contract: tuple[int, bytes]) -> None:
    _contract_id, pdf = signed_contract
    html = upload(app.test_client(), pdf, lang="?lang=en").get_data(as_text=True)
    assert 'class="verdict valid"' in html
    assert 'id="evidence"' in html
    entries = html.count('class="log-entry"')
    assert entries >= 8
    assert html.count("proof checked on the server") == entries


def test_steps_not_yet_under_a_signed_tree_head_are_counted_as_waiting(app: Flask, signed_contract: tuple[int, bytes]) -> None:
    """One step in the log after the newest tree head, one still queued for the sequencer: both are said to be on
    their way, and the proofs shown stay those the head covers."""
    contract_id, pdf = signed_contract
    before = upload(app.test_client(), pdf, lang="?lang=en").get_data(as_text=True)
    waiting = _waiting(before)
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        ledger.append("code_sent", f"contract:{contract.number}", {"n": 1}, now=clock.utcnow())
        boundary.commit()  # integrated after the commit, but no tree head covers it yet
        app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = False
        try:
            ledger.append("code_sent", f"contract:{contract.number}", {"n": 2}, now=clock.utcnow())
            boundary.commit()  # left in the queue
        finally:
            app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = True
        assert ledger.queued(f"contract:{contract.number}") == 1
    html = upload(app.test_client(), pdf, lang="?lang=en").get_data(as_text=True)
    assert _waiting(html) == waiting + 2
    assert html.count('class="log-entry"') == before.count('class="log-entry"')


def _waiting(html: str) -> int:
    found = re.search(r'id="evidence-waiting">(\d+) more steps? (is|are) being added to the log', html)
    return int(found.group(1)) if found else 0


def _encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt="secret")
    canvas.drawString(100, 700, "hello")
    canvas.save()
    return buffer.getvalue()


def _appended(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Extra"] = writer.add_object(
        generic.DictionaryObject({generic.NameObject("/Note"): generic.TextStringObject("x")})
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "status", "english"),
    [
        (lambda pdf: b"just some text, not a pdf", 422, "not a PDF"),
        (lambda pdf: b"", 422, "empty"),
        (lambda pdf: _encrypted_pdf(), 422, "encrypted"),
        (lambda pdf: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage garbage", 422, "damaged"),
        (_appended, 422, "added to this PDF after the last signature"),
    ],
)
def test_bad_uploads_get_a_specific_message(
    app: Flask,
    signed_contract: tuple[int, bytes],
    make,
    status: int,  # type: ignore[no-untyped-def]
    english: str,
) -> None:
    _contract_id, pdf = signed_contract
    response = upload(app.test_client(), make(pdf), lang="?lang=en")
    assert response.status_code == status
    assert english in response.get_data(as_text=True)


def test_oversized_upload_is_refused(app: Flask, signed_contract: tuple[int, bytes]) -> None:
    _contract_id, pdf = signed_contract
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        # A hand-made multipart body: the test client would spool a form this large to a temporary file.
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + pdf + b"\0" * (1024 * 1024) + b"\r\n--b--\r\n"
        )
        with app.test_client().post("/verify/?lang=en", data=body, content_type="multipart/form-data; boundary=b") as response:
            assert response.status_code == 413
            assert "limit is 1 MB" in response.get_data(as_text=True)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved


def test_tampered_contract_is_reported_invalid(app: Flask, signed_contract: tuple[int, bytes]) -> None:
    _contract_id, pdf = signed_contract
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream", pdf.index(b"/Contents")) + 20] ^= 0x01
    html = upload(app.test_client(), bytes(tampered)).get_data(as_text=True)
    assert 'class="verdict invalid"' in html
    assert 'id="evidence"' not in html


def test_verification_upload_needs_no_form_token(app: Flask, signed_contract: tuple[int, bytes]) -> None:
    """Arbitrators' tools post the file directly (curl -F file=@contract.pdf); the page is anonymous and read-only."""
    _contract_id, pdf = signed_contract
    app.config["WTF_CSRF_ENABLED"] = True
    response = upload(app.test_client(), pdf)
    assert response.status_code == 200
    assert 'class="verdict valid"' in response.get_data(as_text=True)
