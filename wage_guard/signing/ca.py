"""The platform CA as stored: its row, its online keys (wrapped under the KEK or in the HSM) and what they serve.

Every signing service starts here: :func:`platform_ca` loads the issuing CA and TSA keys once per process,
:func:`key_store` hands out signers' keys, and :func:`create_platform_ed25519_key` / :func:`platform_ed25519_key`
keep other platform keys (the evidence log's) where ``KEY_STORE`` says. Configuration (KEK, key store, PKCS#11
settings, public base URL) meets the pure ``pki`` and ``keystore`` modules here. Setting the CA up and its offline
root key are :mod:`wage_guard.signing.ca_setup`.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wage_guard import links
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.settings import settings
from wage_guard.signing import pki
from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.failures import SigningFailed, failure
from wage_guard.signing.keystore import EncryptedKeyStore, KeyStore, unwrap_private_key, wrap_private_key
from wage_guard.signing.models import SigningAuthority

if TYPE_CHECKING:
    from wage_guard.signing.pkcs11 import Pkcs11KeyStore


def key_encryption_key() -> bytes:
    """The KEK (``KEY_ENCRYPTION_KEY``) that wraps the online keys kept in the database."""
    return base64.b64decode(settings().key_encryption_key)


def stored_authority() -> SigningAuthority:
    """The platform CA's row.

    :raises SigningFailed: signing is not set up yet.
    """
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    if authority is None:
        raise SigningFailed(_("Signing is not set up yet: an administrator must run 'flask signing init-ca'."))
    return authority


def platform_ca() -> pki.PlatformCA:
    """The CA with usable issuing and TSA keys (cached per process and authority row); never the root key.

    :raises SigningFailed: not set up yet, or its keys cannot be used (wrong KEK, HSM unavailable).
    """
    authority = stored_authority()
    try:
        if authority.key_store == "pkcs11":
            return _load_hsm_ca(authority.id, authority.issuing_cert_pem, _pkcs11_settings())
        return _load_ca(authority.id, authority.issuing_cert_pem, key_encryption_key())
    except KeyStoreUnavailable as exc:
        raise failure(exc) from exc


@cache
def _load_ca(authority_id: int, issuing_pem: str, kek: bytes) -> pki.PlatformCA:
    authority = db.session.get(SigningAuthority, authority_id)
    assert authority is not None
    stored = pki.StoredCA(
        root_cert_pem=authority.root_cert_pem,
        issuing_cert_pem=issuing_pem,
        tsa_cert_pem=authority.tsa_cert_pem,
        issuing_key=authority.issuing_key,
        tsa_key=authority.tsa_key,
    )
    return pki.PlatformCA.load(stored, kek)


@cache
def _load_hsm_ca(authority_id: int, issuing_pem: str, settings: tuple[str, str | None, str | None]) -> pki.PlatformCA:
    authority = db.session.get(SigningAuthority, authority_id)
    assert authority is not None
    token = _pkcs11_store(*settings)
    return pki.PlatformCA(
        root_cert=x509.load_pem_x509_certificate(authority.root_cert_pem.encode()),
        issuing_cert=x509.load_pem_x509_certificate(issuing_pem.encode()),
        issuing_key=token.ec_private_key(authority.issuing_key),
        tsa_cert=x509.load_pem_x509_certificate(authority.tsa_cert_pem.encode()),
        tsa_key=token.ec_private_key(authority.tsa_key),
    )


def issuer() -> pki.CertificateIssuer:
    """The certificate issuer: the platform CA (a licensed CA can be plugged in here)."""
    return pki.PlatformIssuer(platform_ca(), crl_url=crl_url("issuing"))


def crl_url(name: str) -> str | None:
    """The public URL of a CRL (``/pki/crl/<name>.crl``) for certificates' CRL distribution points.

    Under ``PUBLIC_BASE_URL`` when set, else the request's host; None outside a request without a base URL (the
    certificate then names no distribution point: a wrong address would stay in it for years).
    """
    return links.public_url("pki.crl", name=name) if links.public_base_url() else None


def trust_roots() -> list[x509.Certificate]:
    return issuer().trust_roots()


def root_certificate() -> x509.Certificate | None:
    """The platform root certificate as stored (no key is unwrapped: it is public), or None before ``init-ca``.

    Its fingerprint is published and evidence packages are compared with it (``ledger verify-package``)."""
    pem = db.session.scalar(sa.select(SigningAuthority.root_cert_pem).order_by(SigningAuthority.id).limit(1))
    return None if pem is None else x509.load_pem_x509_certificate(pem.encode())


def key_store() -> KeyStore:
    """The configured key store: keys wrapped in the database, or the PKCS#11 HSM."""
    if settings().key_store == "pkcs11":
        return hsm()
    return _encrypted_store(key_encryption_key())


def hsm() -> Pkcs11KeyStore:
    """The configured PKCS#11 token (``PKCS11_MODULE``, ``PKCS11_TOKEN_LABEL``, ``PKCS11_USER_PIN``)."""
    return _pkcs11_store(*_pkcs11_settings())


def _pkcs11_settings() -> tuple[str, str | None, str | None]:
    config = settings()
    return config.pkcs11_module, config.pkcs11_token_label, config.pkcs11_user_pin


def create_platform_ed25519_key(label: str, *, context: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """A new Ed25519 key for a platform service (the evidence log) where ``KEY_STORE`` says: in the HSM, or
    wrapped under the KEK with ``context``. Returns the store's name, the reference to keep and the public key.

    :raises KeyStoreUnavailable: the HSM could not be used.
    """
    if settings().key_store == "pkcs11":
        reference, public_key = hsm().create_ed25519_key(label)
        return "pkcs11", reference, public_key
    key = Ed25519PrivateKey.generate()
    return "encrypted", wrap_private_key(key, key_encryption_key(), context), key.public_key()


def platform_ed25519_key(store_name: str, reference: bytes, *, context: str) -> Ed25519PrivateKey:
    """The key behind a reference from :func:`create_platform_ed25519_key` (on the token, or unwrapped).

    :raises KeyStoreUnavailable: HSM unavailable, key missing, wrong KEK or not an Ed25519 key.
    """
    if store_name == "pkcs11":
        return hsm().ed25519_private_key(reference)
    key = unwrap_private_key(reference, key_encryption_key(), context)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreUnavailable("the stored platform key is not an Ed25519 key")
    return key


@cache
def _encrypted_store(kek: bytes) -> EncryptedKeyStore:
    return EncryptedKeyStore(kek)


@cache
def _pkcs11_store(module: str, label: str | None, pin: str | None) -> Pkcs11KeyStore:
    from wage_guard.signing.pkcs11 import Pkcs11KeyStore  # python-pkcs11 is loaded only when an HSM is configured

    return Pkcs11KeyStore(module, label or "", pin or "")
