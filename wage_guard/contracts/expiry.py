"""The end of a fixed term: remind the foreman 30 days ahead, and move a contract past its end date to "expired".

At the end of a fixed term the contract ends (劳动合同法 Art. 44(1)), but only a written termination notice makes
that the employer's clear decision, and severance is then due (Art. 46(5)) unless the employer offered a renewal
on the same or better terms and the worker refused. A worker who simply carries on working is employed without a
written contract: double wages from the second month (Art. 82) and, after a year, an open-ended contract
(Art. 14). So a month before the end date the foreman is told to renew or serve the notice, and the day after it
the contract stops counting as "in force". Both steps run from the scheduled job and are idempotent: the status
changes once, and the reminder is an event on the contract's trail that is never sent twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.accounts.models import Role, User
from wage_guard.contracts import lifecycle, notice_state, notices
from wage_guard.contracts import services as contracts
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.contracts.terms import TermType
from wage_guard.extensions import db
from wage_guard.organisations.models import Project

#: How long before the end of a fixed term the foreman is reminded.
REMIND_DAYS = 30
REMINDED = "expiry_reminder_sent"


def fixed_terms_in_force(project: Project | None = None) -> Iterator[tuple[Contract, date]]:
    """Contracts and renewals in force with a fixed term, with their last day (terms are encrypted: read each)."""
    query = sa.select(Contract).where(Contract.status == Status.IN_FORCE, Contract.kind.in_([Kind.ORIGINAL, Kind.RENEWAL]))
    if project is not None:
        query = query.where(Contract.project_id == project.id)
    for contract in db.session.scalars(query.order_by(Contract.id)):
        terms = contracts.contract_terms(contract)
        if terms.term_type is TermType.FIXED and terms.end_date is not None:
            yield contract, terms.end_date


def expire_due(*, now: datetime) -> int:
    """Move every fixed-term contract whose last day has passed to "expired"; returns how many."""
    today = clock.china_date(now)
    due = [(c, end) for c, end in fixed_terms_in_force() if end < today]
    for contract, end in due:
        contracts.transition(contract, lifecycle.Event.TERM_ENDED, now=now)
        contracts.record(contract, "expired", "system", now, end_date=end.isoformat())
    return len(due)


def remind_due(*, now: datetime) -> int:
    """Text each project's foremen once about contracts ending within 30 days; returns how many contracts."""
    from wage_guard.sms import services as sms

    today = clock.china_date(now)
    by_project: dict[int, list[tuple[Contract, date]]] = defaultdict(list)
    for contract, end in fixed_terms_in_force():
        if today <= end <= today + timedelta(days=REMIND_DAYS) and not _reminded(contract) and not being_changed(contract):
            by_project[contract.project_id].append((contract, end))
    for due in by_project.values():
        project = due[0][0].project
        first = min(end for _contract, end in due)
        for phone in foreman_phones(project, due[0][0]):
            sms.queue_sms(
                phone,
                "expiry_reminder",
                count=len(due),
                project_name=project.name,
                date=first.isoformat(),
                url=_project_url(project),
            )
        for contract, end in due:
            contracts.record(contract, REMINDED, "system", now, end_date=end.isoformat())
    return sum(len(due) for due in by_project.values())


def _reminded(contract: Contract) -> bool:
    query = sa.select(ContractEvent.id).where(ContractEvent.contract_id == contract.id, ContractEvent.kind == REMINDED)
    return db.session.scalar(query.limit(1)) is not None


def being_changed(contract: Contract) -> bool:
    """A renewal or ending is being signed, or a notice already ends it: nothing to remind."""
    pending = any(c.status in lifecycle.OPEN for c in contracts.children(contract))
    return pending or notice_state.pending_notice(contract) is not None


def foreman_phones(project: Project, contract: Contract) -> list[str]:
    """The project's foremen with a phone; without any, whoever issued the contract (the expiry and signing
    reminders both text them)."""
    people = [u for u in project.managers if u.role is Role.FOREMAN and u.is_enabled and u.phone]
    if not people:
        issuer = db.session.get(User, contract.created_by_id)
        people = [issuer] if issuer is not None and issuer.is_enabled and issuer.phone else []
    return sorted({u.phone for u in people if u.phone})


def _project_url(project: Project) -> str:
    return links.public_url("contracts.list_contracts", project_id=project.id)


def run_daily(*, now: datetime) -> dict[str, int]:
    """The scheduled job's work, in order: notices that reached their date first, then expiry, then reminders."""
    return {
        "notices_took_effect": notices.apply_due_notices(now=now),
        "expired": expire_due(now=now),
        "reminded": remind_due(now=now),
    }
