"""Revocation that does something: a worker's compromised signing means revoke their certificate.

The worker reports it in the portal (or the foreman, with the worker and their ID card in front of them); the
certificate is on the CRL served at the URL the certificate itself names; what was signed before stays valid (for
pyHanko and pdfsig alike), the next signature uses a new certificate, and a signature made afterwards with the old
one is invalid.
"""

from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader

from jobs.runner import run_job
from jobs.signing import renew_crls
from tests.authz_world import portal_login
from tests.factories import latest_sms, login
from tests.journeys.conftest import WORKERS, SigningWorld, final_pdf
from tests.journeys.test_changes import change, sign_change
from tests.journeys.test_signing_journey import sign_one
from tests.journeys.test_validators import _pdfsig
from wage_guard import clock
from wage_guard.documents import seals
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
from wage_guard.signing import ca as signing_ca
from wage_guard.signing import pades, pki
from wage_guard.signing import services as signing
from wage_guard.signing.crls import CRL_RENEW_BY_SCHEDULER
from wage_guard.signing.failures import SigningFailed
from wage_guard.signing.models import SigningAuthority, SigningIdentity

LI_PHONE = WORKERS["李四"][1]


def identities(app: Flask, sw: SigningWorld, name: str = "李四") -> list[SigningIdentity]:
    with app.app_context():
        worker_id = db.session.get(Enrollment, sw.enrollments[name]).worker_id  # type: ignore[union-attr]
        rows = db.session.scalars(
            sa.select(SigningIdentity)
            .where(SigningIdentity.owner_kind == "worker", SigningIdentity.owner_id == worker_id)
            .order_by(SigningIdentity.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def certificate(identity: SigningIdentity) -> x509.Certificate:
    return x509.load_pem_x509_certificate(identity.cert_pem.encode())


def served_crl(client: FlaskClient, cert: x509.Certificate) -> x509.CertificateRevocationList:
    """Fetch the CRL at the URL the certificate names, through the app, and parse the DER."""
    [url] = pki.crl_distribution_points(cert)
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert response.mimetype == "application/pkix-crl"
    return x509.load_der_x509_crl(response.get_data())


def signer_serials(pdf: bytes) -> list[int]:
    return [
        s.signer_cert.serial_number for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures if s.sig_object_type == "/Sig"
    ]


def report_in_portal(app: Flask, sw: SigningWorld, client: FlaskClient | None = None) -> FlaskClient:
    client = client or app.test_client()
    portal_login(client, LI_PHONE)
    with app.app_context():
        worker_id = db.session.get(Enrollment, sw.enrollments["李四"]).worker_id  # type: ignore[union-attr]
    response = client.post("/me/signing-certificate", data={"worker_id": str(worker_id), "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def wait_until_after(moment: datetime) -> None:
    """Let the real clock pass ``moment`` (at most a second: revocation times are whole seconds, rounded up)."""
    while clock.wallclock() <= moment:
        time.sleep(0.05)


def test_revocation_lists_the_certificate_keeps_old_signatures_and_a_new_certificate_signs(
    app: Flask, signing_world: SigningWorld, tmp_path: Path
) -> None:
    contract_id = sign_one(app, signing_world)
    signed = final_pdf(app, contract_id)
    [before] = identities(app, signing_world)
    old_cert = certificate(before)
    client = app.test_client()
    assert old_cert.serial_number in signer_serials(signed)
    assert served_crl(client, old_cert).get_revoked_certificate_by_serial_number(old_cert.serial_number) is None

    report_in_portal(app, signing_world)

    # The CRL at the certificate's own distribution point lists it, with the reason and the time, signed by the CA.
    [revoked, *_] = identities(app, signing_world)
    assert revoked.revoked_at is not None
    assert revoked.revocation_reason == "keyCompromise"
    crl = served_crl(client, old_cert)
    entry = crl.get_revoked_certificate_by_serial_number(old_cert.serial_number)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is x509.ReasonFlags.key_compromise
    assert entry.revocation_date_utc == clock.as_utc(revoked.revoked_at)
    with app.app_context():
        issuing = signing_ca.platform_ca().issuing_cert
    assert crl.issuer == issuing.subject
    assert crl.is_signature_valid(issuing.public_key())  # type: ignore[arg-type]

    # The contract signed before the revocation still validates, for pyHanko and for pdfsig.
    with app.app_context():
        report = signing.verify(signed)
    assert report.ok, report.problems
    assert report.revocation_checked == "dss+platform"
    assert not any(s.revoked for s in report.signatures)
    blocks = [b for b in _pdfsig(app, signed, tmp_path) if "Signature Field Name: worker" in b]
    assert len(blocks) == 1
    assert "Signature is Valid." in blocks[0]
    assert "Certificate is Trusted." in blocks[0]
    (tmp_path / "signed.pdf").write_bytes(signed)
    as_json = app.test_cli_runner().invoke(args=["contracts", "verify", str(tmp_path / "signed.pdf"), "--json"])
    assert json.loads(as_json.output)["revocation_checked"] == "dss+platform"

    # The worker's next signature (an amendment) is made with a new certificate, and it validates.
    amendment = change(app, signing_world, contract_id, "amendment", pay_amount="380")
    sign_change(app)
    old, new = identities(app, signing_world)
    assert old.id == before.id
    assert new.revoked_at is None
    new_cert = certificate(new)
    assert new_cert.serial_number != old_cert.serial_number
    amended = final_pdf(app, amendment)
    assert signer_serials(amended)[-1] == new_cert.serial_number
    assert old_cert.serial_number not in signer_serials(amended)
    with app.app_context():
        assert signing.verify(amended).ok


def test_a_signature_made_after_the_revocation_with_the_old_certificate_is_invalid(
    app: Flask, signing_world: SigningWorld
) -> None:
    signed = final_pdf(app, sign_one(app, signing_world))
    report_in_portal(app, signing_world)
    [old] = identities(app, signing_world)
    assert old.revoked_at is not None
    wait_until_after(clock.as_utc(old.revoked_at))

    with app.test_request_context():
        with pytest.raises(SigningFailed):  # the service refuses a revoked identity outright...
            signing.sign(
                signed,
                old,
                field_name="late",
                placement=pades.SealPlacement(0, (72, 72, 144, 144), b""),
                reason="x",
                location="x",
            )
        # ...so force it through the library, as someone holding the old key might.
        cert = certificate(old)
        chain = pki.certificates_from_pem(old.chain_pem)
        seal = pades.SealPlacement(0, (72, 72, 144, 144), seals.personal_seal_png("李四"))
        forged = pades.sign_pdf(
            signed,
            signer=signing_ca.key_store().signer(old.key_reference, cert, chain),
            timestamper=signing.timestamper(),
            field_name="late",
            placement=seal,
            reason="签署",
            location="工地",
        )
        report = signing.verify(forged)

    assert not report.ok
    late = next(s for s in report.signatures if s.field_name == "late")
    assert late.intact
    assert late.timestamp_trusted
    assert late.revoked
    assert not late.trusted
    assert "signature 'late' was made after its certificate was revoked" in report.problems
    earlier = [s for s in report.signatures if s.field_name != "late"]
    assert earlier
    assert all(s.trusted and not s.revoked for s in earlier)
    assert report.revocation_checked == "dss+platform"


def test_the_foreman_revokes_in_person_after_checking_the_id_card(app: Flask, signing_world: SigningWorld) -> None:
    sign_one(app, signing_world)
    foreman = app.test_client()
    login(foreman, "foreman_a")
    url = f"/projects/{signing_world.base.project_a}/identity/{signing_world.enrollments['李四']}/certificate"
    [identity] = identities(app, signing_world)
    serial = format(certificate(identity).serial_number, "X")
    page = foreman.get(url)
    assert page.status_code == 200
    assert serial[:16] in page.get_data(as_text=True)

    refused = foreman.post(f"{url}?lang=en", data={})
    assert refused.status_code == 422
    assert "seen this person's ID card" in refused.get_data(as_text=True)
    assert identities(app, signing_world)[0].revoked_at is None

    assert foreman.post(url, data={"seen_id_card": "y"}).status_code == 302
    [revoked] = identities(app, signing_world)
    assert revoked.revoked_at is not None
    with app.app_context():
        [entry] = [e for e in ledger.entries_about(f"worker:{revoked.owner_id}") if e.kind == "certificate_revoked"]
        payload = json.loads(entry.payload)
    assert payload["serial"] == serial
    assert payload["reason"] == "keyCompromise"
    assert payload["by"].startswith("staff:")
    assert payload["revoked_at"] == clock.as_utc(revoked.revoked_at).isoformat()
    assert "12333" in (latest_sms(app, LI_PHONE).body or "")

    # Nothing left in use: a second report says so, and changes nothing.
    again = foreman.post(f"{url}?lang=en", data={"seen_id_card": "y"})
    assert again.status_code == 409
    assert "no signing certificate in use" in again.get_data(as_text=True)
    assert len(identities(app, signing_world)) == 1


def test_the_portal_revokes_only_the_session_s_own_people(app: Flask, signing_world: SigningWorld) -> None:
    sign_one(app, signing_world)
    sign_one(app, signing_world, "王五")
    client = app.test_client()
    portal_login(client, LI_PHONE)
    page = client.get("/me/signing-certificate?lang=en")
    assert page.status_code == 200
    assert "Report and revoke" in page.get_data(as_text=True)
    with app.app_context():
        other = db.session.get(Enrollment, signing_world.enrollments["王五"]).worker_id  # type: ignore[union-attr]
        own = db.session.get(Enrollment, signing_world.enrollments["李四"]).worker_id  # type: ignore[union-attr]

    assert client.post("/me/signing-certificate", data={"worker_id": str(other), "confirm": "y"}).status_code == 404
    unconfirmed = client.post("/me/signing-certificate?lang=en", data={"worker_id": str(own)})
    assert unconfirmed.status_code == 422
    assert "Please confirm" in unconfirmed.get_data(as_text=True)
    assert all(i.revoked_at is None for i in identities(app, signing_world) + identities(app, signing_world, "王五"))

    assert client.post("/me/signing-certificate", data={"worker_id": str(own), "confirm": "y"}).status_code == 302
    assert identities(app, signing_world)[0].revoked_at is not None
    assert identities(app, signing_world, "王五")[0].revoked_at is None
    assert "Revoked at" in client.get("/me/signing-certificate?lang=en").get_data(as_text=True)


def test_crl_urls_and_renewal(app: Flask, signing_world: SigningWorld) -> None:
    client = app.test_client()
    assert client.get("/pki/crl/nothing.crl").status_code == 404
    root = x509.load_der_x509_crl(client.get("/pki/crl/root.crl").get_data())
    with app.app_context():
        ca = signing_ca.platform_ca()
    assert root.issuer == ca.root_cert.subject
    assert root.is_signature_valid(ca.root_cert.public_key())  # type: ignore[arg-type]

    first = client.get("/pki/crl/issuing.crl").get_data()
    assert client.get("/pki/crl/issuing.crl").get_data() == first  # stored, not signed anew per request
    assert run_job(app, renew_crls)["issuing"]  # half its life is left: kept
    assert client.get("/pki/crl/issuing.crl").get_data() == first
    with app.app_context():
        issuing_before = x509.load_der_x509_crl(first)
        stale = pki.issue_crl(ca, [], clock.wallclock(), next_update=CRL_RENEW_BY_SCHEDULER / 2)
        authority = db.session.scalars(sa.select(SigningAuthority)).one()
        authority.issuing_crl_pem = stale.public_bytes(serialization.Encoding.PEM).decode()
        db.session.commit()
    run_job(app, renew_crls)
    renewed = x509.load_der_x509_crl(client.get("/pki/crl/issuing.crl").get_data())
    assert renewed.next_update_utc is not None
    assert stale.next_update_utc is not None
    assert renewed.next_update_utc > stale.next_update_utc
    assert renewed.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number >= (
        issuing_before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    )


def test_certificates_name_the_public_crl_url(app: Flask) -> None:
    """Under ``PUBLIC_BASE_URL`` when set (the CLI's init-ca has no request), else the request's host, else none."""
    with app.app_context():
        assert signing_ca.crl_url("issuing") is None
        app.config["PUBLIC_BASE_URL"] = "https://wage-guard.example.cn/"
        try:
            assert signing_ca.crl_url("issuing") == "https://wage-guard.example.cn/pki/crl/issuing.crl"
            assert signing_ca.crl_url("root") == "https://wage-guard.example.cn/pki/crl/root.crl"
        finally:
            app.config["PUBLIC_BASE_URL"] = None
    with app.test_request_context(base_url="https://site.example.cn"):
        assert signing_ca.crl_url("issuing") == "https://site.example.cn/pki/crl/issuing.crl"
