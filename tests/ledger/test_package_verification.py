"""``flask ledger verify-package`` on forged and damaged evidence packages.

A package that holds together proves nothing by itself: a forger with a fresh CA and a fresh log key that copy the
names makes one just as easily (``forge`` below does). So the verifier must compare the anchors with the
installation's or with pinned fingerprints, and say so when it could not. And a package is hostile input: every
damaged, truncated or missing member, and any changed byte anywhere in the file, must give FAIL lines and a failing
exit code, never a traceback and never a VALID.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from tests import conftest
from tests.journeys.conftest import SigningWorld
from tests.journeys.test_signing_journey import sign_one
from tests.ledger.test_evidence import evidence_zip
from tests.ledger.test_report import layout_text
from wage_guard import clock, create_app
from wage_guard.extensions import db
from wage_guard.ledger import evidence, merkle, package, package_verify, services
from wage_guard.signing import ca as signing_ca
from wage_guard.signing import pades, pki
from wage_guard.signing.keystore import EncryptedKeyStore
from wage_guard.signing.timestamps import EmbeddedTimestamper

NOT_PINNED = "result: VALID (anchors not pinned: compare these fingerprints with the published ones)"


# --- helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture
def genuine(app: Flask, signing_world: SigningWorld) -> bytes:
    """The evidence package of a contract signed through the app."""
    return evidence_zip(app, signing_world, sign_one(app, signing_world))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """A ZIP laid out exactly as the platform writes packages, so only the checks of the content can catch a change."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type, info.create_system, info.external_attr = method, 3, 0o600 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def run(app: Flask, tmp_path: Path, data: bytes, *options: str, name: str = "package.zip") -> Result:
    path = tmp_path / name
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["ledger", "verify-package", str(path), "--lang", "en", *options])
    assert_no_traceback(result)
    return result


def assert_no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output


def fail_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("FAIL  ")]


def seal_png() -> bytes:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, 119, 119), fill=(230, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signed_with(ca: pki.PlatformCA) -> bytes:
    """A PDF sealed by an "employer" and signed by a "worker" whose certificates come from ``ca``."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 760, "Labour contract (forged copy)")
    canvas.save()
    pdf = buffer.getvalue()
    store, issuer, png = EncryptedKeyStore(os.urandom(32)), pki.PlatformIssuer(ca), seal_png()
    parties = (
        ("employer", "李建国", "某某建筑劳务有限公司", (330.0, 80.0, 450.0, 200.0)),
        ("worker", "李四", None, (120.0, 80.0, 240.0, 200.0)),
    )
    for role, name, organization, box in parties:
        subject = pki.PersonSubject(name, role, os.urandom(8).hex(), organization)  # type: ignore[arg-type]
        handle = store.create_key(subject.pseudonym)
        chain = issuer.issue(handle.public_key, subject, clock.wallclock())
        pdf = pades.sign_pdf(
            pdf,
            signer=store.signer(handle.reference, chain[0], chain[1:]),
            timestamper=EmbeddedTimestamper.from_ca(ca),
            field_name=role,
            placement=pades.SealPlacement(0, box, png),
            reason="签署劳动合同",
            location="山东省淄博市",
        )
    return pdf


def forge(genuine_package: bytes, *, ca: pki.PlatformCA | None, log_key: Ed25519PrivateKey) -> bytes:
    """A package that holds together, made with ``ca`` (None: the genuine PDF and certificates) and ``log_key``.

    The entries are the genuine ones (the signing entry names the new PDF), in a tree of the same size whose other
    leaves are random, with a tree head and a manifest signed by ``log_key``.
    """
    files = members(genuine_package)
    pdf, certificates = files["contract.pdf"], files["certificates.pem"]
    if ca is not None:
        pdf = signed_with(ca)
        certificates = pki.certificates_to_pem([ca.root_cert, ca.issuing_cert, ca.tsa_cert]).encode()
    document, head = json.loads(files["entries.json"]), json.loads(files["tree_head.json"])
    items = document["entries"]
    signed = [item for item in items if "document_sha256_after" in item["entry"]["payload"]]
    signed[-1]["entry"]["payload"]["document_sha256_after"] = hashlib.sha256(pdf).hexdigest()
    by_seq, size = {item["entry"]["seq"]: item for item in items}, head["size"]
    tree = merkle.MemoryNodes()
    for seq in range(size):
        tree.append(package.canonical(by_seq[seq]["entry"]) if seq in by_seq else os.urandom(16))
    for item in items:
        item["leaf_hash"] = merkle.leaf_hash(package.canonical(item["entry"])).hex()
        item["proof"] = merkle.encode_proof(merkle.inclusion_proof(tree, item["entry"]["seq"], size))
    new_head = {"size": size, "root": tree.root(size).hex(), "timestamp": head["timestamp"], "log": "wage_guard"}
    pem = log_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    new_head |= {"signature": log_key.sign(package.canonical(new_head)).hex(), "key_id": hashlib.sha256(pem).hexdigest()}
    forged = {
        "contract.pdf": pdf,
        "entries.json": json.dumps(document).encode(),
        "tree_head.json": json.dumps(new_head).encode(),
        "certificates.pem": certificates,
        "log_public_key.pem": pem,
        "report.pdf": files["report.pdf"],
    }
    number = json.loads(files[package.MANIFEST])["contract"]
    return package.build_package(forged, log_key, contract_number=number, created="2026-11-02T01:00:00+00:00")


def published_pins(app: Flask) -> tuple[str, str]:
    """The fingerprints as a verifier copies them from the published pages."""
    client = app.test_client()
    page = client.get("/log/root-certificate?lang=en").get_data(as_text=True)
    root = re.search(r'id="root-fingerprint">([0-9a-f]{64})<', page)
    assert root is not None, page
    [key] = client.get("/log/public-key").get_json().values()
    return root.group(1), key["fingerprint_sha256"]


def colon_form(fingerprint: str) -> str:
    return ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()


# --- forged packages: anchors ---------------------------------------------------------------------------------


def test_a_forged_package_holds_together_but_fails_inside_the_installation(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    forged = forge(genuine, ca=pki.create_platform_ca("wage_guard", now=clock.wallclock()), log_key=Ed25519PrivateKey.generate())
    assert package_verify.verify_package(forged).ok  # on its own it holds together: that is the attack

    result = run(app, tmp_path, forged)
    assert result.exit_code == 1, result.output
    assert "result: NOT VALID" in result.output
    fails = fail_lines(result)
    assert any(line.startswith("FAIL  root certificate: differs from this installation") for line in fails), fails
    assert any(line.startswith("FAIL  log key: differs from this installation") for line in fails), fails

    genuine_result = run(app, tmp_path, genuine, name="genuine.zip")
    assert genuine_result.exit_code == 0, genuine_result.output
    assert "ok    root certificate: the same as this installation" in genuine_result.output
    assert "ok    log key: the same as this installation" in genuine_result.output
    assert genuine_result.output.rstrip().endswith("result: VALID")


def test_the_report_names_the_anchor_that_differs(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    new_key = forge(genuine, ca=None, log_key=Ed25519PrivateKey.generate())
    result = run(app, tmp_path, new_key, name="new-key.zip")
    assert result.exit_code == 1, result.output
    assert "ok    root certificate: the same as this installation" in result.output
    fails = fail_lines(result)
    assert fails
    assert all(line.startswith("FAIL  log key: differs from this installation") for line in fails), fails

    with app.app_context():
        _key_id, real_log_key = services.log_key(now=clock.utcnow())
    new_ca = forge(genuine, ca=pki.create_platform_ca("wage_guard", now=clock.wallclock()), log_key=real_log_key)
    result = run(app, tmp_path, new_ca, name="new-ca.zip")
    assert result.exit_code == 1, result.output
    assert "ok    log key: the same as this installation" in result.output
    fails = fail_lines(result)
    assert fails
    assert all(line.startswith("FAIL  root certificate: differs from this installation") for line in fails), fails


def test_offline_pins_decide_and_without_them_the_verdict_says_not_pinned(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    forged = forge(genuine, ca=pki.create_platform_ca("wage_guard", now=clock.wallclock()), log_key=Ed25519PrivateKey.generate())
    root_pin, key_pin = published_pins(app)
    with app.app_context():
        root = signing_ca.root_certificate()
        assert root is not None
        assert root_pin == package.certificate_fingerprint(root)

    for data in (genuine, forged):  # without pins both only hold together, and the verdict says so
        result = run(app, tmp_path, data, "--offline")
        assert result.exit_code == 3, result.output
        assert NOT_PINNED in result.output
        assert re.search(r"root certificate \(SHA-256\)  [0-9a-f]{64}", result.output)
        assert re.search(r"log key \(SHA-256\)  [0-9a-f]{64}", result.output)
    assert f"root certificate (SHA-256)  {root_pin}" in run(app, tmp_path, genuine, "--offline").output

    pins = ("--offline", "--root-fingerprint", colon_form(root_pin), "--log-key-fingerprint", key_pin.upper())
    result = run(app, tmp_path, genuine, *pins)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("result: VALID")
    result = run(app, tmp_path, forged, *pins)
    assert result.exit_code == 1, result.output
    assert any(line.startswith("FAIL  root certificate: differs from the pinned fingerprint") for line in fail_lines(result))
    assert any(line.startswith("FAIL  log key: differs from the pinned fingerprint") for line in fail_lines(result))

    half = run(app, tmp_path, genuine, "--offline", "--root-fingerprint", root_pin)  # one anchor pinned, one not
    assert half.exit_code == 3, half.output
    assert NOT_PINNED in half.output
    assert f"log key (SHA-256)  {key_pin}" in half.output


def test_a_wrong_pin_is_a_usage_error_in_both_languages(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    result = run(app, tmp_path, genuine, "--root-fingerprint", "abc")
    assert result.exit_code == 2
    assert "64 hexadecimal digits" in result.output
    path = tmp_path / "p.zip"
    with app.app_context():  # as under `flask`, which loads the app before reading the options: Chinese
        result = app.test_cli_runner().invoke(args=["ledger", "verify-package", str(path), "--log-key-fingerprint", "xyz"])
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "64 位十六进制数字" in result.output


def test_outside_an_installation_nothing_is_pinned(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    """A machine with the verifier but no platform database (an arbitrator's) relies on pins."""
    empty = create_app(conftest.test_config("sqlite:///" + str(tmp_path / "no-tables.sqlite")))
    with empty.app_context():
        assert evidence.installation_anchors() is None
        db.session.remove()
        db.engine.dispose()
    result = run(empty, tmp_path, genuine)
    assert result.exit_code == 3, result.output
    assert NOT_PINNED in result.output


def test_chinese_is_the_default_and_keeps_the_verdict_words(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    path = tmp_path / "p.zip"
    path.write_bytes(genuine)
    result = app.test_cli_runner().invoke(args=["ledger", "verify-package", str(path), "--offline"])
    assert_no_traceback(result)
    assert result.exit_code == 3
    assert "result: VALID" in result.output
    assert "anchors not pinned" in result.output
    assert "根证书" in result.output


# --- damaged packages ---------------------------------------------------------------------------------------------


def one_byte_changed(content: bytes) -> bytes:
    changed = bytearray(content)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def test_each_member_changed_truncated_or_removed_fails_naming_it(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    files = members(genuine)
    assert set(files) == set(package.MEMBERS)
    for name in package.MEMBERS:
        damages = {
            "a changed byte": {**files, name: one_byte_changed(files[name])},
            "truncated": {**files, name: files[name][: len(files[name]) // 2]},
            "removed": {other: content for other, content in files.items() if other != name},
        }
        for damage, damaged in damages.items():
            result = run(app, tmp_path, rezip(damaged), name=f"{name}-{damage}.zip")
            assert result.exit_code == 1, f"{damage} {name}: exit {result.exit_code}\n{result.output}"
            assert "result: NOT VALID" in result.output
            assert any(name in line for line in fail_lines(result)), f"no FAIL line names {name} ({damage}):\n{result.output}"
        removed = run(app, tmp_path, rezip(damages["removed"]), name="removed.zip")
        assert f"FAIL  {name}: missing from the package" in removed.output


def test_a_changed_byte_inside_the_zip_is_caught_by_its_crc(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(genuine)) as archive:
        infos = archive.infolist()
    for info in infos:
        start = info.header_offset + 30 + len(info.filename)  # stored members: the content follows the header
        changed = bytearray(genuine)
        changed[start + info.file_size // 2] ^= 0x20
        result = run(app, tmp_path, bytes(changed), name=f"{info.filename}.zip")
        assert result.exit_code == 1, result.output
        assert f"FAIL  {info.filename}: its CRC-32 does not match its content (the member is damaged)" in result.output


@pytest.mark.parametrize(
    ("member", "content", "why"),
    [
        ("tree_head.json", b'{"size": 3, "root": ', "not valid UTF-8 JSON"),
        ("tree_head.json", b'{"size": "3", "root": "00", "timestamp": 1}', "the field 'size' is missing or has the wrong type"),
        ("tree_head.json", b"[" * 30_000 + b"]" * 30_000, "not valid UTF-8 JSON"),
        ("entries.json", b'{"entries": [{"entry": {"seq": -1}}]}', "the field 'entry.seq' is missing or has the wrong type"),
        ("entries.json", b"\xff\xfe", "not valid UTF-8 JSON"),
        ("certificates.pem", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "no certificate could be read"),
        ("certificates.pem", b"", "no certificate could be read"),
        ("log_public_key.pem", b"not a key", "not an Ed25519 public key in PEM form"),
        ("contract.pdf", b"%PDF-1.7\ngarbage", "not a readable PDF"),
        (package.MANIFEST, b"{}", "the field 'files' is missing or has the wrong type"),
    ],
)
def test_damaged_members_say_why(app: Flask, genuine: bytes, tmp_path: Path, member: str, content: bytes, why: str) -> None:
    result = run(app, tmp_path, rezip({**members(genuine), member: content}))
    assert result.exit_code == 1, result.output
    assert any(line.startswith(f"FAIL  {member}: {why}") for line in fail_lines(result)), result.output


def test_a_certificate_chain_that_starts_below_the_root_fails(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    files = members(genuine)
    with app.app_context():
        ca = signing_ca.platform_ca()
    below = pki.certificates_to_pem([ca.issuing_cert, ca.root_cert]).encode()
    result = run(app, tmp_path, rezip({**files, "certificates.pem": below}))
    assert "FAIL  certificates.pem: the first certificate is not a self-signed root CA" in result.output


def test_zip_bombs_and_oversized_members_are_refused(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    files = members(genuine)
    bomb = rezip({**files, "tree_head.json": b" " * (2 * 1024 * 1024)}, method=zipfile.ZIP_DEFLATED)
    assert len(bomb) < len(genuine) + 10_000  # 2 MB of spaces deflate to a few KB
    result = run(app, tmp_path, bomb)
    assert result.exit_code == 1
    assert "FAIL  tree_head.json: it is larger than the limit of 65536 bytes" in result.output

    # A member that lies about its size: declared 100 bytes, it inflates to far more than the limit.
    liar = bytearray(bomb)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        local = archive.getinfo("tree_head.json").header_offset
    central = bomb.find(b"PK\x01\x02")
    while bomb[central + 46 : central + 46 + len(b"tree_head.json")] != b"tree_head.json":
        central = bomb.find(b"PK\x01\x02", central + 1)
    liar[local + 22 : local + 26] = liar[central + 24 : central + 28] = (100).to_bytes(4, "little")
    result = run(app, tmp_path, bytes(liar), name="liar.zip")
    assert result.exit_code == 1
    assert "FAIL  tree_head.json: it is larger than the limit of 65536 bytes" in result.output

    result = run(app, tmp_path, rezip({**files, "extra.bin": b"\0" * (2 * 1024 * 1024)}, method=zipfile.ZIP_DEFLATED))
    assert "FAIL  extra.bin: it is larger than the limit" in result.output


def test_an_oversized_file_is_not_read(app: Flask, genuine: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package_verify, "MAX_PACKAGE_BYTES", len(genuine) - 1)
    result = run(app, tmp_path, genuine)
    assert result.exit_code == 2
    assert "larger than" in result.output


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", 2), (b"not a zip", 2), (zlib.compress(b"x" * 1000), 2), (b"PK\x03\x04" + b"\0" * 26, 1)],
)
def test_what_is_not_a_package_fails(app: Flask, tmp_path: Path, data: bytes, code: int) -> None:
    """No ZIP records at all: exit 2; a stray local header is read as a ZIP whose members are all missing: exit 1."""
    result = run(app, tmp_path, data)
    assert result.exit_code == code, result.output
    assert fail_lines(result)
    assert "result: NOT VALID" in result.output


def test_a_missing_file_exits_2(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["ledger", "verify-package", str(tmp_path / "nowhere.zip"), "--lang", "en"])
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_packages_made_before_members_were_stored_still_verify(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    """Earlier packages deflated their members; the content and its signatures are what count."""
    result = run(app, tmp_path, rezip(members(genuine), method=zipfile.ZIP_DEFLATED))
    assert result.exit_code == 0, result.output


def test_a_rezipped_package_is_flagged_but_its_members_are_checked(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # what an unzip-and-zip-again round trip gives: other header fields
        for name, content in members(genuine).items():
            archive.writestr(name, content)
    result = run(app, tmp_path, buffer.getvalue())
    assert result.exit_code == 1
    assert any(line.startswith("FAIL  ZIP container: ") for line in fail_lines(result)), result.output
    assert "ok    contract.pdf matches the manifest" in result.output


# --- every byte of the file -----------------------------------------------------------------------------------


def header_positions(data: bytes) -> list[int]:
    """Every byte of the ZIP that is not member content: local headers, central directory, end record."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    positions = [p for info in infos for p in range(info.header_offset, info.header_offset + 30 + len(info.filename))]
    directory = max(info.header_offset + 30 + len(info.filename) + info.compress_size for info in infos)
    return positions + list(range(directory, len(data)))


def test_every_header_byte_changed_is_caught_by_the_container_check(genuine: bytes) -> None:
    positions = header_positions(genuine)
    assert len(positions) > 8 * (30 + 46)
    clean = package.PackageReport()
    assert package_verify.read_members(genuine, clean) is not None
    assert clean.ok, clean.lines
    for at in positions:
        for mask in (0x01, 0x80, 0xFF):
            changed = bytearray(genuine)
            changed[at] ^= mask
            report = package.PackageReport()
            package_verify.read_members(bytes(changed), report)
            assert not report.ok, f"byte {at} ^ {mask:#x} went unnoticed"


def test_random_byte_changes_never_give_a_traceback_or_valid(app: Flask, genuine: bytes, tmp_path: Path) -> None:
    headers = header_positions(genuine)
    path = tmp_path / "changed.zip"
    runner = app.test_cli_runner()
    anywhere = st.integers(0, len(genuine) - 1)

    @given(st.lists(st.tuples(st.one_of(anywhere, st.sampled_from(headers)), st.integers(1, 255)), min_size=1, max_size=4))
    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    def check(changes: list[tuple[int, int]]) -> None:
        changed = bytearray(genuine)
        for at, mask in changes:
            changed[at] ^= mask
        assume(bytes(changed) != genuine)
        path.write_bytes(bytes(changed))
        result = runner.invoke(args=["ledger", "verify-package", str(path), "--lang", "en"])
        assert_no_traceback(result)
        assert result.exit_code in (1, 2), result.output
        assert "result: VALID" not in result.output

    check()


# --- publication ------------------------------------------------------------------------------------------------


def test_the_root_certificate_page_publishes_the_fingerprints(app: Flask, genuine: bytes) -> None:
    client = app.test_client()
    with app.app_context():
        root = signing_ca.root_certificate()
        assert root is not None
        fingerprint = package.certificate_fingerprint(root)
        keys = evidence.published_anchors().log_keys
    english = client.get("/log/root-certificate?lang=en")
    assert english.status_code == 200
    html = english.get_data(as_text=True)
    assert "Published trust anchors" in html
    assert fingerprint in html
    assert keys
    assert all(key.fingerprint in html for key in keys)
    assert "-----BEGIN CERTIFICATE-----" in html
    chinese = client.get("/log/root-certificate?lang=zh_Hans_CN").get_data(as_text=True)
    assert "信任锚" in chinese
    assert fingerprint in chinese
    pem = client.get("/log/root-certificate.pem")
    assert pem.status_code == 200
    assert pem.mimetype == "application/x-pem-file"
    assert pki.certificates_from_pem(pem.data)[0] == root
    public = client.get("/log/public-key").get_json()
    for key in keys:
        assert public[key.key_id]["fingerprint_sha256"] == key.fingerprint
        assert public[key.key_id]["public_key_pem"] == key.pem
    files = members(genuine)
    assert any(key.pem == files["log_public_key.pem"].decode() for key in keys)
    report_text = re.sub(r"\s+", "", layout_text(files["report.pdf"]))  # the 存证报告 prints the same fingerprints
    assert fingerprint in report_text
    assert any(key.fingerprint in report_text for key in keys)


def test_the_root_certificate_page_before_set_up_is_a_clear_404(app: Flask) -> None:
    response = app.test_client().get("/log/root-certificate?lang=en")
    assert response.status_code == 404
    assert "not set up yet" in response.get_data(as_text=True)
    assert app.test_client().get("/log/root-certificate.pem").status_code == 404
