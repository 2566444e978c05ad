"""Key wrapping (AES-256-GCM) and the encrypted key store."""

from __future__ import annotations

import os

import pytest
from asn1crypto import pem
from asn1crypto.keys import EncryptedPrivateKeyInfo
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key
from hypothesis import given
from hypothesis import strategies as st

from tests.signing.conftest import Party
from wage_guard.signing.errors import KeyFileUnreadable, KeyStoreUnavailable, WrongPassphrase
from wage_guard.signing.keystore import (
    KEY_FILE_ITERATIONS,
    EncryptedKeyStore,
    decrypt_key_file,
    encrypt_key_file,
    unwrap_private_key,
    wrap_private_key,
)

KEK = bytes(range(32))
KEY = ec.generate_private_key(ec.SECP256R1())
BLOB = wrap_private_key(KEY, KEK, "worker-key")


def test_wrap_unwrap_round_trip() -> None:
    unwrapped = unwrap_private_key(BLOB, KEK, "worker-key")

    assert isinstance(unwrapped, ec.EllipticCurvePrivateKey)
    assert unwrapped.private_numbers() == KEY.private_numbers()
    assert BLOB[:1] == b"\x01"
    assert wrap_private_key(KEY, KEK, "worker-key") != BLOB  # fresh nonce every time


@pytest.mark.parametrize(
    ("kek", "context"),
    [(bytes(32), "worker-key"), (KEK, "employer-key"), (KEK, "")],
    ids=["wrong-kek", "wrong-context", "empty-context"],
)
def test_unwrap_with_wrong_kek_or_context_fails(kek: bytes, context: str) -> None:
    with pytest.raises(KeyStoreUnavailable):
        unwrap_private_key(BLOB, kek, context)


@pytest.mark.parametrize("blob", [b"", b"\x02" + BLOB[1:], BLOB[:20]], ids=["empty", "version", "truncated"])
def test_unwrap_rejects_malformed_blobs(blob: bytes) -> None:
    with pytest.raises(KeyStoreUnavailable):
        unwrap_private_key(blob, KEK, "worker-key")


def test_wrap_rejects_short_kek() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_private_key(KEY, b"short", "worker-key")


@given(st.integers(min_value=0, max_value=len(BLOB) * 8 - 1))
def test_any_flipped_bit_fails(bit: int) -> None:
    damaged = bytearray(BLOB)
    damaged[bit // 8] ^= 1 << (bit % 8)

    with pytest.raises(KeyStoreUnavailable):
        unwrap_private_key(bytes(damaged), KEK, "worker-key")


def test_encrypted_store_caches_signers(store: EncryptedKeyStore, worker: Party) -> None:
    first = store.signer(worker.reference, worker.cert, worker.chain)

    assert store.signer(worker.reference, worker.cert, worker.chain) is first
    assert first.signing_cert is not None
    assert first.signing_cert.dump() == worker.cert.public_bytes(Encoding.DER)


def test_encrypted_store_refuses_key_of_another_certificate(store: EncryptedKeyStore, worker: Party, employer: Party) -> None:
    with pytest.raises(KeyStoreUnavailable, match="does not belong"):
        store.signer(worker.reference, employer.cert, employer.chain)


def test_encrypted_store_with_other_kek_cannot_use_reference(worker: Party) -> None:
    with pytest.raises(KeyStoreUnavailable):
        EncryptedKeyStore(os.urandom(32)).signer(worker.reference, worker.cert, worker.chain)


def test_key_file_is_standard_encrypted_pkcs8_with_many_kdf_rounds() -> None:
    data = encrypt_key_file(KEY, "长口令 correct horse")

    assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    info = EncryptedPrivateKeyInfo.load(pem.unarmor(data)[2])
    algorithm = info["encryption_algorithm"]
    assert algorithm["algorithm"].native == "pbes2"
    assert algorithm["parameters"]["key_derivation_func"]["parameters"]["iteration_count"].native == KEY_FILE_ITERATIONS
    assert algorithm["parameters"]["encryption_scheme"]["algorithm"].native == "aes256_cbc"
    opened = decrypt_key_file(data, "长口令 correct horse")
    assert isinstance(opened, ec.EllipticCurvePrivateKey)
    assert opened.private_numbers() == KEY.private_numbers()
    # cryptography's own reader agrees, so OpenSSL-compatible tools can open the file offline.
    assert load_pem_private_key(data, "长口令 correct horse".encode()).public_key() == KEY.public_key()


def test_key_file_wrong_passphrase_damage_and_other_files_are_told_apart() -> None:
    data = encrypt_key_file(KEY, "correct horse battery", iterations=1000)
    lines = data.split(b"\n")  # the last full base64 line lies in the encrypted key, after the PBES2 parameters
    lines[-4] = lines[-4][:5] + (b"A" if lines[-4][5:6] != b"A" else b"B") + lines[-4][6:]

    with pytest.raises(WrongPassphrase):
        decrypt_key_file(data, "correct horse batterY")
    with pytest.raises(WrongPassphrase):
        decrypt_key_file(b"\n".join(lines), "correct horse battery")
    plain = KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    for other in (b"", b"not a key at all", plain):
        with pytest.raises(KeyFileUnreadable):
            decrypt_key_file(other, "correct horse battery")
