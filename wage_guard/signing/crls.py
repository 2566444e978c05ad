"""The platform's certificate revocation lists: renewing, storing and publishing them.

The issuing CA's CRL lists every revoked signer certificate and is signed anew on each revocation and by the
scheduler before it runs out; any use renews it when it is nearly over, so a stopped scheduler cannot make every
contract unverifiable (a stale CRL proves nothing about today). The root's CRL is signed only where the offline
root key is kept (:func:`wage_guard.signing.ca_setup.reissue_root_crl`). Both are published at
``/pki/crl/<name>.crl``, the address certificates name (:func:`wage_guard.signing.ca.crl_url`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from wage_guard import clock
from wage_guard.errors import NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.signing import pki
from wage_guard.signing.ca import platform_ca, stored_authority
from wage_guard.signing.failures import SigningFailed
from wage_guard.signing.models import SigningAuthority, SigningIdentity

log = logging.getLogger(__name__)
#: The CRLs published at ``/pki/crl/<name>.crl`` and named in certificates' CRL distribution points.
CRL_NAMES = ("issuing", "root")
#: The issuing CA's CRL lasts ``pki.CRL_VALIDITY`` (30 days). The scheduler renews it once less than this is left;
#: any use renews it when less than :data:`CRL_RENEW_ON_USE` is left, so a stopped scheduler cannot make every
#: contract unverifiable (a stale CRL proves nothing about today).
CRL_RENEW_BY_SCHEDULER = timedelta(days=15)
CRL_RENEW_ON_USE = timedelta(days=1)


def revocation_lists(now: datetime) -> list[x509.CertificateRevocationList]:
    """The platform's current CRLs: the issuing CA's (as published) and the root's."""
    authority = stored_authority()
    root_crl = x509.load_pem_x509_crl(authority.root_crl_pem.encode())
    return [issuing_crl(), root_crl]


def revoked_entries(ca: pki.PlatformCA) -> list[pki.RevokedEntry]:
    """Every revoked signer certificate of the issuing CA, with its time and reason, for its CRL."""
    rows = db.session.execute(
        sa.select(SigningIdentity.cert_pem, SigningIdentity.revoked_at, SigningIdentity.revocation_reason)
        .where(SigningIdentity.revoked_at.is_not(None))
        .order_by(SigningIdentity.id)
    )
    entries = []
    for cert_pem, revoked_at, reason in rows:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
        if revoked_at is not None and cert.issuer == ca.issuing_cert.subject:
            flag = x509.ReasonFlags(reason) if reason else None
            entries.append(pki.RevokedEntry(cert.serial_number, clock.as_utc(revoked_at), flag))
    return entries


def renew_issuing_crl() -> x509.CertificateRevocationList:
    """Sign the issuing CA's CRL now, listing every revoked certificate, and store it (the caller commits).

    The authority row is locked first, so two revocations at once cannot each publish a list without the other.
    """
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1).with_for_update())
    if authority is None:
        raise SigningFailed(_("Signing is not set up yet: an administrator must run 'flask signing init-ca'."))
    ca = platform_ca()
    crl = pki.issue_crl(ca, revoked_entries(ca), clock.wallclock())
    authority.issuing_crl_pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    db.session.flush()
    return crl


def issuing_crl(*, renew_within: timedelta = CRL_RENEW_ON_USE) -> x509.CertificateRevocationList:
    """The issuing CA's stored CRL, renewed first when there is none or less than ``renew_within`` is left."""
    pem = stored_authority().issuing_crl_pem
    crl = None if pem is None else x509.load_pem_x509_crl(pem.encode())
    next_update = None if crl is None else crl.next_update_utc
    if next_update is None or next_update - clock.wallclock() < renew_within:
        crl = renew_issuing_crl()
    assert crl is not None
    return crl


def renew_crls_when_due() -> dict[str, str]:
    """The scheduler's CRL upkeep: renew the issuing CA's CRL once less than half its life is left, and warn while
    the root CRL (signed only where the offline root key is kept) has under 60 days to run.

    Returns the next update of each CRL (ISO 8601) for the job log; nothing when signing is not set up.
    """
    if db.session.scalar(sa.select(SigningAuthority.id).limit(1)) is None:
        return {}
    issuing = issuing_crl(renew_within=CRL_RENEW_BY_SCHEDULER)
    root = x509.load_pem_x509_crl(stored_authority().root_crl_pem.encode())
    if root.next_update_utc is not None and root.next_update_utc - clock.wallclock() < timedelta(days=60):
        log.error(
            "the root CRL ends on %s: renew it where the root key file is kept"
            " (flask signing reissue-root-crl --root-key-file PATH)",
            root.next_update_utc.isoformat(),
        )
    return {
        name: "" if crl.next_update_utc is None else crl.next_update_utc.isoformat()
        for name, crl in (("issuing", issuing), ("root", root))
    }


def crl_der(name: str) -> bytes:
    """The current CRL called ``name`` (:data:`CRL_NAMES`) in DER, as published.

    :raises NotFound: for another name, or before the platform CA is set up.
    """
    if name not in CRL_NAMES or db.session.scalar(sa.select(SigningAuthority.id).limit(1)) is None:
        raise NotFound(_("There is no such revocation list."))
    if name == "issuing":
        crl = issuing_crl()
    else:
        crl = x509.load_pem_x509_crl(stored_authority().root_crl_pem.encode())
    return crl.public_bytes(serialization.Encoding.DER)
