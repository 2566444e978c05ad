"""Until when a worker's personal data must be kept: the latest end of every period of legal.md §I that covers it.

Each record counts from its own event, and any record whose event has not happened yet keeps everything:

- a contract: two years after it ended (劳动合同法 Art. 50(3)). A contract still waiting or in force ends at the
  project's completion at the latest (construction contracts run for the work on one site); until the project is
  recorded completed it keeps the worker's data;
- the roster entry and the wage-account records: three years after the project was completed and every wage settled
  (条例 Art. 28(3)); a project whose settlement the inspector has not confirmed keeps them;
- the wage ledger and each confirmation: three years after the month or the answer (条例 Art. 15);
- a complaint: three years after it was closed; an open one keeps everything;
- the signing certificate: five years after it expired (电子签名法 Art. 24).

The answer errs towards keeping: each period starts at the latest date the platform knows for its event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.confirmations.models import Settlement, WageConfirmation
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollLine
from wage_guard.signing.models import SigningIdentity

CONTRACT_YEARS, ROSTER_YEARS, LEDGER_YEARS, CERTIFICATE_YEARS = 2, 3, 3, 5
#: Contracts that have not ended by themselves.
LIVE = (Status.AWAITING_EMPLOYER, Status.AWAITING_WORKER, Status.IN_FORCE)


class KeptIndefinitely(Exception):
    """Some record's period has not even started (a project not settled, a complaint open)."""


def years_after(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def keep_until(worker: Worker) -> date | None:
    """The first day the worker's personal data may be erased, or None while any period has not started."""
    try:
        ends = [*_roster_ends(worker), *_contract_ends(worker), *_ledger_ends(worker), *_complaint_ends(worker)]
    except KeptIndefinitely:
        return None
    ends += [years_after(clock.china_date(c), CERTIFICATE_YEARS) for c in _certificate_expiries(worker)]
    ends.append(years_after(clock.china_date(worker.updated_at), LEDGER_YEARS))
    return max(ends) + timedelta(days=1)


def _roster_ends(worker: Worker) -> Iterable[date]:
    rows = db.session.execute(
        sa.select(Project.completed_on, Project.wages_settled_on, Enrollment.exit_date)
        .join(Enrollment, Enrollment.project_id == Project.id)
        .where(Enrollment.worker_id == worker.id)
    ).all()
    for completed, settled, exit_date in rows:
        if completed is None or settled is None:
            raise KeptIndefinitely
        yield years_after(max(completed, settled, exit_date or completed), ROSTER_YEARS)


def _contract_ends(worker: Worker) -> Iterable[date]:
    rows = db.session.execute(
        sa.select(Contract.status, Contract.ends_on, Contract.updated_at, Project.completed_on, sa.func.max(ContractEvent.at))
        .join(Project, Project.id == Contract.project_id)
        .outerjoin(ContractEvent, ContractEvent.contract_id == Contract.id)
        .where(Contract.worker_id == worker.id)
        .group_by(Contract.id, Contract.status, Contract.ends_on, Contract.updated_at, Project.completed_on)
    ).all()
    for status, ends_on, updated_at, completed, last_event in rows:
        if status in LIVE and completed is None:
            raise KeptIndefinitely
        known = [d for d in (ends_on, completed, clock.china_date(updated_at)) if d is not None]
        if last_event is not None:
            known.append(clock.china_date(last_event))
        yield years_after(max(known), CONTRACT_YEARS)


def _ledger_ends(worker: Worker) -> Iterable[date]:
    last_month = db.session.scalar(
        sa.select(sa.func.max(PayrollLine.month)).where(
            sa.or_(PayrollLine.worker_id == worker.id, PayrollLine.id_number_index == worker.id_number_index)
        )
    )
    if last_month is not None:
        yield years_after(last_month + timedelta(days=31), LEDGER_YEARS)
    answers = db.session.execute(
        sa.select(sa.func.max(WageConfirmation.created_at), sa.func.max(WageConfirmation.answered_at)).where(
            WageConfirmation.worker_id == worker.id
        )
    ).one()
    settled = db.session.scalar(
        sa.select(sa.func.max(Settlement.recorded_at)).join(Enrollment).where(Enrollment.worker_id == worker.id)
    )
    for moment in (*answers, settled):
        if moment is not None:
            yield years_after(clock.china_date(moment), LEDGER_YEARS)


def _complaint_ends(worker: Worker) -> Iterable[date]:
    for status, created_at, closed_at in db.session.execute(
        sa.select(Complaint.status, Complaint.created_at, Complaint.closed_at).where(Complaint.worker_id == worker.id)
    ):
        if status is ComplaintStatus.OPEN:
            raise KeptIndefinitely
        yield years_after(clock.china_date(closed_at or created_at), LEDGER_YEARS)


def _certificate_expiries(worker: Worker) -> list[datetime]:
    return list(
        db.session.scalars(
            sa.select(SigningIdentity.not_after).where(
                SigningIdentity.owner_kind == "worker", SigningIdentity.owner_id == worker.id
            )
        )
    )
