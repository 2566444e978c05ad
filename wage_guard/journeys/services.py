"""The signing journeys behind SMS links: the employer seals a batch, then each worker signs their contract.

Every step needs the link's secret; signing also needs a fresh SMS code bound to this contract (or batch)
and, for workers, the acknowledged notice. The link is claimed with a conditional UPDATE before anything is
signed, so a double submit or two concurrent requests produce exactly one signature; a failure rolls the
claim back with everything else.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa

from wage_guard import boundary, clock, links
from wage_guard.accounts.models import Role, User
from wage_guard.codes import services as codes
from wage_guard.contracts import lifecycle, notices
from wage_guard.contracts import records as contracts
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import NOTICE_SEALED, WORKER_SIGNED, Contract, SigningLink
from wage_guard.documents import previews, seals
from wage_guard.errors import Conflict, Gone, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.journeys import links as signing_links
from wage_guard.journeys import long_term
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Employer
from wage_guard.settings import settings
from wage_guard.signing import services as signing
from wage_guard.signing.models import SigningIdentity
from wage_guard.signing.pades import SealPlacement
from wage_guard.sms import services as sms

WORKER, EMPLOYER = signing_links.WORKER, signing_links.EMPLOYER
#: Printed seal widths in PDF points: a 40 mm round company seal and a 20 mm square personal seal.
SEAL_WIDTH_PT = {EMPLOYER: 40 / 25.4 * 72, WORKER: 20 / 25.4 * 72}


@dataclass(frozen=True)
class Placement:
    """Where the signer dropped the seal: a page and a box as fractions of the page (origin top-left)."""

    page: int
    fx: float
    fy: float
    fw: float
    fh: float


def employer_signatory(employer: Employer) -> User:
    """The employer administrator authorised to seal, who receives the sealing link and code."""
    query = (
        sa.select(User)
        .where(
            User.employer_id == employer.id, User.role == Role.EMPLOYER_ADMIN, User.can_seal.is_(True), User.is_enabled.is_(True)
        )
        .order_by(User.id)
    )
    for user in db.session.scalars(query):
        if user.phone:
            return user
    raise ValidationFailed(
        _(
            "%(employer)s has no administrator authorised to apply the company seal with a verified "
            "phone number. Ask an administrator to set one up.",
            employer=employer.name,
        )
    )


def code_phone(link: SigningLink) -> str:
    if link.party == WORKER:
        assert link.contract is not None
        return link.contract.worker.phone
    signatory = db.session.get(User, link.signatory_id)
    if signatory is None or not signatory.phone or not signatory.is_enabled:
        raise Gone(_("The person this link was sent to can no longer seal for the employer."))
    return signatory.phone


def holder_version(link: SigningLink) -> int:
    """The session version of the person the link's codes go to (the worker, or the employer's signatory).

    A signing session remembers it when the code is confirmed: a change of that person's phone raises it
    (``accounts.sessions``), so whoever confirmed a code on the old phone can no longer sign or seal.
    """
    if link.party == WORKER:
        assert link.contract is not None
        return link.contract.worker.session_version or 0
    signatory = db.session.get(User, link.signatory_id)
    return (signatory.session_version or 0) if signatory is not None else -1


def _purpose(link: SigningLink) -> str:
    return f"sign:contract:{link.contract_id}" if link.party == WORKER else f"seal:batch:{link.batch_id}"


def _person(link: SigningLink) -> str:
    """Whose identity the signing code proves (the worker, or the employer's signatory), for the code trail."""
    if link.party == WORKER:
        assert link.contract is not None
        return f"worker:{link.contract.worker_id}"
    return f"staff:{link.signatory_id}"


def _actor(link: SigningLink) -> str:
    if link.party == WORKER:
        assert link.contract is not None
        return f"worker:{link.contract.worker_id}"
    return f"employer:{link.signatory_id}"


def _record_all(link: SigningLink, kind: str, now: datetime, requester: codes.Requester, **details: object) -> None:
    pending = signing_links.pending_contracts(link)
    contracts.record_many(
        pending, kind, _actor(link), now, ip_address=requester.ip_address, user_agent=requester.user_agent, **details
    )


def send_code(link: SigningLink, *, now: datetime, requester: codes.Requester) -> None:
    """Text a fresh code bound to this contract (worker) or batch (employer)."""
    template = "sign_code" if link.party == WORKER else "seal_code"  # the employer's signatory gets their own words
    codes.send_code(_purpose(link), code_phone(link), now=now, requester=requester, person=_person(link), sms_template=template)
    _record_all(link, "code_sent", now, requester)


def verify_code(link: SigningLink, code: str, *, now: datetime, requester: codes.Requester) -> None:
    """Check the code; a code for another contract or purpose never matches."""
    codes.check_code(_purpose(link), code_phone(link), code, now=now, requester=requester, person=_person(link))
    _record_all(link, "code_verified", now, requester)


def record_view(link: SigningLink, kind: str, *, now: datetime, requester: codes.Requester, **details: object) -> None:
    """Log that the signer was shown the notice or the contract pages."""
    _record_all(link, kind, now, requester, **details)


def acknowledge_notice(link: SigningLink, *, now: datetime, requester: codes.Requester) -> None:
    _record_all(link, "notice_acknowledged", now, requester)


def refuse(link: SigningLink, reason: str, *, now: datetime, requester: codes.Requester) -> Contract:
    """The worker declines to sign, with a reason the foreman sees."""
    reason = " ".join(reason.split())
    if not 2 <= len(reason) <= 500:
        raise ValidationFailed(
            _("Please tell us in a few words why you do not want to sign (at most 500 characters)."), field="reason"
        )
    contract = _claim_single(link, now)
    contracts.transition(contract, lifecycle.Event.WORKER_REFUSED, now=now)
    contract.refused_at, contract.refusal_reason = now, reason
    contracts.record(contract, "refused", _actor(link), now, ip_address=requester.ip_address, user_agent=requester.user_agent)
    return contract


def sign_as_worker(
    link: SigningLink,
    placement: Placement,
    *,
    now: datetime,
    requester: codes.Requester,
    verified_at: float | None,
    acknowledged_at: float | None,
) -> Contract:
    """Sign the worker's contract with their own key where they dropped their seal (B-T, complete and valid); a
    job adds the long-term validation data (B-LTA) right after (``journeys.long_term``)."""
    _require_fresh(verified_at, now)
    if acknowledged_at is None:
        raise ValidationFailed(_("Please read and acknowledge the notice before signing."))
    contract = _claim_single(link, now)
    worker = contract.worker
    identity = signing.identity_for("worker", worker.id, common_name=worker.name, organization=None, now=now)
    seal = _dated(_worker_seal(worker.name), clock.china_date(now))
    _sign_one(contract, link, identity, placement, seal, now=now, requester=requester, party=WORKER)
    sms.queue_sms(worker.phone, "signed", number=contract.number, url=links.public_url("portal.start"))
    contracts.record(contract, "completion_sms_queued", "system", now)
    # Signed right after the commit, once the sequencer has put the signing into the log: not in this transaction,
    # where concurrent signings would wait for each other on the tree head of the same size.
    boundary.after_commit(lambda: ledger.publish_tree_head(now=clock.utcnow()))
    return contract


def begin_sealing(link: SigningLink, placement: Placement, *, now: datetime, verified_at: float | None) -> list[Contract]:
    """Accept the signatory's seal for the batch: a fresh code, a place wholly on the page, and the link used up
    (exactly one of two concurrent requests). Returns the contracts to seal, each with ``seal_one``, in this
    request or in the batch job (``batches.kinds``).
    """
    _require_fresh(verified_at, now)
    sealable = signing_links.pending_contracts(link)
    if not sealable:
        raise Gone(_("There is nothing left to sign with this link."))
    _box(sealable[0].current_document.pdf, placement)  # the batch shares one layout; each is checked again
    _claim(link, now)
    return sealable


def seal_one(link: SigningLink, contract: Contract, placement: Placement, *, now: datetime, requester: codes.Requester) -> None:
    """Apply the company seal to one contract of the batch at the chosen place, then text the worker a link (a
    notice is complete with the seal and delivered instead).

    :raises Conflict: the contract no longer waits for the seal (withdrawn since).
    """
    if contract.status is not Status.AWAITING_EMPLOYER:
        raise Conflict(
            _(
                "Contract %(number)s no longer waits for the company seal: it is %(status)s.",
                number=contract.number,
                status=contract.status.label,
            )
        )
    employer = contract.employer
    identity = signing.identity_for("employer", employer.id, common_name=employer.name, organization=employer.name, now=now)
    image = _dated(_company_seal(employer.name), clock.china_date(now))
    _sign_one(contract, link, identity, placement, image, now=now, requester=requester, party=EMPLOYER)
    if contract.status is Status.SERVED:
        notices.served(contract, now=now)
    else:
        signing_links.send_worker_link(contract, now=now)


#: Per party: the signature field, the reason written into the signature, the stage stored, the lifecycle event.
_SIGNING_STEPS = {
    WORKER: ("worker", "乙方（劳动者）签署", WORKER_SIGNED, lifecycle.Event.WORKER_SIGNED, "worker_signed"),
    EMPLOYER: ("employer", "甲方（用人单位）盖章", "employer_sealed", lifecycle.Event.EMPLOYER_SEALED, "employer_sealed"),
}


def _sign_one(
    contract: Contract,
    link: SigningLink,
    identity: SigningIdentity,
    placement: Placement,
    seal: bytes,
    *,
    now: datetime,
    requester: codes.Requester,
    party: str,
) -> None:
    """Sign one contract where the seal was dropped, store the new version and log it (the worker's completes it)."""
    field_name, reason, stage, event, logged_as = _SIGNING_STEPS[party]
    before = contract.current_document
    box = _box(before.pdf, placement)
    signed = signing.sign(
        before.pdf,
        identity,
        field_name=field_name,
        reason=reason,
        location=contract.project.name,
        placement=SealPlacement(placement.page, box, seal),
    )
    last = party == WORKER or contract.kind.is_notice
    if last and party == EMPLOYER:
        stage = NOTICE_SEALED
    document = contracts.add_document(contract, stage, signed, now)
    if last:  # complete and valid at B-T now; the long-term validation data (B-LTA) follows from a job
        long_term.queue(contract, document, now=now)
    contracts.transition(contract, event, now=now)
    if party == WORKER:
        contract.worker_signed_at = now
    else:
        contract.employer_signed_at = now
    contracts.record(
        contract,
        logged_as,
        _actor(link),
        now,
        ip_address=requester.ip_address,
        user_agent=requester.user_agent,
        page=placement.page,
        box=[round(v, 2) for v in box],
        document_sha256_before=before.sha256,
        document_sha256_after=document.sha256,
        method="sms_code+drag_seal+pades_b_t+rfc3161",
        timestamp_authority=_tsa_name(),
        certificate_sha256=_fingerprint(identity.cert_pem),
    )


def _tsa_name() -> str:
    url = settings().tsa_url
    return "embedded" if not url else str(url).split("/")[2]


def _fingerprint(cert_pem: str) -> str:
    return hashlib.sha256(cert_pem.encode()).hexdigest()


def _require_fresh(verified_at: float | None, now: datetime) -> None:
    ttl = settings().signing_session_ttl.total_seconds()
    if verified_at is None or now.timestamp() - verified_at > ttl:
        raise ValidationFailed(_("Please confirm with a new text-message code before signing."), field="code")


def _claim(link: SigningLink, now: datetime) -> None:
    """Mark the link used; exactly one of several concurrent requests succeeds."""
    result = db.session.execute(
        sa.update(SigningLink)
        .where(SigningLink.id == link.id, SigningLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("This contract has already been signed with this link."))


def _claim_single(link: SigningLink, now: datetime) -> Contract:
    _claim(link, now)
    db.session.refresh(link)
    assert link.contract is not None
    db.session.refresh(link.contract)
    if link.contract.status is not Status.AWAITING_WORKER:
        raise Conflict(_("This contract can no longer be signed: it is %(status)s.", status=link.contract.status.label))
    return link.contract


def _box(pdf: bytes, placement: Placement) -> tuple[float, float, float, float]:
    """Convert the dropped position to PDF points, refusing a seal that is not wholly on a page."""
    sizes = previews.page_sizes(pdf)
    fx, fy, fw, fh = placement.fx, placement.fy, placement.fw, placement.fh
    finite = all(math.isfinite(v) for v in (fx, fy, fw, fh))
    on_page = finite and fw > 0 and fh > 0 and fx >= 0 and fy >= 0 and fx + fw <= 1.0001 and fy + fh <= 1.0001
    if not 0 <= placement.page < len(sizes) or not on_page:
        raise ValidationFailed(_("The seal must be placed completely on a page of the contract."), field="placement")
    width, height = sizes[placement.page]
    return (fx * width, height - (fy + fh) * height, (fx + fw) * width, height - fy * height)


def seal_fraction(pdf: bytes, party: str) -> float:
    """The seal's width as a fraction of the page width, so the page preview shows it at printed size."""
    width, _height = previews.page_sizes(pdf)[-1]
    return SEAL_WIDTH_PT[party] / width


@lru_cache(maxsize=512)
def _worker_seal(name: str) -> bytes:
    return seals.personal_seal_png(name)


@lru_cache(maxsize=128)
def _company_seal(name: str) -> bytes:
    return seals.company_seal_png(name)


@lru_cache(maxsize=512)
def _dated(seal: bytes, day: date) -> bytes:
    return seals.dated_seal_png(seal, day)


def seal_image(link: SigningLink) -> bytes:
    """The seal the signer drags: their personal seal, or the company seal."""
    if link.party == WORKER:
        assert link.contract is not None
        return _worker_seal(link.contract.worker.name)
    first = signing_links.first_pending(link)
    assert first is not None
    return _company_seal(first.employer.name)
