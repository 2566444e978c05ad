"""Keep ``ContractFact`` (the plain-column copy of the contract terms the rules query) up to date.

Why: the terms are stored encrypted, so SQL can neither filter nor join on a start date, an end date or a wage.
Before the rules run, each contract that is new or changed since its fact row was written (``updated_at``) is
read once and its non-identifying terms copied; a contract that does not change is never decrypted again, so a
nightly run reads only what the day changed; the payroll lines of a changed contract's worker are marked for
their risk bounds to be computed again (``risk.line_bounds``). Terms that cannot be read leave a row marked unreadable, and the
rules that need them say "inconclusive" instead of guessing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa

from wage_guard.contracts import services as contracts
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk import stale_lines
from wage_guard.risk.models import ContractFact
from wage_guard.risk.rule import Scope

log = logging.getLogger(__name__)

#: Statuses of a contract both parties signed (it covered its term, or part of it, whatever happened later).
SIGNED = (Status.IN_FORCE, Status.RENEWED, Status.EXPIRED, Status.RESCINDED, Status.TERMINATED)
#: Statuses of a contract the employer has issued and not withdrawn (its terms are offered or agreed).
LIVE = (Status.AWAITING_EMPLOYER, Status.AWAITING_WORKER, Status.IN_FORCE, Status.EXPIRED)
#: The kinds that employ someone for a term (changes and endings are documents about them).
EMPLOYING = (Kind.ORIGINAL, Kind.RENEWAL)
ENDINGS = (Kind.RESCISSION, Kind.TERMINATION, Kind.RESCISSION_NOTICE, Kind.TERMINATION_NOTICE)


def refresh(scope: Scope) -> int:
    """Write the fact rows of contracts in ``scope`` that are new or changed; returns how many were written."""
    stale = (
        sa.select(Contract, Project.county_code, ContractFact)
        .join(Project, Project.id == Contract.project_id)
        .outerjoin(ContractFact, ContractFact.contract_id == Contract.id)
        .where(
            Contract.kind.in_(EMPLOYING),
            sa.or_(ContractFact.contract_id.is_(None), ContractFact.source_updated_at != Contract.updated_at),
        )
    )
    stale = scope.where(stale, Project.county_code, Contract.project_id)
    written = 0
    rows: list[tuple[Contract, str, ContractFact | None]] = [tuple(r) for r in db.session.execute(stale.order_by(Contract.id))]  # type: ignore[misc]
    for contract, county_code, fact in rows:
        if fact is None:
            fact = ContractFact(contract_id=contract.id)
            db.session.add(fact)
        _fill(fact, contract, county_code)
        written += 1
    db.session.flush()
    stale_lines.workers(contract.worker_id for contract, _, _ in rows)
    return written


def _fill(fact: ContractFact, contract: Contract, county_code: str) -> None:
    fact.county_code, fact.project_id, fact.worker_id = county_code, contract.project_id, contract.worker_id
    fact.kind, fact.status = contract.kind.value, contract.status.value
    fact.source_updated_at = contract.updated_at
    fact.lines_stale = True
    try:
        terms = contracts.contract_terms(contract)
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("contract %s: stored terms cannot be read; risk rules will be inconclusive", contract.id)
        fact.readable = False
        fact.cover_from = fact.cover_to = fact.cover_after = None
        return
    fact.readable = True
    fact.term_type, fact.pay_form = terms.term_type.value, terms.pay_form.value
    fact.start_date, fact.end_date = terms.start_date, terms.end_date
    fact.pay_amount, fact.pay_day = terms.pay_amount, terms.pay_day
    fact.probation_months, fact.probation_pay = terms.probation_months, terms.probation_pay
    if contract.status in SIGNED:
        fact.cover_from = terms.start_date
        fact.cover_to = _covered_until(contract, terms.end_date)
        fact.cover_after = fact.cover_to + timedelta(days=1) if fact.cover_to else None
    else:
        fact.cover_from = fact.cover_to = fact.cover_after = None


def _covered_until(contract: Contract, end_date: date | None) -> date | None:
    """The last day a signed contract covers: its end date, or the last day of employment of the document that
    ended it early (a rescission or termination signed, or a notice served and in effect)."""
    if contract.status not in (Status.RESCINDED, Status.TERMINATED):
        return end_date
    query = sa.select(sa.func.min(Contract.ends_on)).where(
        Contract.parent_id == contract.id,
        Contract.kind.in_(ENDINGS),
        Contract.status.in_((Status.COMPLETED, Status.SERVED)),
    )
    ended = db.session.scalar(query)
    if ended is None:
        return end_date
    return min(ended, end_date) if end_date else ended
