"""The signing service: the platform CA in the database, signers' identities, and PAdES signing/validation.

Views and contract journeys call this module; it is the only caller of the pure ``pki``, ``keystore``,
``pkcs11``, ``timestamps`` and ``pades`` modules, and it is where configuration (KEK, key store, TSA URL)
meets them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cache
from typing import TypeVar

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import current_app

from wage_guard import clock
from wage_guard.errors import WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.signing import pades, pki, timestamps
from wage_guard.signing.errors import KeyStoreUnavailable, SigningError, TimestampUnavailable
from wage_guard.signing.keystore import EncryptedKeyStore, KeyStore
from wage_guard.signing.models import SigningAuthority, SigningIdentity

log = logging.getLogger(__name__)
T = TypeVar("T")
#: The root CRL is signed with the root key at set-up and lasts two years; ``flask signing reissue-root-crl`` renews it.
ROOT_CRL_VALIDITY = timedelta(days=730)


class SigningFailed(WageGuardError):
    """Signing could not be completed; nothing was stored. ``message`` says why in the user's language."""

    status = 503


def _failure(exc: SigningError) -> SigningFailed:
    """A message for the person signing, in their language and without internals; the details go to the log.

    The reason of a signing error can name the timestamp authority's internal address or the HSM's library:
    operators need it, the worker at the signing page must never see it.
    """
    log.warning("signing failed (%s): %s", type(exc).__name__, exc.reason)
    if isinstance(exc, TimestampUnavailable):
        return SigningFailed(
            _(
                "The trusted time service could not be reached, so nothing was signed. "
                "Please try again in a few minutes; your link still works."
            )
        )
    if isinstance(exc, KeyStoreUnavailable):
        return SigningFailed(
            _(
                "The signing service is not available right now, so nothing was signed. "
                "Please try again later; your link still works."
            )
        )
    return SigningFailed(_("Signing failed and nothing was saved. Please try again; if it fails again, tell the site office."))


def _outside_event_loop(function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """Run pyHanko (which calls ``asyncio.run``) in a helper thread when this thread already runs an event loop,
    as under an async server or a test driving a browser; otherwise call it directly."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _kek() -> bytes:
    return base64.b64decode(current_app.config["KEY_ENCRYPTION_KEY"])


def init_authority(*, now: datetime) -> tuple[SigningAuthority, bool]:
    """Create the platform CA (root, issuing CA, TSA) once; returns it and whether it was created now."""
    existing = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    if existing is not None:
        return existing, False
    # Certificates and CRLs follow the real clock, which validators use, whatever the business clock says.
    ca = pki.create_platform_ca("wage_guard", now=clock.wallclock())
    stored = ca.export(_kek(), include_root_key=True)
    root_crl = pki.issue_crl(ca, [], clock.wallclock(), issuer="root", next_update=ROOT_CRL_VALIDITY)
    authority = SigningAuthority(
        root_cert_pem=stored.root_cert_pem,
        issuing_cert_pem=stored.issuing_cert_pem,
        tsa_cert_pem=stored.tsa_cert_pem,
        root_key=stored.root_key,
        root_crl_pem=root_crl.public_bytes(serialization.Encoding.PEM).decode(),
        issuing_key=stored.issuing_key,
        tsa_key=stored.tsa_key,
        created_at=now,
    )
    db.session.add(authority)
    db.session.flush()
    return authority, True


def reissue_root_crl() -> SigningAuthority:
    """Sign a fresh root CRL with the stored root key (run where the root key is kept, before the old one ends)."""
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    if authority is None or authority.root_key is None:
        raise SigningFailed(_("The root key is not available here; issue the root CRL where it is kept."))
    stored = pki.StoredCA(
        root_cert_pem=authority.root_cert_pem,
        issuing_cert_pem=authority.issuing_cert_pem,
        tsa_cert_pem=authority.tsa_cert_pem,
        issuing_key=authority.issuing_key,
        tsa_key=authority.tsa_key,
        root_key=authority.root_key,
    )
    crl = pki.issue_crl(pki.PlatformCA.load(stored, _kek()), [], clock.wallclock(), issuer="root", next_update=ROOT_CRL_VALIDITY)
    authority.root_crl_pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    db.session.flush()
    return authority


def platform_ca() -> pki.PlatformCA:
    """The CA with its keys unwrapped (cached per process and authority row)."""
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    if authority is None:
        raise SigningFailed(_("Signing is not set up yet: an administrator must run 'flask signing init-ca'."))
    return _load_ca(authority.id, authority.issuing_cert_pem, _kek())


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
        root_key=None,
    )
    return pki.PlatformCA.load(stored, kek)


def issuer() -> pki.CertificateIssuer:
    """The certificate issuer: the platform CA (a licensed CA can be plugged in here)."""
    return pki.PlatformIssuer(platform_ca())


def trust_roots() -> list[x509.Certificate]:
    return issuer().trust_roots()


def key_store() -> KeyStore:
    """The configured key store: keys wrapped in the database, or the PKCS#11 HSM."""
    config = current_app.config
    if config["KEY_STORE"] == "pkcs11":
        return _pkcs11_store(config["PKCS11_MODULE"], config["PKCS11_TOKEN_LABEL"], config["PKCS11_USER_PIN"])
    return _encrypted_store(_kek())


@cache
def _encrypted_store(kek: bytes) -> EncryptedKeyStore:
    return EncryptedKeyStore(kek)


@cache
def _pkcs11_store(module: str, label: str | None, pin: str | None) -> KeyStore:
    from wage_guard.signing.pkcs11 import Pkcs11KeyStore

    return Pkcs11KeyStore(module, label or "", pin or "")


def pseudonym(owner_kind: str, owner_id: int) -> str:
    """An opaque, stable subject pseudonym for certificates (never the ID number)."""
    key = base64.b64decode(current_app.config["BLIND_INDEX_KEY"])
    return hmac.new(key, f"cert:{owner_kind}:{owner_id}".encode(), hashlib.sha256).hexdigest()[:32]


def identity_for(owner_kind: str, owner_id: int, *, common_name: str, organization: str | None, now: datetime) -> SigningIdentity:
    """The signer's key and certificate, created on first signing."""
    store_name = current_app.config["KEY_STORE"]
    existing = db.session.scalar(
        sa.select(SigningIdentity).where(
            SigningIdentity.owner_kind == owner_kind,
            SigningIdentity.owner_id == owner_id,
            SigningIdentity.key_store == store_name,
        )
    )
    if existing is not None:
        return existing
    try:
        handle = key_store().create_key(f"{owner_kind}-{owner_id}")
        subject = pki.PersonSubject(
            common_name=common_name,
            role=owner_kind,  # type: ignore[arg-type]
            pseudonym=pseudonym(owner_kind, owner_id),
            organization=organization,
        )
        chain = issuer().issue(handle.public_key, subject, clock.wallclock())
    except SigningError as exc:
        raise _failure(exc) from exc
    identity = SigningIdentity(
        owner_kind=owner_kind,
        owner_id=owner_id,
        key_store=store_name,
        key_reference=handle.reference,
        cert_pem=pki.certificate_to_pem(chain[0]),
        chain_pem=pki.certificates_to_pem(chain[1:]),
        not_after=chain[0].not_valid_after_utc,
        created_at=now,
    )
    db.session.add(identity)
    db.session.flush()
    return identity


def timestamper() -> timestamps.Timestamper:
    return timestamps.make_timestamper(
        current_app.config.get("TSA_URL"), platform_ca(), timeout=current_app.config["TSA_TIMEOUT_SECONDS"]
    )


def sign(
    pdf: bytes, identity: SigningIdentity, *, field_name: str, placement: pades.SealPlacement, reason: str, location: str
) -> bytes:
    """Add one B-T signature with a visible seal; raises :class:`SigningFailed` with the reason."""
    cert = x509.load_pem_x509_certificate(identity.cert_pem.encode())
    chain = pki.certificates_from_pem(identity.chain_pem) if identity.chain_pem.strip() else []
    try:
        signer = key_store().signer(identity.key_reference, cert, chain)
        return _outside_event_loop(
            pades.sign_pdf,
            pdf,
            signer=signer,
            timestamper=timestamper(),
            field_name=field_name,
            placement=placement,
            reason=reason,
            location=location,
        )
    except SigningError as exc:
        raise _failure(exc) from exc


def revocation_lists(now: datetime) -> list[x509.CertificateRevocationList]:
    """The issuing CA's CRL (fresh, signed now) and the root's stored CRL."""
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    assert authority is not None
    root_crl = x509.load_pem_x509_crl(authority.root_crl_pem.encode())
    return [pki.issue_crl(platform_ca(), [], clock.wallclock()), root_crl]


def complete(pdf: bytes, *, now: datetime) -> bytes:
    """Add validation data and a document timestamp (B-LTA) once the last party has signed."""
    ca = platform_ca()
    try:
        return _outside_event_loop(
            pades.complete_lta,
            pdf,
            trust_roots=[ca.root_cert],
            other_certs=[ca.issuing_cert, ca.tsa_cert],
            crls=revocation_lists(now),
            timestamper=timestamper(),
        )
    except SigningError as exc:
        raise _failure(exc) from exc


def verify(pdf: bytes) -> pades.ValidationReport:
    """Validate every signature and document timestamp against the platform roots.

    :raises signing.errors.NotAPdf: for bytes that are not a readable PDF.
    """
    ca = platform_ca()
    return _outside_event_loop(
        pades.validate_pdf,
        pdf,
        trust_roots=[ca.root_cert],
        other_certs=[ca.issuing_cert, ca.tsa_cert],
        crls=revocation_lists(clock.wallclock()),
    )
