"""The platform CA: certificate contents, chains, CRLs and storage."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.signing.conftest import Party
from wage_guard.signing import offline_root, pki
from wage_guard.signing.errors import KeyFileUnreadable, KeyMismatch, KeyStoreUnavailable, WrongPassphrase
from wage_guard.signing.keystore import wrap_private_key

ID_NUMBER = re.compile(rb"\d{17}[\dXx]")


def _verify_chain(chain: list[x509.Certificate], root: x509.Certificate, at: datetime) -> None:
    """Check each signature up to the root, the validity periods and the CA flags."""
    for child, parent in zip(chain, [*chain[1:], root], strict=True):
        child.verify_directly_issued_by(parent)
        assert parent.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    root.verify_directly_issued_by(root)
    for certificate in [*chain, root]:
        assert certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc


def test_signer_certificate_names_the_person_without_id_number(worker: Party, employer: Party) -> None:
    subject = worker.cert.subject

    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张三"
    assert pki.role_of(worker.cert) == "worker"
    assert pki.role_of(employer.cert) == "employer"
    assert subject.get_attributes_for_oid(NameOID.PSEUDONYM)[0].value == "0b8e4f2a7c6d1e93"
    assert employer.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "某某建筑劳务有限公司"
    for party in (worker, employer):
        assert ID_NUMBER.search(party.cert.public_bytes(Encoding.DER)) is None


def test_signer_certificate_key_and_extensions(worker: Party, ca: pki.PlatformCA, now: datetime) -> None:
    cert = worker.cert
    public_key = cert.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.curve.name == "secp256r1"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert (usage.value.digital_signature, usage.value.content_commitment, usage.value.key_cert_sign) == (True, True, False)
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.issuing_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    assert timedelta(days=4 * 365) < cert.not_valid_after_utc - now <= timedelta(days=5 * 365)


def test_chain_verifies_to_root(worker: Party, ca: pki.PlatformCA, now: datetime) -> None:
    assert worker.chain == [ca.issuing_cert]
    _verify_chain([worker.cert, *worker.chain], ca.root_cert, now)
    _verify_chain([ca.tsa_cert, ca.issuing_cert], ca.root_cert, now)
    assert ca.issuing_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    assert isinstance(ca.root_cert.public_key(), ec.EllipticCurvePublicKey)
    assert ca.root_cert.public_key().curve.name in {"secp256r1", "secp384r1"}  # type: ignore[union-attr]


def test_tsa_certificate_is_for_timestamping_only(ca: pki.PlatformCA) -> None:
    usage = ca.tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)

    assert usage.critical
    assert list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_platform_issuer_trust_roots(ca: pki.PlatformCA) -> None:
    issuer: pki.CertificateIssuer = pki.PlatformIssuer(ca)

    assert issuer.trust_roots() == [ca.root_cert]


def test_platform_issuer_refuses_non_p256_keys(ca: pki.PlatformCA, now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    subject = pki.PersonSubject("张三", "worker", "abc")

    with pytest.raises(ValueError, match="P-256"):
        pki.PlatformIssuer(ca).issue(key.public_key(), subject, now)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"common_name": "张三", "role": "worker", "pseudonym": "11010519491231002X"},
        {"common_name": "张三 110105194912310021", "role": "worker", "pseudonym": "abc"},
        {"common_name": "张三", "role": "boss", "pseudonym": "abc"},
        {"common_name": " ", "role": "worker", "pseudonym": "abc"},
        {"common_name": "张三", "role": "worker", "pseudonym": ""},
    ],
)
def test_person_subject_rejects_id_numbers_and_bad_values(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        pki.PersonSubject(**kwargs)  # type: ignore[arg-type]


def test_issue_crl_lists_serials_and_is_signed(ca: pki.PlatformCA, worker: Party, now: datetime) -> None:
    crl = pki.issue_crl(ca, [worker.cert.serial_number, 7], now)

    assert crl.is_signature_valid(ca.issuing_cert.public_key())  # type: ignore[arg-type]
    assert crl.issuer == ca.issuing_cert.subject
    assert crl.get_revoked_certificate_by_serial_number(worker.cert.serial_number) is not None
    assert len(crl) == 2
    root_crl = pki.issue_crl(ca, [], now, issuer="root")
    assert root_crl.is_signature_valid(ca.root_cert.public_key())  # type: ignore[arg-type]


def test_issue_root_crl_needs_root_key(ca: pki.PlatformCA, now: datetime) -> None:
    without_root = pki.PlatformCA.load(ca.export(b"k" * 32), b"k" * 32)

    with pytest.raises(ValueError, match="root key"):
        pki.issue_crl(without_root, [], now, issuer="root")


def test_export_and_load_round_trip_never_includes_the_root_key(ca: pki.PlatformCA) -> None:
    kek = os.urandom(32)
    stored = ca.export(kek)

    loaded = pki.PlatformCA.load(stored, kek)

    assert loaded.root_cert == ca.root_cert
    assert loaded.tsa_cert == ca.tsa_cert
    assert loaded.issuing_key.private_numbers() == ca.issuing_key.private_numbers()
    assert loaded.root_key is None
    assert not hasattr(stored, "root_key")
    assert stored.issuing_cert_pem.startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(KeyStoreUnavailable):
        pki.PlatformCA.load(stored, os.urandom(32))


def test_root_key_file_opens_with_its_passphrase_and_only_for_its_root(ca: pki.PlatformCA, other_ca: pki.PlatformCA) -> None:
    assert ca.root_key is not None
    assert other_ca.root_key is not None
    data = offline_root.root_key_file(ca.root_key, "correct horse battery")

    assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = offline_root.load_root_key(data, "correct horse battery", ca.root_cert)
    assert loaded.private_numbers() == ca.root_key.private_numbers()
    with pytest.raises(WrongPassphrase):
        offline_root.load_root_key(data, "correct horse battery!", ca.root_cert)
    with pytest.raises(KeyMismatch):
        offline_root.load_root_key(
            offline_root.root_key_file(other_ca.root_key, "correct horse battery"), "correct horse battery", ca.root_cert
        )
    with pytest.raises(KeyMismatch):  # an issuing key is not the root key either
        offline_root.load_root_key(
            offline_root.root_key_file(ca.issuing_key, "correct horse battery"), "correct horse battery", ca.root_cert
        )
    with pytest.raises(KeyFileUnreadable):
        offline_root.load_root_key(pki.certificate_to_pem(ca.root_cert).encode(), "correct horse battery", ca.root_cert)


def test_legacy_root_key_in_the_database_can_be_unwrapped_for_export(ca: pki.PlatformCA) -> None:
    assert ca.root_key is not None
    kek = os.urandom(32)
    blob = wrap_private_key(ca.root_key, kek, "wage_guard.platform_ca.root")  # what older versions stored

    assert offline_root.unwrap_legacy_root_key(blob, kek, ca.root_cert).private_numbers() == ca.root_key.private_numbers()
    with pytest.raises(KeyMismatch):
        offline_root.unwrap_legacy_root_key(
            wrap_private_key(ca.issuing_key, kek, "wage_guard.platform_ca.root"), kek, ca.root_cert
        )
    with pytest.raises(KeyStoreUnavailable):
        offline_root.unwrap_legacy_root_key(blob, os.urandom(32), ca.root_cert)


def test_pem_helpers_keep_order(worker: Party, ca: pki.PlatformCA) -> None:
    pem = pki.certificates_to_pem([worker.cert, ca.issuing_cert])

    assert pki.certificates_from_pem(pem) == [worker.cert, ca.issuing_cert]
    assert pki.certificates_from_pem(pki.certificate_to_pem(ca.root_cert).encode()) == [ca.root_cert]
