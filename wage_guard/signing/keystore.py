"""Where signers' private keys live, and pyHanko signers that do not re-parse them on every signature.

Two stores share the :class:`KeyStore` interface: :class:`EncryptedKeyStore` (keys wrapped with AES-256-GCM
under a key-encryption key, the wrapped blob *is* the reference the caller stores) and
``wage_guard.signing.pkcs11.Pkcs11KeyStore`` (keys generated inside the HSM / 加密机, never leaving it).

Stock ``SimpleSigner`` parses its PKCS#8 key again for every signature (signing-notes.md: this and the
double signing for size estimation are why stock pyHanko is slow), so signers here hold the parsed key and
are kept in a small LRU cache keyed by reference and certificate.

Blob layout: ``b"\\x01" + nonce(12) + AES-GCM(PKCS#8 DER)``, with the caller's ``context`` as associated
data so a wrapped key cannot be moved to another purpose unnoticed (as in ``wage_guard.fieldcrypt``).

Keys kept *offline* (the root CA key) are not wrapped under the KEK, whose loss would then expose them too,
but written as passphrase-encrypted PKCS#8 files (:func:`encrypt_key_file`) that OpenSSL and any PKI tool can
open. cryptography's own encrypted PKCS#8 uses PBKDF2 with only 2,048 iterations, too few for a passphrase
guarded file, so the PBES2 structure is built here with :data:`KEY_FILE_ITERATIONS`.
"""

from __future__ import annotations

import abc
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from asn1crypto import algos as asn1_algos
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from wage_guard.signing.errors import KeyFileUnreadable, KeyStoreUnavailable, WrongPassphrase

_VERSION = b"\x01"
_NONCE_SIZE = 12
_AD_PREFIX = b"wage_guard.signing.wrapped_key\x00"
#: PBKDF2-HMAC-SHA256 rounds for passphrase-encrypted key files (OWASP's 2023 figure; about 0.1 s here).
KEY_FILE_ITERATIONS = 600_000
_KEY_FILE_LABEL = "ENCRYPTED PRIVATE KEY"

K = TypeVar("K")
V = TypeVar("V")


def wrap_private_key(key: PrivateKeyTypes, kek: bytes, context: str) -> bytes:
    """Encrypt ``key`` (as PKCS#8 DER) under the 32-byte ``kek``; ``context`` is authenticated, not secret."""
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    nonce = os.urandom(_NONCE_SIZE)
    return _VERSION + nonce + _aead(kek).encrypt(nonce, der, _AD_PREFIX + context.encode())


def unwrap_private_key(blob: bytes, kek: bytes, context: str) -> PrivateKeyTypes:
    """Decrypt a key from :func:`wrap_private_key`.

    :raises KeyStoreUnavailable: wrong KEK or context, unknown version, or a tampered blob.
    """
    if blob[:1] != _VERSION or len(blob) < 1 + _NONCE_SIZE + 16:
        raise KeyStoreUnavailable("the stored signing key has an unknown format")
    nonce, sealed = blob[1 : 1 + _NONCE_SIZE], blob[1 + _NONCE_SIZE :]
    try:
        der = _aead(kek).decrypt(nonce, sealed, _AD_PREFIX + context.encode())
    except InvalidTag as exc:
        raise KeyStoreUnavailable("the stored signing key could not be decrypted (wrong key or damaged)") from exc
    return serialization.load_der_private_key(der, password=None)


def encrypt_key_file(key: PrivateKeyTypes, passphrase: str, *, iterations: int = KEY_FILE_ITERATIONS) -> bytes:
    """Return ``key`` as a PEM ``ENCRYPTED PRIVATE KEY`` (PKCS#8, PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC)."""
    if not passphrase:
        raise ValueError("a key file needs a passphrase")
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    salt, iv = os.urandom(16), os.urandom(16)
    secret = PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(passphrase.encode())
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padder.update(der) + padder.finalize()) + encryptor.finalize()
    pbkdf2 = {
        "salt": asn1_algos.Pbkdf2Salt(name="specified", value=salt),
        "iteration_count": iterations,
        "prf": {"algorithm": "sha256"},
    }
    info = asn1_keys.EncryptedPrivateKeyInfo(
        {
            "encryption_algorithm": {
                "algorithm": "pbes2",
                "parameters": {
                    "key_derivation_func": {"algorithm": "pbkdf2", "parameters": pbkdf2},
                    "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv},
                },
            },
            "encrypted_data": encrypted,
        }
    )
    return asn1_pem.armor(_KEY_FILE_LABEL, info.dump())


def decrypt_key_file(data: bytes, passphrase: str) -> PrivateKeyTypes:
    """Open a key file from :func:`encrypt_key_file` (or OpenSSL's ``pkcs8 -topk8``).

    :raises KeyFileUnreadable: not a passphrase-encrypted PKCS#8 PEM file.
    :raises WrongPassphrase: the passphrase does not decrypt it (or the file is damaged).
    """
    not_a_key_file = "the file is not an encrypted private key (PEM 'ENCRYPTED PRIVATE KEY')"
    try:
        label, _headers, der = asn1_pem.unarmor(data.strip())
    except (ValueError, TypeError) as exc:
        raise KeyFileUnreadable(not_a_key_file) from exc
    if label != _KEY_FILE_LABEL:
        raise KeyFileUnreadable(f"{not_a_key_file}; it holds a PEM {label!r}")
    try:
        asn1_keys.EncryptedPrivateKeyInfo.load(der).native  # noqa: B018 - parses the whole structure, or raises
    except (ValueError, TypeError) as exc:
        raise KeyFileUnreadable(f"{not_a_key_file}; its content is damaged") from exc
    try:
        return serialization.load_der_private_key(der, password=passphrase.encode())
    except ValueError as exc:
        raise WrongPassphrase("the passphrase does not open this key file (or the file is damaged)") from exc
    except (TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileUnreadable("the key file uses an encryption this application cannot read") from exc


def _aead(kek: bytes) -> AESGCM:
    if len(kek) != 32:
        raise ValueError("the key-encryption key must be 32 bytes")
    return AESGCM(kek)


@dataclass(frozen=True)
class KeyHandle:
    """A new key pair: its public half (to certify) and the opaque ``reference`` the caller stores."""

    public_key: ec.EllipticCurvePublicKey
    reference: bytes


class KeyStore(abc.ABC):
    """Creates signing keys and hands out pyHanko signers for them."""

    @abc.abstractmethod
    def create_key(self, label: str) -> KeyHandle:
        """Generate an ECDSA P-256 key pair; ``label`` names it where the store shows names (HSM)."""

    @abc.abstractmethod
    def signer(self, reference: bytes, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> Signer:
        """Return a signer for the key behind ``reference`` with ``cert`` and its ``chain`` (root excluded).

        :raises KeyStoreUnavailable: the key cannot be used or does not belong to ``cert``.
        """


class LruCache(Generic[K, V]):
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_create(self, key: K, factory: Callable[[], V]) -> V:
        """Return the cached value for ``key``, calling ``factory`` (outside the lock) on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = factory()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._items.clear()


class PreloadedKeySigner(SimpleSigner):
    """A ``SimpleSigner`` that signs with an already parsed ECDSA key instead of re-parsing PKCS#8 each time."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> None:
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        super().__init__(
            signing_cert=to_asn1_certificate(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs([to_asn1_certificate(c) for c in chain]),
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign ``data`` with ECDSA over ``digest_algorithm`` (DER-encoded signature)."""
        return self._key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))


class EncryptedKeyStore(KeyStore):
    """Keys wrapped under a KEK; nothing is stored here, the wrapped key is the reference."""

    def __init__(self, kek: bytes, *, context: str = "wage_guard.signing.signer_key", cache_size: int = 256) -> None:
        _aead(kek)  # fail early on a malformed KEK
        self._kek = kek
        self._context = context
        self._signers: LruCache[bytes, Signer] = LruCache(cache_size)

    def create_key(self, label: str) -> KeyHandle:
        """Generate a P-256 key and return it wrapped (``label`` is not stored: the caller names the row)."""
        key = ec.generate_private_key(ec.SECP256R1())
        return KeyHandle(public_key=key.public_key(), reference=wrap_private_key(key, self._kek, self._context))

    def signer(self, reference: bytes, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> Signer:
        """Return a cached signer; unwrapping and parsing happen once per key and certificate."""
        return self._signers.get_or_create(cache_key(reference, cert, chain), lambda: self._build(reference, cert, chain))

    def _build(self, reference: bytes, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> Signer:
        key = unwrap_private_key(reference, self._kek, self._context)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise KeyStoreUnavailable("the stored signing key is not an ECDSA key")
        check_key_matches(key.public_key(), cert)
        return PreloadedKeySigner(key, cert, chain)


def cache_key(reference: bytes, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> bytes:
    """Return a digest identifying one (key, certificate, chain) combination."""
    digest = hashlib.sha256(reference)
    for certificate in (cert, *chain):
        digest.update(certificate.fingerprint(hashes.SHA256()))
    return digest.digest()


def check_key_matches(public_key: ec.EllipticCurvePublicKey, cert: x509.Certificate) -> None:
    """Refuse to sign when the stored key and the certificate do not belong together.

    :raises KeyStoreUnavailable: on a mismatch (a swapped or corrupted key reference).
    """
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if public_key.public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise KeyStoreUnavailable("the stored signing key does not belong to this certificate")


def to_asn1_certificate(cert: x509.Certificate) -> asn1_x509.Certificate:
    """Convert a ``cryptography`` certificate to the ``asn1crypto`` form pyHanko uses."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
