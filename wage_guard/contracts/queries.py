"""What the foreman's pages warn about: fixed terms ending soon, and workers still on site after their term ended.

Read-only aggregation for the project page, its roster, the contract list and the contract page. "Working on after
expiry" is an expired contract whose worker has not left the roster and has no newer contract: the employer then
owes double wages from the second month without a written contract (劳动合同法 Art. 82), and after a year the
relationship counts as open-ended (Art. 14).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from wage_guard.contracts import ages, expiry, lifecycle, notice_state
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.organisations.models import Project


@dataclass(frozen=True)
class Expiring:
    contract: Contract
    end_date: date
    days_left: int


@dataclass
class ContractAlerts:
    expiring: list[Expiring] = field(default_factory=list)
    working_after_expiry: list[Contract] = field(default_factory=list)

    @property
    def working_ids(self) -> set[int]:
        return {c.id for c in self.working_after_expiry}

    @property
    def working_enrollments(self) -> set[int]:
        return {c.enrollment_id for c in self.working_after_expiry}

    def __bool__(self) -> bool:
        return bool(self.expiring or self.working_after_expiry)


def project_alerts(project: Project, today: date) -> ContractAlerts:
    """Contracts of ``project`` ending within 30 days (not yet being renewed or ended) and those worked past expiry."""
    alerts = ContractAlerts()
    for contract, end in expiry.fixed_terms_in_force(project):
        if today <= end <= today + timedelta(days=expiry.REMIND_DAYS) and not expiry.being_changed(contract):
            alerts.expiring.append(Expiring(contract, end, (end - today).days))
    alerts.expiring.sort(key=lambda e: e.end_date)
    query = sa.select(Contract).where(Contract.project_id == project.id, Contract.status == Status.EXPIRED)
    for contract in db.session.scalars(query.order_by(Contract.id)):
        if working_after_expiry(contract):
            alerts.working_after_expiry.append(contract)
    return alerts


def working_after_expiry(contract: Contract) -> bool:
    """An expired contract whose worker is still on the roster, with no newer contract and no notice ending it."""
    if contract.status is not Status.EXPIRED or notice_state.pending_notice(contract) is not None:
        return False
    if contract.enrollment.exit_date is not None:
        return False
    newer = sa.select(Contract.id).where(
        Contract.enrollment_id == contract.enrollment_id,
        Contract.id > contract.id,
        Contract.status.in_([*lifecycle.OPEN, Status.IN_FORCE]),
    )
    return db.session.scalar(newer.limit(1)) is None


def age_mark(contract: Contract, start: date) -> ages.AgeMark | None:
    """The worker's age mark on the contract's start date (a minor's restrictions show on the foreman's page)."""
    return ages.age_mark(contract.worker.id_number, start)


def data_quality_codes(contract: Contract) -> list[str]:
    """The risk rules whose check was inconclusive when the contract was issued (e.g. R02: no minimum wage known)."""
    return sorted(code for code, note in (contract.data_quality or {}).items() if note.get("outcome") == "inconclusive")
