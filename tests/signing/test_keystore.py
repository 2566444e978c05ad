"""Key wrapping (AES-256-GCM) and the encrypted key store."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given
from hypothesis import strategies as st

from tests.signing.conftest import Party
from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.keystore import EncryptedKeyStore, unwrap_private_key, wrap_private_key

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
