"""The end of a project: the day the works were completed, and the day every wage was settled.

The roster and the wage-account records must be kept until the project is completed **and** every wage settled,
then at least three years (保障农民工工资支付条例 Art. 28(3), 人社部发〔2021〕53号; legal.md §I). These two dates
start that clock, so who may set them matters:

- **completion** is recorded by the project's managers (the employer's administrator or a foreman of the site), who
  know it first. It can be corrected until the wages are settled.
- **settlement** is confirmed by the county's labour inspector, never by the employer: a dishonest employer would
  declare it early to start the clock. It is refused while the project has a risk flag or a complaint still open,
  and once confirmed it is final.

Both steps go to the evidence log.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import Role, User
from wage_guard.complaints import services as complaints
from wage_guard.errors import Conflict, PermissionDenied, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.inspector.queries import OPEN_STATES
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project, ProjectStatus
from wage_guard.risk.models import Finding


def record_completion(user: User, project: Project, completed_on: date, *, now: datetime) -> None:
    """Mark the works completed on ``completed_on``; refused once the wages are settled."""
    if project.wages_settled_on is not None:
        raise Conflict(_("The wages of this project are settled: its completion date can no longer change."))
    if completed_on > clock.china_date(now):
        raise ValidationFailed(_("The completion date cannot be in the future."), field="completed_on")
    project.completed_on, project.status = completed_on, ProjectStatus.COMPLETED
    _log("project_completed", project, completed_on, user, now)


def confirm_wage_settlement(inspector: User, project: Project, settled_on: date, *, now: datetime) -> None:
    """The county's inspector confirms every wage of the completed project settled on ``settled_on``."""
    if inspector.role is not Role.INSPECTOR:
        raise PermissionDenied(_("Only the county's labour inspector can confirm that wages are settled."))
    if project.wages_settled_on is not None:
        raise Conflict(_("The wages of this project were already confirmed settled."))
    if project.completed_on is None:
        raise Conflict(_("The project's managers have not recorded its completion yet."))
    if not project.completed_on <= settled_on <= clock.china_date(now):
        raise ValidationFailed(_("The settlement date must be between the completion date and today."), field="wages_settled_on")
    flags, complaints = open_matters(project)
    if flags or complaints:
        raise Conflict(
            _("Close the project's %(flags)d open risk flags and %(complaints)d open complaints first.")
            % {"flags": flags, "complaints": complaints}
        )
    project.wages_settled_on, project.wages_settled_by_id = settled_on, inspector.id
    _log("wages_settled", project, settled_on, inspector, now)


def _log(kind: str, project: Project, day: date, user: User, now: datetime) -> None:
    payload = {"date": day.isoformat(), "actor": ledger.keyed(f"staff:{user.id}", "actor")}
    ledger.append(kind, f"project:{project.id}", payload, now=now)


def open_matters(project: Project) -> tuple[int, int]:
    """How many risk flags of the project are still open in the inspector's workflow (as the dashboard counts
    them), and how many of its complaints."""
    flags = db.session.scalar(
        sa.select(sa.func.count(Finding.id)).where(
            Finding.project_id == project.id, Finding.severity.is_not(None), Finding.workflow_status.in_(OPEN_STATES)
        )
    )
    return int(flags or 0), complaints.open_counts([project.id]).get(project.id, 0)
