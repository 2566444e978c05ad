"""Endings the worker does not sign: the employer's termination notice and notice of rescission.

A two-party rescission agreement or termination confirmation needs the worker's signature, so a worker who
refuses would keep a contract in force for ever. The law does not ask for it: at the end of a fixed term the
employer terminates by written notice (劳动合同法 Art. 44(1)), and under Art. 39-41 it rescinds by notice on a
legal ground. Such a notice is its own document linked to the contract, sealed by the employer through the usual
sealing journey, then texted to the worker and shown in the portal. It ends the contract on its effective date
(at once when that date has come, otherwise by the daily job); the worker may acknowledge receipt in the portal,
which is recorded as evidence and never required.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.contracts import lifecycle, notice_state, severance
from wage_guard.contracts import services as contracts
from wage_guard.contracts.lifecycle import Kind
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import ContractTerms, add_months
from wage_guard.errors import InvalidTransition, ValidationFailed
from wage_guard.i18n import _

REASON_MAX = 2000


@dataclass(frozen=True)
class NoticeRequest:
    """What the foreman or employer chooses: the legal ground, the effective date and the stated facts."""

    ground: str
    effective_date: date | None
    reason: str = ""
    #: Art. 40: one month's wage paid instead of 30 days' written notice.
    pay_in_lieu: bool = False
    #: Art. 46(5): the employer offered renewal on the same or better terms and the worker refused.
    renewal_refused: bool = False
    arrangements: str = ""


def issue_notice(actor: User, contract: Contract, request: NoticeRequest, *, now: datetime) -> Contract:
    """Render the notice and send it to the employer's signatory for the seal; the worker never signs it.

    :raises ValidationFailed: for a ground that does not fit the contract, a date in the past or too early,
        or a missing reason; nothing is stored then.
    :raises InvalidTransition: when the contract is not in force or expired.
    :raises Conflict: while another change is being signed or a notice already ends the contract.
    """
    ground = severance.GROUNDS.get(request.ground)
    if ground is None:
        raise ValidationFailed(_("Choose the legal ground for ending the contract."), field="ground")
    kind = Kind(ground.kind)
    if not lifecycle.can_change(contract.status, kind):
        raise InvalidTransition(_("Only a contract in force or expired can be ended by notice."))
    notice_state.require_no_pending_change(contract, kind)
    terms = contracts.contract_terms(contract)
    today = clock.china_date(now)
    effective = _check_date(ground, terms, request, today)
    reason = " ".join(request.reason.split())
    if ground.kind == "rescission_notice" and len(reason) < 4:
        raise ValidationFailed(_("State the facts that make this ground apply."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("The reason is too long (at most 2000 characters)."), field="reason")
    due = ground.severance_due and not (ground.code == "44.1" and request.renewal_refused)
    details = {
        "pay_in_lieu": request.pay_in_lieu and ground.notice_days > 0,
        "renewal_refused": request.renewal_refused and ground.code == "44.1",
        "severance_months": str(severance.severance_months(service_start(contract), effective)) if due else None,
        "service_from": service_start(contract).isoformat(),
        "issued_on": today.isoformat(),
    }
    ending = contracts.Ending(
        effective, " ".join(request.arrangements.split()), ground=ground.code, reason=reason, details=details
    )
    notice = contracts.issue_change(actor, contract, kind, now=now, ending=ending)
    return notice


def _check_date(ground: severance.Ground, terms: ContractTerms, request: NoticeRequest, today: date) -> date:
    effective = request.effective_date
    if effective is None:
        raise ValidationFailed(_("Give the date the contract ends (the notice's effective date)."), field="effective_date")
    if effective < today:
        raise ValidationFailed(_("A notice cannot end a contract on a past date."), field="effective_date")
    if ground.term_type is not None and terms.term_type != ground.term_type:
        raise ValidationFailed(_("This ground does not fit the contract's term."), field="ground")
    if ground.code == "44.1" and terms.end_date is not None and effective < terms.end_date:
        raise ValidationFailed(
            _("A termination at expiry cannot take effect before the end of the term (%(date)s).", date=terms.end_date),
            field="effective_date",
        )
    if ground.code == "39.1" and (terms.probation_months == 0 or today >= add_months(terms.start_date, terms.probation_months)):
        raise ValidationFailed(_("This ground applies only during the probation period."), field="ground")
    if severance.short_notice(ground, today, effective) and not request.pay_in_lieu:
        raise ValidationFailed(
            _("This ground needs 30 days' written notice: choose a later date or pay one month's wage in lieu."),
            field="effective_date",
        )
    return effective


def service_start(contract: Contract) -> date:
    """The first day of service with this employer under this chain of renewals (for Art. 47)."""
    while contract.kind is Kind.RENEWAL and contract.parent is not None:
        contract = contract.parent
    return contracts.contract_terms(contract).start_date
