"""Read side of wage confirmations: the status of payroll lines (for the wage ledger), the project page's list,
the worker's own months in the portal, and the counts the risk engine reads (R10, R11, R12).

Set-based: each function is one or two queries however many lines a month has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from wage_guard.confirmations.models import DISPUTES, Kind, Settlement, Status, WageConfirmation
from wage_guard.enrollment.models import Enrollment
from wage_guard.errors import NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine


def status_by_line(line_ids: list[int]) -> dict[int, str]:
    """For each payroll line with a confirmation: the answer (``received``, ``not_received``, ``wrong_amount``) or
    the state while unanswered (``pending``, ``held``); lines of people not on the roster have none."""
    if not line_ids:
        return {}
    rows = db.session.execute(
        sa.select(WageConfirmation.line_id, WageConfirmation.status, WageConfirmation.answer).where(
            WageConfirmation.line_id.in_(line_ids), WageConfirmation.status != Status.SUPERSEDED
        )
    )
    return {
        line_id: (answer.value if answer is not None else status.value) for line_id, status, answer in rows if line_id is not None
    }


@dataclass(frozen=True)
class MonthCounts:
    """One project month of the current sheet, as the risk engine reads it."""

    project_id: int
    month: date
    lines: int
    disputed: int
    unanswered: int


def counts_by_project_month(project_ids: list[int] | None = None) -> list[MonthCounts]:
    """Per project and month of the current sheets: confirmations asked, disputed and unanswered."""
    current = sa.select(PayrollLine.id).join(PayrollImport).where(PayrollImport.superseded_at.is_(None))
    disputed = sa.func.sum(sa.case((WageConfirmation.answer.in_(list(DISPUTES)), 1), else_=0))
    unanswered = sa.func.sum(sa.case((WageConfirmation.status.in_([Status.PENDING, Status.HELD]), 1), else_=0))
    query = (
        sa.select(WageConfirmation.project_id, WageConfirmation.month, sa.func.count(), disputed, unanswered)
        .where(WageConfirmation.kind == Kind.MONTHLY, WageConfirmation.line_id.in_(current))
        .group_by(WageConfirmation.project_id, WageConfirmation.month)
        .order_by(WageConfirmation.project_id, WageConfirmation.month)
    )
    if project_ids is not None:
        query = query.where(WageConfirmation.project_id.in_(project_ids))
    return [MonthCounts(p, m, n, int(d or 0), int(u or 0)) for p, m, n, d, u in db.session.execute(query)]


def open_disputes(project_ids: list[int] | None = None) -> list[WageConfirmation]:
    """Answered disputes of current sheets and live settlements (R10, R12), oldest first."""
    query = sa.select(WageConfirmation).where(
        WageConfirmation.status == Status.ANSWERED, WageConfirmation.answer.in_(list(DISPUTES)), _is_live()
    )
    if project_ids is not None:
        query = query.where(WageConfirmation.project_id.in_(project_ids))
    return list(db.session.scalars(query.order_by(WageConfirmation.answered_at)))


def _is_live() -> sa.ColumnElement[bool]:
    current_lines = sa.select(PayrollLine.id).join(PayrollImport).where(PayrollImport.superseded_at.is_(None))
    live_settlements = sa.select(Settlement.id).where(Settlement.superseded_at.is_(None))
    return sa.or_(WageConfirmation.line_id.in_(current_lines), WageConfirmation.settlement_id.in_(live_settlements))


def of_project(project: Project) -> list[WageConfirmation]:
    """The project's live confirmations: disputes first, then unanswered, then the rest; newest month first."""
    order = sa.case((WageConfirmation.answer.in_(list(DISPUTES)), 0), (WageConfirmation.status == Status.ANSWERED, 2), else_=1)
    query = (
        sa.select(WageConfirmation)
        .where(WageConfirmation.project_id == project.id, WageConfirmation.status != Status.SUPERSEDED, _is_live())
        .order_by(order, WageConfirmation.month.desc().nulls_first(), WageConfirmation.id)
    )
    return list(db.session.scalars(query))


def settlements_of(project_ids: list[int]) -> list[tuple[Enrollment, Settlement | None]]:
    """Roster entries with an exit date, and their live settlement if any (R12)."""
    query = (
        sa.select(Enrollment, Settlement)
        .outerjoin(Settlement, sa.and_(Settlement.enrollment_id == Enrollment.id, Settlement.superseded_at.is_(None)))
        .where(Enrollment.project_id.in_(project_ids), Enrollment.exit_date.is_not(None))
        .order_by(Enrollment.id)
    )
    return [(e, s) for e, s in db.session.execute(query)]


def of_workers(worker_ids: list[int]) -> list[WageConfirmation]:
    """Everything the portal's workers were asked to confirm (live ones), newest first."""
    query = (
        sa.select(WageConfirmation)
        .where(WageConfirmation.worker_id.in_(worker_ids), WageConfirmation.status != Status.SUPERSEDED, _is_live())
        .order_by(WageConfirmation.month.desc().nulls_first(), WageConfirmation.id.desc())
    )
    return list(db.session.scalars(query))


def get_own(worker_ids: list[int], confirmation_id: int) -> WageConfirmation:
    """:raises NotFound: for anyone else's confirmation (no existence leak)."""
    confirmation = db.session.get(WageConfirmation, confirmation_id)
    if confirmation is None or confirmation.worker_id not in worker_ids or confirmation.status is Status.SUPERSEDED:
        raise NotFound(_("This pay slip does not exist or is not yours."))
    return confirmation
