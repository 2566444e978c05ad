"""R10 Worker disputes pay, R11 Confirmation missing, R12 Left without settlement and R13 Complaint: what the
workers themselves said (or did not say) about their pay.

Why together: each reads the workers' answers (``confirmations``) or reports (``complaints``) against the current
payroll version, in one or two set-based statements over a county. A worker's answer is the strongest evidence
the platform has, so a dispute or an open complaint is red as long as it stands; silence is only yellow, and
orange when most of a project's month stays silent (a sign that the workers never saw their slips).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.confirmations.models import Answer, Kind, Settlement, Status, WageConfirmation
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.risk import line_pass
from wage_guard.risk.models import Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope, iso, money
from wage_guard.risk.rules.payroll_people import LINE_COLUMNS, current_lines, line_evidence, line_result

MONTHLY_DISPUTES = [Answer.NOT_RECEIVED, Answer.WRONG_AMOUNT]
UNANSWERED = [Status.PENDING, Status.HELD]


def disputes(scope: Scope) -> list[Result]:
    """R10: a worker answered "not received" or "amount wrong" about a line of the current sheet."""
    c = WageConfirmation
    query = current_lines(scope, *LINE_COLUMNS, c.id.label("confirmation"), c.answer, c.claimed_amount, c.answered_at).join(
        c, c.line_id == PayrollLine.id
    )
    query = query.where(c.kind == Kind.MONTHLY, c.status == Status.ANSWERED, c.answer.in_(MONTHLY_DISPUTES))
    tolerance = scope.settings.risk_amount_tolerance_yuan
    return [_dispute_result(row, tolerance) for row in db.session.execute(query)]


def _dispute_result(row: Any, tolerance: Decimal) -> Result:
    evidence = {
        **line_evidence(row),
        "confirmation": row.confirmation,
        "answer": row.answer.value,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "claimed_amount": money(row.claimed_amount),
        "expected": money(row.net),
        "actual": money(row.claimed_amount) if row.answer is Answer.WRONG_AMOUNT else "0.00",
    }
    if row.answer is Answer.WRONG_AMOUNT and row.claimed_amount is not None and row.claimed_amount >= row.net - tolerance:
        evidence["inconclusive_because"] = "claimed_amount_not_below_the_sheet"
        return line_result(row, Outcome.INCONCLUSIVE, None, evidence)
    return line_result(row, Outcome.VIOLATION, Severity.RED, evidence)


def _live_confirmation() -> sa.ColumnElement[bool]:
    c = WageConfirmation
    return sa.and_(c.line_id == PayrollLine.id, c.kind == Kind.MONTHLY, c.status != Status.SUPERSEDED)


def missing_confirmations(scope: Scope) -> list[Result]:
    """R11: roster lines of the current sheet with no answer more than the set days after their pay date; orange
    in a project month where more than the set share of the roster lines is unconfirmed."""
    days = scope.settings.risk_r11_confirm_days
    c = WageConfirmation
    on_roster = _on_roster()
    query = (
        current_lines(scope, *LINE_COLUMNS, PayrollLine.pay_date, c.id.label("confirmation"), c.status)
        .outerjoin(c, _live_confirmation())
        .where(on_roster, _answer_due(scope))
        .where(sa.or_(c.id.is_(None), c.status.in_(UNANSWERED)))
    )
    rows = line_pass.rows(scope, query, "R11")
    if not rows:
        return []
    months = {(row.project_id, row.month) for row in rows}
    totals_query = current_lines(scope, PayrollImport.project_id, PayrollImport.month, sa.func.count()).where(on_roster)
    totals_query = totals_query.where(PayrollImport.project_id.in_({p for p, _ in months}))
    totals = {(p, m): n for p, m, n in db.session.execute(totals_query.group_by(PayrollImport.project_id, PayrollImport.month))}
    unconfirmed = Counter((row.project_id, row.month) for row in rows)
    share = scope.settings.risk_r11_unconfirmed_share
    return [_missing_result(row, days, unconfirmed, totals, share) for row in rows]


def _on_roster() -> sa.ColumnElement[bool]:
    return sa.and_(PayrollLine.on_roster.is_(True), PayrollLine.worker_id.is_not(None))


def _answer_due(scope: Scope) -> sa.ColumnElement[bool]:
    return PayrollLine.pay_date < scope.today - timedelta(days=scope.settings.risk_r11_confirm_days)


@line_pass.narrowing("R11")
def _unanswered_candidates(scope: Scope) -> sa.ColumnElement[bool]:
    """The statement above with the answer state read from the line (not answered, or not computed yet)."""
    line = PayrollLine
    return sa.and_(_on_roster(), _answer_due(scope), sa.or_(line.bounds_stale.is_(True), line.answered.is_not(True)))


def _missing_result(row: Any, days: int, unconfirmed: Counter[Any], totals: dict[Any, int], share: Decimal) -> Result:
    key = (row.project_id, row.month)
    lines = totals.get(key, 0)
    evidence = {
        **line_evidence(row),
        "pay_date": iso(row.pay_date),
        "answer_due_by": iso(row.pay_date + timedelta(days=days)),
        "confirmation": row.confirmation,
        "month_lines": lines,
        "month_unconfirmed": unconfirmed[key],
        "expected": "worker_confirmed_the_line",
        "actual": row.status.value if row.status is not None else "not_requested",
    }
    if row.status is None or row.status is Status.HELD:
        reason = "confirmation_not_requested" if row.status is None else "confirmation_held_for_identity_check"
        return line_result(row, Outcome.INCONCLUSIVE, None, {**evidence, "inconclusive_because": reason})
    widespread = lines > 0 and Decimal(unconfirmed[key]) > share * lines
    evidence["most_of_the_month_unconfirmed"] = widespread
    return line_result(row, Outcome.VIOLATION, Severity.ORANGE if widespread else Severity.YELLOW, evidence)


def left_without_settlement(scope: Scope) -> list[Result]:
    """R12: an exit more than the set days ago, with no payroll line paid on or after the exit for the exit month
    or later, and no 结清 answer on the live settlement."""
    limit = scope.today - timedelta(days=scope.settings.risk_r12_settlement_days)
    last_paid_month = (
        sa.select(sa.func.max(PayrollImport.month))
        .join(PayrollLine, on_sheet(PayrollLine, PayrollImport))
        .where(
            PayrollImport.superseded_at.is_(None),
            PayrollImport.project_id == Enrollment.project_id,
            PayrollLine.worker_id == Enrollment.worker_id,
            PayrollLine.pay_date >= Enrollment.exit_date,
        )
        .scalar_subquery()
    )
    c = WageConfirmation
    query = (
        sa.select(Enrollment, Project.county_code, last_paid_month.label("last_paid_month"), Settlement, c.status, c.answer)
        .join(Project, Project.id == Enrollment.project_id)
        .outerjoin(Settlement, sa.and_(Settlement.enrollment_id == Enrollment.id, Settlement.superseded_at.is_(None)))
        .outerjoin(c, sa.and_(c.settlement_id == Settlement.id, c.kind == Kind.SETTLEMENT, c.status != Status.SUPERSEDED))
        .where(Enrollment.exit_date.is_not(None), Enrollment.exit_date < limit)
    )
    query = scope.where(query, Project.county_code, Enrollment.project_id)
    found: dict[int, Result] = {}
    settled: set[int] = set()
    for row in db.session.execute(query):
        result = _settlement_result(row, scope.today)
        if result is None:
            settled.add(row.Enrollment.id)
        else:
            found.setdefault(row.Enrollment.id, result)
    return [result for entry_id, result in found.items() if entry_id not in settled]


def _settlement_result(row: Any, today: date) -> Result | None:
    entry: Enrollment = row.Enrollment
    exit_date: date = entry.exit_date  # type: ignore[assignment]
    if row.last_paid_month is not None and row.last_paid_month >= exit_date.replace(day=1):
        return None
    if row.answer is Answer.SETTLED:
        return None
    settlement: Settlement | None = row.Settlement
    evidence: dict[str, Any] = {
        "roster_entry": entry.id,
        "exit_date": iso(exit_date),
        "days_since_exit": (today - exit_date).days,
        "settlement": settlement.id if settlement else None,
        "settlement_amount": money(settlement.amount) if settlement else None,
        "expected": "final_settlement_line_or_settled_confirmation",
    }
    outcome: Outcome = Outcome.VIOLATION
    severity: Severity | None = Severity.RED
    if settlement is None:
        evidence["actual"] = "no_settlement"
    elif row.answer is Answer.SETTLEMENT_DISPUTED:
        evidence["actual"] = "settlement_disputed"
    else:
        evidence["actual"] = "settlement_recorded_not_confirmed"
        evidence["inconclusive_because"] = "worker_has_not_answered_the_settlement"
        outcome, severity = Outcome.INCONCLUSIVE, None
    period = exit_date.isoformat()
    return Result(
        f"enrollment:{entry.id}", period, entry.project_id, row.county_code, entry.worker_id, outcome, severity, evidence
    )


def complaints(scope: Scope) -> list[Result]:
    """R13: every open complaint (unverified ones are not complaints yet; closed ones close their finding)."""
    query = (
        sa.select(Complaint, Project.county_code)
        .join(Project, Project.id == Complaint.project_id)
        .where(Complaint.status == ComplaintStatus.OPEN)
    )
    query = scope.where(query, Project.county_code, Complaint.project_id)
    return [_complaint_result(row.Complaint, row.county_code, scope.today) for row in db.session.execute(query)]


def _complaint_result(complaint: Complaint, county_code: str, today: date) -> Result:
    filed = complaint.verified_at or complaint.created_at
    evidence = {
        "complaint": complaint.id,
        "source": complaint.source,
        "months": complaint.month_list,
        "filed_at": filed.isoformat(),
        "days_open": max(0, (today - filed.date()).days),
        "on_roster": complaint.worker_id is not None,
        "expected": "no_open_complaint",
        "actual": money(complaint.amount),
    }
    return Result(
        f"complaint:{complaint.id}",
        "",
        complaint.project_id,
        county_code,
        complaint.worker_id,
        Outcome.VIOLATION,
        Severity.RED,
        evidence,
    )


RULES = (
    Rule(
        "R10",
        _l("Worker disputes pay"),
        "条例 Art. 31; 人社部发〔2021〕53号",
        _l("Red while the worker's answer stands: the worker says a month's pay was not received or the amount is wrong."),
        _l("Call the worker and the foreman, compare the bank record with the sheet, and have any shortfall paid."),
        disputes,
    ),
    Rule(
        "R11",
        _l("Confirmation missing"),
        "条例 Art. 31",
        _l(
            "Yellow: no answer 7 days after the pay date; orange when over 30 per cent of a project's lines for a month are"
            " unconfirmed."
        ),
        _l("Ask the foreman to remind the workers, and check on site that they received their pay slips."),
        missing_confirmations,
    ),
    Rule(
        "R12",
        _l("Left without settlement"),
        "provincial warning rules",
        _l("Red: a worker left and, 30 days later, there is neither a final settlement line nor a settled confirmation."),
        _l("Have the employer settle the worker's wages in full and the worker confirm the settlement."),
        left_without_settlement,
    ),
    Rule(
        "R13",
        _l("Complaint"),
        "全国根治欠薪线索反映平台 practice",
        _l("Red until closed: a worker reported unpaid wages."),
        _l("Contact the worker within the day, investigate the months reported and close the complaint with its outcome."),
        complaints,
    ),
)
