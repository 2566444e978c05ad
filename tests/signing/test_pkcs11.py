"""Keys in a PKCS#11 HSM, exercised with SoftHSM2 tokens in a temporary directory (``tests.softhsm``).

PKCS#11 login state is per process and token, and python-pkcs11 loads a module once per process, so the
wrong-PIN case uses a second token that nothing has logged in to.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tests.signing.conftest import EMPLOYER_BOX, Party, make_party, sign_as
from tests.softhsm import MODULE, PIN, token
from wage_guard.signing import pki, validation
from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.pkcs11 import Pkcs11KeyStore
from wage_guard.signing.timestamps import EmbeddedTimestamper

TOKEN, OTHER_TOKEN = "wage-guard-test", "wage-guard-other"


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two SoftHSM2 tokens: one to use, one that nothing logs in to."""
    token(tmp_path_factory, TOKEN)
    return token(tmp_path_factory, OTHER_TOKEN)


@pytest.fixture(scope="module")
def hsm(softhsm: Path) -> Pkcs11KeyStore:
    return Pkcs11KeyStore(MODULE, TOKEN, PIN)


@pytest.fixture(scope="module")
def hsm_worker(hsm: Pkcs11KeyStore, ca: pki.PlatformCA, now: datetime) -> Party:
    return make_party(hsm, pki.PlatformIssuer(ca), pki.PersonSubject("王五", "worker", "5e2d9c"), now)


def test_hsm_signature_validates(
    hsm: Pkcs11KeyStore,
    hsm_worker: Party,
    contract_pdf: bytes,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
    ca: pki.PlatformCA,
) -> None:
    signed = sign_as(contract_pdf, hsm_worker, hsm, timestamper, "worker", EMPLOYER_BOX, seal_png)

    report = validation.validate_pdf(signed, trust_roots=[ca.root_cert])

    assert report.ok, report.problems
    assert report.signatures[0].summary.startswith("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>")
    assert report.signatures[0].signer_cn == "王五"


def test_hsm_key_reference_is_an_opaque_id(hsm: Pkcs11KeyStore, hsm_worker: Party) -> None:
    assert len(hsm_worker.reference) == 16
    assert hsm.signer(hsm_worker.reference, hsm_worker.cert, hsm_worker.chain) is hsm.signer(
        hsm_worker.reference, hsm_worker.cert, hsm_worker.chain
    )


def test_hsm_unknown_key_is_unavailable(hsm: Pkcs11KeyStore, hsm_worker: Party) -> None:
    with pytest.raises(KeyStoreUnavailable, match="not found"):
        hsm.signer(b"\x00" * 16, hsm_worker.cert, hsm_worker.chain)


def test_hsm_key_of_another_certificate_is_refused(hsm: Pkcs11KeyStore, hsm_worker: Party, worker: Party) -> None:
    with pytest.raises(KeyStoreUnavailable, match="does not belong"):
        hsm.signer(hsm_worker.reference, worker.cert, worker.chain)


@pytest.mark.parametrize(
    ("module", "token", "pin", "reason"),
    [
        ("/nonexistent/libnope.so", TOKEN, PIN, "could not be loaded"),
        (MODULE, "no-such-token", PIN, "no HSM token"),
        (MODULE, OTHER_TOKEN, "000000", "wrong PIN"),
    ],
    ids=["module", "token", "pin"],
)
def test_unavailable_hsm_raises(softhsm: Path, module: str, token: str, pin: str, reason: str) -> None:
    store = Pkcs11KeyStore(module, token, pin)

    with pytest.raises(KeyStoreUnavailable, match=reason):
        store.create_key("worker-1")
    with pytest.raises(KeyStoreUnavailable):
        store.connect()


def test_platform_ca_with_hsm_keys_signs_certificates_crls_and_timestamps(
    hsm: Pkcs11KeyStore, now: datetime, contract_pdf: bytes, seal_png: bytes
) -> None:
    issuing, tsa = hsm.create_key("issuing CA"), hsm.create_key("timestamp authority")
    ca = pki.create_platform_ca(
        "hsm test", now=now, issuing_key=hsm.ec_private_key(issuing.reference), tsa_key=hsm.ec_private_key(tsa.reference)
    )
    worker = make_party(hsm, pki.PlatformIssuer(ca), pki.PersonSubject("赵六", "worker", "77aa01"), now)

    assert ca.issuing_cert.public_key() == issuing.public_key
    ca.tsa_cert.verify_directly_issued_by(ca.issuing_cert)
    worker.cert.verify_directly_issued_by(ca.issuing_cert)
    crl = pki.issue_crl(ca, [worker.cert.serial_number], now)
    assert crl.is_signature_valid(issuing.public_key)
    signed = sign_as(contract_pdf, worker, hsm, EmbeddedTimestamper.from_ca(ca), "worker", EMPLOYER_BOX, seal_png)
    report = validation.validate_pdf(signed, trust_roots=[ca.root_cert])
    assert report.ok, report.problems
    assert report.signatures[0].timestamp_trusted


def test_hsm_ed25519_key_signs_and_no_hsm_key_can_be_exported(hsm: Pkcs11KeyStore) -> None:
    reference, public_key = hsm.create_ed25519_key("evidence log")
    key = hsm.ed25519_private_key(reference)

    public_key.verify(key.sign(b"tree head"), b"tree head")
    assert key.public_key() == public_key
    listed = {k.key_id: k for k in hsm.private_keys()}
    assert listed[reference].key_type == "EC_EDWARDS"
    assert listed[reference].sensitive
    assert not listed[reference].extractable
    ec_key = hsm.ec_private_key(hsm.create_key("issuing CA").reference)
    with pytest.raises(KeyStoreUnavailable, match="cannot be exported"):
        key.private_bytes_raw()
    with pytest.raises(KeyStoreUnavailable, match="cannot be exported"):
        ec_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    with pytest.raises(KeyStoreUnavailable, match="not an ECDSA key"):
        hsm.ec_private_key(reference)
    with pytest.raises(KeyStoreUnavailable, match="not found"):
        hsm.ed25519_private_key(b"\x00" * 16)
    ec_key.public_key().verify(ec_key.sign(b"data", ec.ECDSA(hashes.SHA256())), b"data", ec.ECDSA(hashes.SHA256()))
