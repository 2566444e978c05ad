"""What may be issued to whom: the foreman's offer, the full terms built from it, and the checks before a labour
contract, renewal or amendment is stored (the law's rules in ``rules.py`` plus the facts only the database knows:
the site county's minimum wage on the start date, an earlier contract with the same employer, a contract already
open or in force). Split from ``services.py``, which stores, renders and changes the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.contracts import ages, defaults, lifecycle, rules, terms
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.documents import fonts
from wage_guard.enrollment.models import Enrollment
from wage_guard.errors import Conflict, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations.models import MinimumWage, Project, TierMinimumWage


@dataclass(frozen=True)
class ContractOffer:
    """What the foreman fills in once for a batch; the parties come from the employer and the roster."""

    term_type: terms.TermType
    start_date: date
    job_title: str
    work_place: str
    pay_form: terms.PayForm
    pay_amount: Decimal
    end_date: date | None = None
    task_description: str = ""
    piece_unit: str = ""
    probation_months: int = 0
    probation_pay: Decimal | None = None
    other_terms: str = ""
    #: Codes of the warnings the foreman has confirmed (``rules.BACKDATED_START``, ``rules.MINIMUM_WAGE_UNKNOWN``).
    confirmed: frozenset[str] = frozenset()


def offer_params(offer: ContractOffer) -> dict[str, Any]:
    """The offer as JSON, for a batch the scheduler issues later (``offer_from_params`` reads it back)."""
    return {
        "term_type": offer.term_type.value,
        "start_date": offer.start_date.isoformat(),
        "end_date": offer.end_date.isoformat() if offer.end_date else None,
        "job_title": offer.job_title,
        "work_place": offer.work_place,
        "pay_form": offer.pay_form.value,
        "pay_amount": str(offer.pay_amount),
        "task_description": offer.task_description,
        "piece_unit": offer.piece_unit,
        "probation_months": offer.probation_months,
        "probation_pay": None if offer.probation_pay is None else str(offer.probation_pay),
        "other_terms": offer.other_terms,
        "confirmed": sorted(offer.confirmed),
    }


def offer_from_params(params: dict[str, Any]) -> ContractOffer:
    end, probation_pay = params["end_date"], params["probation_pay"]
    return ContractOffer(
        term_type=terms.TermType(params["term_type"]),
        start_date=date.fromisoformat(params["start_date"]),
        end_date=date.fromisoformat(end) if end else None,
        job_title=params["job_title"],
        work_place=params["work_place"],
        pay_form=terms.PayForm(params["pay_form"]),
        pay_amount=Decimal(params["pay_amount"]),
        task_description=params["task_description"],
        piece_unit=params["piece_unit"],
        probation_months=params["probation_months"],
        probation_pay=None if probation_pay is None else Decimal(probation_pay),
        other_terms=params["other_terms"],
        confirmed=frozenset(params["confirmed"]),
    )


class NeedsConfirmation(ValidationFailed):
    """The terms are lawful but carry warnings (``rules.Effect.CONFIRM``) the foreman has not all confirmed yet;
    ``warnings`` lists every warning, confirmed or not, so the form can show each with its checkbox."""

    def __init__(self, warnings: list[rules.TermProblem]) -> None:
        super().__init__(_("Read the warnings below; tick each one you have checked, then issue again."))
        self.warnings = warnings


def build_terms(project: Project, entry: Enrollment, offer: ContractOffer, *, signatory: User) -> terms.ContractTerms:
    """The full terms of one worker's contract: the offer plus the parties and the project's pay day.

    A worker aged 16 or 17 on the start date (未成年工) gets the minor-worker restrictions in the other terms.

    The employer's contact phone (联系电话, the address for notices) is that of its authorised signatory, who
    seals the contract and answers for the employer.
    """
    employer, worker = project.employer, entry.worker
    built = defaults.default_construction_terms(
        terms.EmployerParty(
            name=employer.name,
            credit_code=employer.credit_code,
            legal_representative=employer.legal_representative,
            address=employer.address,
            phone=national(signatory.phone or ""),
        ),
        terms.WorkerParty(
            name=worker.name, id_number=worker.id_number, address=worker.address or "", phone=national(worker.phone)
        ),
        term_type=offer.term_type,
        start_date=offer.start_date,
        end_date=offer.end_date,
        task_description=offer.task_description,
        job_title=offer.job_title,
        work_place=offer.work_place,
        pay_form=offer.pay_form,
        pay_amount=offer.pay_amount,
        piece_unit=offer.piece_unit,
        pay_day=project.pay_day,
        probation_months=offer.probation_months,
        probation_pay=offer.probation_pay,
        other_terms=offer.other_terms,
    )
    if ages.age_mark(worker.id_number, offer.start_date) is ages.AgeMark.MINOR:
        return defaults.with_minor_worker_clause(built)
    return built


@dataclass(frozen=True)
class Checked:
    """What the checks leave on a lawful contract: the warnings the foreman confirmed, and the data-quality note."""

    confirmed_warnings: list[str]
    #: ``{"R02": {"outcome": "inconclusive", ...}}`` when no minimum wage is known for the start date; the risk
    #: engine reads it (risk-rules.md: an inconclusive result is shown, never dropped).
    data_quality: dict[str, Any] | None


def require_lawful(
    entry: Enrollment, contract_terms: terms.ContractTerms, now: datetime, *, confirmed: frozenset[str] | None
) -> Checked:
    """Refuse unlawful terms and ask the foreman to confirm any warning not in ``confirmed``.

    :raises ValidationFailed: naming the worker and the provision of the first refusal.
    :raises NeedsConfirmation: listing the unconfirmed warnings (never when ``confirmed`` is None: a change to a
        contract in force has no confirmation step).
    """
    wage = entry.project.county.minimum_wage_on(contract_terms.start_date)
    earlier = had_contract_with(entry.worker_id, entry.project.employer_id)
    return judge(entry, contract_terms, now, wage=wage, earlier_contract=earlier, confirmed=confirmed)


def judge(
    entry: Enrollment,
    contract_terms: terms.ContractTerms,
    now: datetime,
    *,
    wage: MinimumWage | TierMinimumWage | None,
    earlier_contract: bool,
    confirmed: frozenset[str] | None,
) -> Checked:
    """``require_lawful`` with the database's facts already read (``check_batch`` reads them once per batch)."""
    facts = rules.Facts(
        today=clock.china_date(now),
        minimum_wage_monthly=wage.monthly if wage else None,
        earlier_contract_with_employer=earlier_contract,
    )
    problems = rules.findings(contract_terms, facts, rules.Effect.REFUSE)
    if problems:
        first = problems[0]
        message = _("Contract for %(name)s: %(problem)s", name=entry.worker.name, problem=first.message)
        raise ValidationFailed(message, field=first.field)
    warnings = rules.findings(contract_terms, facts, rules.Effect.CONFIRM)
    unconfirmed = [w for w in warnings if w.rule not in (confirmed or ())]
    if unconfirmed and confirmed is not None:
        raise NeedsConfirmation(warnings)  # all of them: the form shows each with its checkbox
    note = None
    if wage is None:
        note = {
            "R02": {
                "outcome": rules.Outcome.INCONCLUSIVE.value,
                "reason": "minimum_wage_unknown",
                "county": entry.project.county.code,
                "start_date": contract_terms.start_date.isoformat(),
            }
        }
    return Checked(sorted({w.rule for w in warnings} & (confirmed or frozenset())), note)


def check_batch(project: Project, entries: list[Enrollment], offer: ContractOffer, *, signatory: User, now: datetime) -> None:
    """Every check of issuing, for a whole batch, before anything is stored or rendered: no open contract, lawful
    terms with their warnings confirmed, and text the contract font can print. The database's facts are read once
    for the batch (a batch of 500 is checked inside one request; the rendering is left to the batch job).

    :raises Conflict, ValidationFailed, NeedsConfirmation: naming the first worker with a problem.
    """
    under_contract = enrollments_under_contract(project)
    earlier = workers_with_contract(project.employer_id, [e.worker_id for e in entries])
    wage = project.county.minimum_wage_on(offer.start_date)
    for entry in entries:
        if entry.id in under_contract:
            raise already_under_contract(entry)
        contract_terms = build_terms(project, entry, offer, signatory=signatory)
        judge(entry, contract_terms, now, wage=wage, earlier_contract=entry.worker_id in earlier, confirmed=offer.confirmed)
        require_printable(entry, contract_terms)


def require_printable(entry: Enrollment, contract_terms: terms.ContractTerms) -> None:
    """Refuse terms with a character the contract font cannot draw (the rendering would fail later)."""
    try:
        fonts.require_glyphs("\n".join(_texts(contract_terms.to_dict())))
    except fonts.MissingGlyphError as exc:
        raise cannot_print(entry.worker.name, exc) from exc


def cannot_print(worker_name: str, exc: fonts.MissingGlyphError) -> ValidationFailed:
    return ValidationFailed(_("The contract for %(name)s cannot be printed: %(reason)s", name=worker_name, reason=str(exc)))


def already_under_contract(entry: Enrollment) -> Conflict:
    return Conflict(
        _("%(name)s already has a contract on this project that is in force or being signed.", name=entry.worker.name)
    )


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


def workers_with_contract(employer_id: int, worker_ids: list[int]) -> set[int]:
    """Which of the workers ever concluded a labour contract with the employer (第十九条第二款), in one query."""
    never_concluded = [*lifecycle.OPEN, Status.REFUSED, Status.WITHDRAWN]
    query = sa.select(Contract.worker_id).where(
        Contract.worker_id.in_(worker_ids),
        Contract.employer_id == employer_id,
        Contract.kind.in_([Kind.ORIGINAL, Kind.RENEWAL]),
        Contract.status.not_in(never_concluded),
    )
    return set(db.session.scalars(query.distinct()))


def had_contract_with(worker_id: int, employer_id: int) -> bool:
    """Whether the worker ever concluded a labour contract with the employer, on any project (第十九条第二款)."""
    return worker_id in workers_with_contract(employer_id, [worker_id])


def open_or_in_force(entry: Enrollment) -> Contract | None:
    query = sa.select(Contract).where(*_open_or_in_force(), Contract.enrollment_id == entry.id)
    return db.session.scalar(query.limit(1))


def enrollments_under_contract(project: Project) -> set[int]:
    """Roster entries with a labour contract (original or renewal) being signed or in force: no new one for them."""
    return set(
        db.session.scalars(sa.select(Contract.enrollment_id).where(*_open_or_in_force(), Contract.project_id == project.id))
    )


def _open_or_in_force() -> list[sa.ColumnElement[bool]]:
    states = [*lifecycle.OPEN, Status.IN_FORCE]
    return [Contract.kind.in_([Kind.ORIGINAL, Kind.RENEWAL]), Contract.status.in_(states)]


def national(phone: str) -> str:
    return phone.removeprefix("+86")
