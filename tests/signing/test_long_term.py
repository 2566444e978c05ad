"""Long-term validation: ``validate_pdf(now=...)`` after the signer's (and the TSA's) certificate has expired.

Signer certificates here are valid for one day and validation happens three days later, well inside the
30 days the session CRLs are valid for (pki.CRL_VALIDITY).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.signing.conftest import EMPLOYER_BOX, WORKER_BOX, Party, make_party, sign_as
from wage_guard.signing import pades, pki, reports, validation
from wage_guard.signing.keystore import EncryptedKeyStore
from wage_guard.signing.timestamps import EmbeddedTimestamper

LATER = timedelta(days=3)
CRLs = list[x509.CertificateRevocationList]


def validate(pdf: bytes, ca: pki.PlatformCA, crls: CRLs, now: datetime | None) -> reports.ValidationReport:
    return validation.validate_pdf(pdf, trust_roots=[ca.root_cert], other_certs=[ca.issuing_cert], crls=crls, now=now)


def short_lived(store: EncryptedKeyStore, ca: pki.PlatformCA, now: datetime, pseudonym: str) -> Party:
    subject = pki.PersonSubject("王五", "worker", pseudonym)
    return make_party(store, pki.PlatformIssuer(ca, validity=timedelta(days=1)), subject, now)


def short_lived_tsa(ca: pki.PlatformCA, now: datetime) -> EmbeddedTimestamper:
    """A TSA of ``ca`` whose certificate expires after one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    ski = ca.issuing_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "short-lived TSA")]))
        .issuer_name(ca.issuing_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca.issuing_key, hashes.SHA256())
    )
    return EmbeddedTimestamper(cert, key, [ca.issuing_cert])


def lta(pdf: bytes, ca: pki.PlatformCA, crls: CRLs, timestamper: EmbeddedTimestamper) -> bytes:
    return pades.complete_lta(pdf, trust_roots=[ca.root_cert], other_certs=[ca.issuing_cert], crls=crls, timestamper=timestamper)


@pytest.fixture(scope="module")
def expiring(
    contract_pdf: bytes,
    employer: Party,
    store: EncryptedKeyStore,
    ca: pki.PlatformCA,
    crls: CRLs,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
    now: datetime,
) -> tuple[Party, bytes]:
    """The employer (5-year certificate) and a worker whose certificate expires after a day sign; then B-LTA."""
    worker = short_lived(store, ca, now, "5d2e8a0b1c3f4e67")
    first = sign_as(contract_pdf, employer, store, timestamper, "employer", EMPLOYER_BOX, seal_png)
    signed = sign_as(first, worker, store, timestamper, "worker", WORKER_BOX, seal_png)
    return worker, lta(signed, ca, crls, timestamper)


def test_expired_signer_is_trusted_at_its_trusted_timestamp(
    expiring: tuple[Party, bytes], ca: pki.PlatformCA, crls: CRLs
) -> None:
    worker, pdf = expiring
    later = datetime.now(UTC) + LATER
    assert worker.cert.not_valid_after_utc < later

    report = validate(pdf, ca, crls, later)

    assert report.ok, report.problems
    assert [s.signer_cn for s in report.signatures] == ["李建国", "王五"]
    for signature in report.signatures:
        assert signature.trusted
        assert signature.timestamp_trusted
        assert signature.bottom_line
        assert signature.summary.startswith("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>")
        assert signature.timestamp_time is not None
        assert signature.timestamp_time < worker.cert.not_valid_after_utc
    [document_timestamp] = report.document_timestamps
    assert document_timestamp.trusted
    assert report.revocation_checked == "dss+platform"
    assert not report.changed_after_last_signature


def test_expired_signer_in_b_t_document_is_trusted_too(
    contract_pdf: bytes,
    store: EncryptedKeyStore,
    ca: pki.PlatformCA,
    crls: CRLs,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
    now: datetime,
) -> None:
    worker = short_lived(store, ca, now, "1a2b3c4d5e6f7081")
    signed = sign_as(contract_pdf, worker, store, timestamper, "worker", WORKER_BOX, seal_png)

    report = validate(signed, ca, crls, datetime.now(UTC) + LATER)

    assert report.ok, report.problems


def test_expired_signer_without_trusted_timestamp_is_untrusted(
    contract_pdf: bytes,
    store: EncryptedKeyStore,
    ca: pki.PlatformCA,
    other_ca: pki.PlatformCA,
    crls: CRLs,
    seal_png: bytes,
    now: datetime,
) -> None:
    worker = short_lived(store, ca, now, "2b3c4d5e6f708192")
    signed = sign_as(contract_pdf, worker, store, EmbeddedTimestamper.from_ca(other_ca), "worker", WORKER_BOX, seal_png)

    today = validate(signed, ca, crls, None)
    later = validate(signed, ca, crls, datetime.now(UTC) + LATER)

    [signature] = today.signatures
    assert signature.trusted
    assert not signature.timestamp_trusted
    [signature] = later.signatures
    assert signature.intact
    assert signature.valid
    assert not signature.trusted
    assert not signature.timestamp_trusted
    assert not later.ok
    assert "signature 'worker' is not from a trusted certificate" in later.problems


def test_tampered_byte_fails_at_any_time(expiring: tuple[Party, bytes], ca: pki.PlatformCA, crls: CRLs) -> None:
    _, pdf = expiring
    assert pdf.count(b"72 760 Tm") == 1
    tampered = pdf.replace(b"72 760 Tm", b"72 761 Tm")

    for when in (None, datetime.now(UTC) + LATER):
        report = validate(tampered, ca, crls, when)
        assert not report.ok
        assert not any(s.intact for s in report.signatures)
        assert not any(d.intact for d in report.document_timestamps)


def test_other_ca_is_untrusted_even_with_our_timestamp(
    contract_pdf: bytes,
    store: EncryptedKeyStore,
    ca: pki.PlatformCA,
    other_ca: pki.PlatformCA,
    crls: CRLs,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
    now: datetime,
) -> None:
    impostor = short_lived(store, other_ca, now, "3c4d5e6f70819203")
    forged_own_tsa = sign_as(contract_pdf, impostor, store, EmbeddedTimestamper.from_ca(other_ca), "w", WORKER_BOX, seal_png)
    forged_our_tsa = sign_as(contract_pdf, impostor, store, timestamper, "w", WORKER_BOX, seal_png)

    for forged, timestamp_trusted in ((forged_own_tsa, False), (forged_our_tsa, True)):
        for when in (None, datetime.now(UTC) + LATER):
            report = validate(forged, ca, crls, when)
            [signature] = report.signatures
            assert signature.intact
            assert not signature.trusted
            assert signature.timestamp_trusted is timestamp_trusted
            assert not report.ok


@pytest.mark.parametrize("fixture", ["signed_bt", "signed_lta"])
def test_real_now_changes_nothing(fixture: str, request: pytest.FixtureRequest, ca: pki.PlatformCA, crls: CRLs) -> None:
    pdf: bytes = request.getfixturevalue(fixture)

    # Without the platform's CRLs only a B-LTA file's own (DSS) CRLs are there to check the signers against.
    expected = {"signed_bt": ("none", "platform"), "signed_lta": ("dss", "dss+platform")}[fixture]
    for given_crls, checked in zip(([], crls), expected, strict=True):
        default = validate(pdf, ca, given_crls, None)
        explicit = validate(pdf, ca, given_crls, datetime.now(UTC))
        assert default.ok, default.problems
        assert explicit.to_dict() == default.to_dict()
        assert default.revocation_checked == checked


def test_expired_tsa_is_trusted_through_a_later_document_timestamp(
    contract_pdf: bytes,
    store: EncryptedKeyStore,
    ca: pki.PlatformCA,
    crls: CRLs,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
    now: datetime,
) -> None:
    worker = short_lived(store, ca, now, "4d5e6f7081920314")
    signed = sign_as(contract_pdf, worker, store, short_lived_tsa(ca, now), "worker", WORKER_BOX, seal_png)
    archived = lta(signed, ca, crls, timestamper)
    later = datetime.now(UTC) + LATER

    with_archive = validate(archived, ca, crls, later)
    without_archive = validate(signed, ca, crls, later)

    assert with_archive.ok, with_archive.problems
    [signature] = with_archive.signatures
    assert signature.trusted
    assert signature.timestamp_trusted
    [signature] = without_archive.signatures
    assert not signature.timestamp_trusted
    assert not signature.trusted
    assert not without_archive.ok


def test_revocation_after_the_trusted_timestamp_does_not_invalidate(
    expiring: tuple[Party, bytes], ca: pki.PlatformCA, crls: CRLs
) -> None:
    worker, pdf = expiring
    revoked_at = datetime.now(UTC) + timedelta(days=2)
    later_crls = [pki.issue_crl(ca, [worker.cert.serial_number], revoked_at), pki.issue_crl(ca, [], revoked_at, issuer="root")]

    report = validate(pdf, ca, later_crls, revoked_at + timedelta(days=1))

    assert report.ok, report.problems


def test_naive_now_is_refused(signed_bt: bytes, ca: pki.PlatformCA, crls: CRLs) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        validate(signed_bt, ca, crls, datetime.now())  # naive on purpose
