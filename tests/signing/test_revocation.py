"""Revocation in the signing library: CRL entries with reason and time, distribution points, and validation that
reads the PDF's DSS first and the platform's CRLs after it, saying which it checked."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing.conftest import Party
from wage_guard.signing import pki, reports, validation

URL = "https://wage-guard.example.cn/pki/crl/issuing.crl"
CRLs = list[x509.CertificateRevocationList]


def validate(pdf: bytes, ca: pki.PlatformCA, crls: CRLs) -> reports.ValidationReport:
    return validation.validate_pdf(pdf, trust_roots=[ca.root_cert], other_certs=[ca.issuing_cert], crls=crls)


def test_crl_time_rounds_up_to_the_whole_second() -> None:
    assert pki.crl_time(datetime(2026, 11, 23, 10, 0, 0, 400_000, tzinfo=UTC)) == datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC)
    assert pki.crl_time(datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)) == datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


def test_crl_entries_carry_the_reason_and_the_time(ca: pki.PlatformCA, worker: Party, now: datetime) -> None:
    revoked_at = now + timedelta(microseconds=250_000)
    entry = pki.RevokedEntry(worker.cert.serial_number, revoked_at, x509.ReasonFlags.key_compromise)

    crl = pki.issue_crl(ca, [entry, 7], now)

    listed = crl.get_revoked_certificate_by_serial_number(worker.cert.serial_number)
    assert listed is not None
    assert listed.revocation_date_utc == pki.crl_time(revoked_at)
    assert listed.revocation_date_utc > revoked_at - timedelta(seconds=1)
    assert listed.extensions.get_extension_for_class(x509.CRLReason).value.reason is x509.ReasonFlags.key_compromise
    bare = crl.get_revoked_certificate_by_serial_number(7)
    assert bare is not None
    assert len(bare.extensions) == 0  # a bare serial has no reason


def test_certificates_name_the_crl_url_when_there_is_one(ca: pki.PlatformCA, now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = pki.PersonSubject("张三", "worker", "0b8e4f2a7c6d1e94")
    [named, _] = pki.PlatformIssuer(ca, crl_url=URL).issue(key.public_key(), subject, now)
    [unnamed, _] = pki.PlatformIssuer(ca).issue(key.public_key(), subject, now)

    assert pki.crl_distribution_points(named) == [URL]
    assert pki.crl_distribution_points(unnamed) == []
    fresh = pki.create_platform_ca("cdp", now=now, root_crl_url="https://x.cn/pki/crl/root.crl", issuing_crl_url=URL)
    assert pki.crl_distribution_points(fresh.issuing_cert) == ["https://x.cn/pki/crl/root.crl"]
    assert pki.crl_distribution_points(fresh.tsa_cert) == [URL]
    assert pki.crl_distribution_points(fresh.root_cert) == []


def test_a_b_lta_file_is_checked_against_its_own_dss_without_the_platform(
    signed_lta: bytes, signed_bt: bytes, ca: pki.PlatformCA, crls: CRLs
) -> None:
    assert validate(signed_lta, ca, []).revocation_checked == "dss"
    assert validate(signed_lta, ca, crls).revocation_checked == "dss+platform"
    assert validate(signed_bt, ca, crls).revocation_checked == "platform"
    assert validate(signed_bt, ca, []).revocation_checked == "none"
    assert validate(signed_lta, ca, []).ok


def test_the_platform_s_revocation_wins_over_a_dss_that_predates_it(
    signed_lta: bytes, ca: pki.PlatformCA, worker: Party, now: datetime, crls: CRLs
) -> None:
    """The DSS's CRL was issued when the file was completed and lists nothing; the platform's lists the worker as
    revoked before they signed: the signature is not valid."""
    revoked = pki.RevokedEntry(worker.cert.serial_number, now - timedelta(minutes=1), x509.ReasonFlags.key_compromise)
    platform = [pki.issue_crl(ca, [revoked], datetime.now(UTC)), crls[1]]

    report = validate(signed_lta, ca, platform)

    assert not report.ok
    assert [s.revoked for s in report.signatures] == [False, True]
    assert "signature 'worker' was made after its certificate was revoked" in report.problems


def test_a_revocation_after_the_signature_leaves_it_valid(
    signed_lta: bytes, ca: pki.PlatformCA, worker: Party, crls: CRLs
) -> None:
    revoked = pki.RevokedEntry(worker.cert.serial_number, datetime.now(UTC), x509.ReasonFlags.key_compromise)

    report = validate(signed_lta, ca, [pki.issue_crl(ca, [revoked], datetime.now(UTC)), crls[1]])

    assert report.ok, report.problems
    assert not any(s.revoked for s in report.signatures)


def test_damaged_crls_in_the_dss_are_left_out_not_a_crash(signed_bt: bytes, ca: pki.PlatformCA, crls: CRLs) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_bt))
    junk = writer.add_object(generic.StreamObject(stream_data=b"\x30\x03not a CRL"))
    writer.root["/DSS"] = writer.add_object(generic.DictionaryObject({generic.NameObject("/CRLs"): generic.ArrayObject([junk])}))
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)

    assert validate(output.getvalue(), ca, []).revocation_checked == "none"
    report = validate(output.getvalue(), ca, crls)
    assert report.revocation_checked == "platform"
    assert all(s.trusted for s in report.signatures)
