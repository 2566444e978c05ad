"""The signing service: signers' identities (key and certificate per person) and PAdES signing/validation.

Contract journeys, verification and evidence call this module for signatures; it is where the configuration
(key store, TSA URL) meets the pure ``pades``, ``validation`` and ``timestamps`` modules, and it turns every
signing library error into a :class:`~wage_guard.signing.failures.SigningFailed` worded for the person signing.
The platform CA's stored keys are :mod:`wage_guard.signing.ca`, its set-up :mod:`wage_guard.signing.ca_setup`,
and its revocation lists :mod:`wage_guard.signing.crls`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

import sqlalchemy as sa
from cryptography import x509

from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.settings import settings
from wage_guard.signing import pades, pki, timestamps, validation
from wage_guard.signing.ca import issuer, key_store, platform_ca
from wage_guard.signing.crls import revocation_lists
from wage_guard.signing.errors import SigningError
from wage_guard.signing.failures import SigningFailed, failure
from wage_guard.signing.models import SigningIdentity
from wage_guard.signing.reports import ValidationReport

T = TypeVar("T")


def _outside_event_loop(function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """Run pyHanko (which calls ``asyncio.run``) in a helper thread when this thread already runs an event loop,
    as under an async server or a test driving a browser; otherwise call it directly."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def pseudonym(owner_kind: str, owner_id: int) -> str:
    """An opaque, stable subject pseudonym for certificates (never the ID number)."""
    key = base64.b64decode(settings().blind_index_key)
    return hmac.new(key, f"cert:{owner_kind}:{owner_id}".encode(), hashlib.sha256).hexdigest()[:32]


def identity_for(owner_kind: str, owner_id: int, *, common_name: str, organization: str | None, now: datetime) -> SigningIdentity:
    """The signer's key and certificate, created on first signing and again after a revocation."""
    store_name = settings().key_store
    existing = db.session.scalar(
        sa.select(SigningIdentity).where(
            SigningIdentity.owner_kind == owner_kind,
            SigningIdentity.owner_id == owner_id,
            SigningIdentity.key_store == store_name,
            SigningIdentity.revoked_at.is_(None),  # a revoked certificate is never used again: a new one is made
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
        raise failure(exc) from exc
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


#: The timestamper per (TSA URL, timeout, CA): rebuilt only when one of them changes. Reusing it also keeps
#: pyHanko's cached dummy response, which sizes the signature container without a second token.
_timestampers: dict[tuple[str | None, float, int], tuple[pki.PlatformCA, timestamps.Timestamper]] = {}


def timestamper() -> timestamps.Timestamper:
    """The configured TSA (external, or the platform's embedded one), built once per process and CA."""
    config, ca = settings(), platform_ca()
    key = (config.tsa_url, config.tsa_timeout_seconds, id(ca))
    cached = _timestampers.get(key)
    if cached is None or cached[0] is not ca:
        cached = (ca, timestamps.make_timestamper(config.tsa_url, ca, timeout=config.tsa_timeout_seconds))
        _timestampers[key] = cached
    return cached[1]


@lru_cache(maxsize=1024)
def _certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


@lru_cache(maxsize=64)
def _chain(pem: str) -> tuple[x509.Certificate, ...]:
    return tuple(pki.certificates_from_pem(pem)) if pem.strip() else ()


def sign(
    pdf: bytes, identity: SigningIdentity, *, field_name: str, placement: pades.SealPlacement, reason: str, location: str
) -> bytes:
    """Add one B-T signature with a visible seal; raises :class:`SigningFailed` with the reason."""
    if identity.revoked_at is not None:  # identity_for never hands one out; this keeps any other path honest
        raise SigningFailed(_("This signing certificate has been revoked, so nothing was signed. Please try again."))
    cert, chain = _certificate(identity.cert_pem), list(_chain(identity.chain_pem))
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
        raise failure(exc) from exc


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
        raise failure(exc) from exc


def verify(pdf: bytes) -> ValidationReport:
    """Validate every signature and document timestamp against the platform roots.

    :raises signing.errors.NotAPdf: for bytes that are not a readable PDF.
    """
    ca = platform_ca()
    return _outside_event_loop(
        validation.validate_pdf,
        pdf,
        trust_roots=[ca.root_cert],
        other_certs=[ca.issuing_cert, ca.tsa_cert],
        crls=revocation_lists(clock.wallclock()),
    )
