"""Revoking a signer's certificate when their signing means are compromised.

Beijing's rules for electronic labour contracts (京人社劳发〔2020〕28号 §12) require a worker who knows that their
signing means are compromised (a lost or taken-over phone, codes or a signing link in someone else's hands) to
say so and stop using them. Here that report revokes the certificate: it is listed, with the time and the RFC 5280
reason, on the issuing CA's CRL (signed anew at once and published at the URL every certificate names), the report
is an entry in the evidence log, the worker is told by SMS, and their next signature gets a new key and
certificate (``services.identity_for`` never hands out a revoked one). Signatures timestamped before the revocation
stay valid; a later one made with the old certificate is not.

Two ways in: the worker in the portal, in a session proven by a code to their phone, or the foreman (or an
administrator) of one of the worker's projects with the worker in front of them, after checking the ID card, for a
worker who cannot use the portal (the phone is gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from cryptography import x509

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.enrollment.models import Worker
from wage_guard.errors import Conflict, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _, _l
from wage_guard.ledger import services as ledger
from wage_guard.signing import crls, pki
from wage_guard.signing.models import SigningIdentity
from wage_guard.sms import services as sms

#: The reason recorded for a reported compromise (RFC 5280 5.3.1 ``keyCompromise``).
COMPROMISE = x509.ReasonFlags.key_compromise
#: Plain words for the reasons this platform records.
REASON_LABELS = {
    COMPROMISE.value: _l("signing means compromised (keyCompromise)"),
    x509.ReasonFlags.superseded.value: _l("replaced (superseded)"),
}


@dataclass(frozen=True)
class CertificateStatus:
    """One of a person's signing certificates, as the portal and the foreman's page show it."""

    serial: str
    issued_at: datetime
    not_after: datetime
    revoked_at: datetime | None
    reason: str | None

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS.get(self.reason or "", self.reason or ""))


def certificates_of(owner_kind: str, owner_id: int) -> list[CertificateStatus]:
    """The person's certificates, newest first (the one in use, then revoked ones)."""
    identities = db.session.scalars(
        sa.select(SigningIdentity)
        .where(SigningIdentity.owner_kind == owner_kind, SigningIdentity.owner_id == owner_id)
        .order_by(SigningIdentity.id.desc())
    )
    return [_status(identity) for identity in identities]


def report_by_worker(worker: Worker, *, confirmed: bool, now: datetime) -> list[SigningIdentity]:
    """The worker, in their own portal session, reports that their signing means are compromised.

    :raises ValidationFailed: without the confirmation. :raises Conflict: when no certificate is in use.
    """
    if not confirmed:
        raise ValidationFailed(
            _("Please confirm that someone else has, or may have, used your phone, your codes or your signing link."),
            field="confirm",
        )
    return _revoke_and_tell(worker, by=f"worker:{worker.id}", now=now)


def report_in_person(actor: User, worker: Worker, *, seen_id_card: bool, now: datetime) -> list[SigningIdentity]:
    """A foreman or administrator reports it for the worker standing with them, after checking the ID card.

    :raises ValidationFailed: without the ID-card confirmation. :raises Conflict: when no certificate is in use.
    """
    if not seen_id_card:
        raise ValidationFailed(
            _("Please confirm that you have seen this person's ID card and that it matches."), field="seen_id_card"
        )
    return _revoke_and_tell(worker, by=f"staff:{actor.id}", now=now)


def revoke(
    owner_kind: str, owner_id: int, *, by: str, now: datetime, reason: x509.ReasonFlags = COMPROMISE
) -> list[SigningIdentity]:
    """Revoke every certificate of the owner still in use, renew the CRL and log each revocation.

    The revocation time is the real clock (which timestamps follow) in whole seconds, rounded up as the CRL states
    it (``pki.crl_time``), so a signature timestamped before this call stays valid.

    :raises Conflict: when the owner has no certificate in use.
    """
    identities = list(
        db.session.scalars(
            sa.select(SigningIdentity)
            .where(
                SigningIdentity.owner_kind == owner_kind,
                SigningIdentity.owner_id == owner_id,
                SigningIdentity.revoked_at.is_(None),
            )
            .order_by(SigningIdentity.id)
        )
    )
    if not identities:
        raise Conflict(
            _("There is no signing certificate in use to revoke. A new one is made for the next signature in any case.")
        )
    revoked_at = pki.crl_time(clock.wallclock())
    for identity in identities:
        identity.revoked_at, identity.revocation_reason, identity.revoked_by = revoked_at, reason.value, by
    db.session.flush()
    crls.renew_issuing_crl()
    for identity in identities:
        ledger.append(
            "certificate_revoked",
            f"{owner_kind}:{owner_id}",
            {
                "serial": _serial(identity),
                "reason": reason.value,
                "revoked_at": revoked_at.isoformat(),
                "by": by,
                "crl": "issuing",
            },
            now=now,
        )
    return identities


def _revoke_and_tell(worker: Worker, *, by: str, now: datetime) -> list[SigningIdentity]:
    identities = revoke("worker", worker.id, by=by, now=now)
    revoked_at = identities[0].revoked_at
    assert revoked_at is not None
    when = clock.as_utc(revoked_at).astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")
    sms.queue_sms(worker.phone, "certificate_revoked", time=when)
    return identities


def _serial(identity: SigningIdentity) -> str:
    return format(x509.load_pem_x509_certificate(identity.cert_pem.encode()).serial_number, "X")


def _status(identity: SigningIdentity) -> CertificateStatus:
    return CertificateStatus(
        serial=_serial(identity),
        issued_at=identity.created_at,
        not_after=identity.not_after,
        revoked_at=identity.revoked_at,
        reason=identity.revocation_reason,
    )
