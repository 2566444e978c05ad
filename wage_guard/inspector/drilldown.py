"""The read side of the inspector's drill-down: a project (its flags, roster, wage months and complaints), then one
worker on it (contracts, payroll lines with their wage confirmations, complaints, flags).

A module of its own beside ``queries`` (the dashboard and the flag list) because these two pages read other
packages' tables per project and per worker, not the roll-up. Scope: the project through
``organisations.get_project`` (the single source of project scope), the flags through
``inspector.services.findings_in_scope``; a roster entry of another project is a 404 like any object outside it.
People appear masked (ID and phone numbers) as on every staff page.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from wage_guard.accounts.models import User
from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.confirmations import queries as confirmations
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.inspector import services as inspector_services
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Project
from wage_guard.payroll import queries as payroll
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.risk.models import Finding


@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    #: The entry's latest contract (any status), or None.
    contract: Contract | None


@dataclass(frozen=True)
class ProjectView:
    project: Project
    roster: list[RosterRow]
    flags: list[Finding]
    months: list[payroll.MonthTotals]
    complaints: list[Complaint]

    @property
    def on_site(self) -> int:
        return sum(1 for r in self.roster if r.enrollment.exit_date is None)

    @property
    def covered(self) -> int:
        """Workers on site whose latest contract is in force."""
        return sum(
            1 for r in self.roster if r.enrollment.exit_date is None and r.contract and r.contract.status is Status.IN_FORCE
        )


@dataclass(frozen=True)
class PayLine:
    line: PayrollLine
    #: The wage confirmation's answer or state (``received``, ``not_received``, ``pending``…), or None.
    confirmation: str | None


@dataclass(frozen=True)
class WorkerView:
    project: Project
    enrollment: Enrollment
    contracts: list[Contract]
    lines: list[PayLine]
    complaints: list[Complaint]
    flags: list[Finding]


def project_view(user: User, project_id: int) -> ProjectView:
    """:raises NotFound: the project is outside the user's scope."""
    project = organisations.get_project(user, project_id)
    entries = db.session.scalars(
        sa.select(Enrollment)
        .join(Worker, Worker.id == Enrollment.worker_id)
        .where(Enrollment.project_id == project.id)
        .order_by(Enrollment.exit_date.is_not(None), Enrollment.id)
    ).all()
    latest: dict[int, Contract] = {}
    for contract in db.session.scalars(sa.select(Contract).where(Contract.project_id == project.id).order_by(Contract.id)):
        latest[contract.enrollment_id] = contract
    complaints = db.session.scalars(
        sa.select(Complaint)
        .where(Complaint.project_id == project.id, Complaint.status != ComplaintStatus.UNVERIFIED)
        .order_by(Complaint.id.desc())
    ).all()
    return ProjectView(
        project=project,
        roster=[RosterRow(e, latest.get(e.id)) for e in entries],
        flags=_flags(user, Finding.project_id == project.id),
        months=payroll.month_totals(project),
        complaints=list(complaints),
    )


def worker_view(user: User, project_id: int, enrollment_id: int) -> WorkerView:
    """:raises NotFound: the project is outside the user's scope, or the roster entry is not on it."""
    project = organisations.get_project(user, project_id)
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.project_id != project.id:
        raise NotFound(_("This worker is not on this project's roster."))
    worker_id = enrollment.worker_id
    contracts = db.session.scalars(sa.select(Contract).where(Contract.enrollment_id == enrollment.id).order_by(Contract.id))
    lines = list(
        db.session.scalars(
            sa.select(PayrollLine)
            .join(PayrollImport, PayrollImport.id == PayrollLine.import_id)
            .where(
                PayrollImport.project_id == project.id, PayrollImport.superseded_at.is_(None), PayrollLine.worker_id == worker_id
            )
            .order_by(PayrollLine.month.desc(), PayrollLine.id)
        )
    )
    answers = confirmations.status_by_line([line.id for line in lines])
    complaints = db.session.scalars(
        sa.select(Complaint)
        .where(
            Complaint.project_id == project.id, Complaint.worker_id == worker_id, Complaint.status != ComplaintStatus.UNVERIFIED
        )
        .order_by(Complaint.id.desc())
    )
    return WorkerView(
        project=project,
        enrollment=enrollment,
        contracts=list(contracts),
        lines=[PayLine(line, answers.get(line.id)) for line in lines],
        complaints=list(complaints),
        flags=_flags(user, Finding.project_id == project.id, Finding.worker_id == worker_id),
    )


def _flags(user: User, *conditions: sa.ColumnElement[bool]) -> list[Finding]:
    """The flags (violations, any workflow state) in the user's area that meet ``conditions``, newest first."""
    query = inspector_services.findings_in_scope(user).where(Finding.severity.is_not(None), *conditions)
    return list(db.session.scalars(query.order_by(Finding.opened_at.desc(), Finding.id.desc())))
