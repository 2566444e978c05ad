"""The platform root key's offline file: write it encrypted, open it, and check it is this root's key.

The root key signs only the issuing CA's certificate and the root CRL (every two years), so it never enters the
database: :func:`wage_guard.signing.pki.create_platform_ca` hands it back once, :func:`root_key_file` encrypts it
under a passphrase for offline keeping, and :func:`load_root_key` reads it back for a CRL renewal, refusing a key
that is not this root's. :func:`unwrap_legacy_root_key` moves a root key that older versions kept in the database
(wrapped under the KEK) out to such a file. Wrapped under the same KEK as the online keys, one leaked KEK plus a
database copy would let anyone mint a second, fully trusted issuing CA.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from wage_guard.signing.errors import KeyMismatch
from wage_guard.signing.keystore import decrypt_key_file, encrypt_key_file
from wage_guard.signing.pki import unwrap_platform_key


def root_key_file(root_key: ec.EllipticCurvePrivateKey, passphrase: str) -> bytes:
    """Return the root key as a passphrase-encrypted PKCS#8 PEM file for offline keeping."""
    return encrypt_key_file(root_key, passphrase)


def load_root_key(data: bytes, passphrase: str, root_cert: x509.Certificate) -> ec.EllipticCurvePrivateKey:
    """Open the offline root key file and check that it is the key of ``root_cert``.

    :raises KeyFileUnreadable: not an encrypted key file.
    :raises WrongPassphrase: the passphrase does not open it.
    :raises KeyMismatch: the file holds some other key (another installation's root, an issuing key).
    """
    key = decrypt_key_file(data, passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not _same_public_key(key.public_key(), root_cert):
        raise KeyMismatch("the key in this file does not belong to this platform's root certificate")
    return key


def unwrap_legacy_root_key(blob: bytes, kek: bytes, root_cert: x509.Certificate) -> ec.EllipticCurvePrivateKey:
    """Unwrap a root key that an older version stored in the database (under the KEK), to move it offline.

    :raises KeyStoreUnavailable: wrong KEK or a damaged blob.
    :raises KeyMismatch: the stored key is not this root's.
    """
    key = unwrap_platform_key(blob, kek, "root")
    if not _same_public_key(key.public_key(), root_cert):
        raise KeyMismatch("the root key stored in the database does not belong to the root certificate")
    return key


def _same_public_key(public_key: ec.EllipticCurvePublicKey, certificate: x509.Certificate) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(*spki) == certificate.public_key().public_bytes(*spki)
