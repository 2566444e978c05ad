"""R07 Unknown payee, R08 Not paid to the worker's own account and R17 Bank result differs: who a current payroll
line pays, against the roster, the worker's name and the bank's 代发 result file.

Why together: all three read the current version of each project's month (``superseded_at`` is null) and name a
finding after the person on the line, so they share ``current_lines`` and ``line_subject``. Each is one or two
set-based statements over a county. R08 compares the payee's account name with the worker's; the payee name is
encrypted, so that comparison runs in Python, on the rows of the scope's county only, after SQL has already
settled the cash lines. R17 reads the outcomes the bank import stored (matched line, success or failure) and
sums a line's successful transfers in SQL; it never decrypts anything.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.payroll.bank_models import BankResultImport, BankTransfer
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.payroll.reconciliation import NOT_ON_PAYROLL, SUCCESS, normalise_name
from wage_guard.risk import line_pass
from wage_guard.risk.models import Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope, iso, money

CASH = "cash"
#: At most this many bank rows are listed in a finding's evidence (the count and total are always complete).
MAX_ROWS_LISTED = 50

LINE_COLUMNS = (
    PayrollLine.id.label("line_id"),
    PayrollLine.import_id,
    PayrollLine.row_number,
    PayrollLine.worker_id,
    PayrollLine.id_number_index,
    PayrollLine.net,
    PayrollImport.project_id,
    PayrollImport.month,
    PayrollImport.version,
    Project.county_code,
)


def current_lines(scope: Scope, *columns: Any) -> sa.Select[Any]:
    """Lines of the current payroll version of each project month in the scope (joined to import and project)."""
    query = (
        sa.select(*columns)
        .select_from(PayrollLine)
        .join(PayrollImport, on_sheet(PayrollLine, PayrollImport))
        .join(Project, Project.id == PayrollImport.project_id)
        .where(PayrollImport.superseded_at.is_(None))
    )
    return scope.where(query, Project.county_code, PayrollImport.project_id)


def line_subject(project_id: int, worker_id: int | None, id_number_index: str) -> str:
    """The person of a line on a project: the worker, else a short digest of the ID number's blind index (stable
    across re-imports of the month, unlike the line's id)."""
    if worker_id is not None:
        return f"project:{project_id}:worker:{worker_id}"
    return f"project:{project_id}:person:" + hashlib.sha256(id_number_index.encode()).hexdigest()[:16]


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def line_evidence(row: Any) -> dict[str, Any]:
    """Which line of which sheet version a finding is about (ids and numbers only, no names)."""
    return {
        "payroll_import": row.import_id,
        "payroll_version": row.version,
        "line": row.line_id,
        "row": row.row_number,
        "month": month_label(row.month),
        "net": money(row.net),
    }


def line_result(row: Any, outcome: Outcome, severity: Severity | None, evidence: dict[str, Any]) -> Result:
    subject = line_subject(row.project_id, row.worker_id, row.id_number_index)
    period = month_label(row.month)
    return Result(subject, period, row.project_id, row.county_code, row.worker_id, outcome, severity, evidence)


def unknown_payee(scope: Scope) -> list[Result]:
    """R07: current lines for someone not on the project's roster (as matched at import, checked against today's
    roster: a worker enrolled later, with an entry date within the month, was only registered late)."""
    entry_date = (
        sa.select(Enrollment.entry_date)
        .where(Enrollment.project_id == PayrollImport.project_id, Enrollment.worker_id == PayrollLine.worker_id)
        .scalar_subquery()
    )
    query = current_lines(scope, *LINE_COLUMNS, entry_date.label("entry_date")).where(_off_roster(scope))
    results = []
    for row in line_pass.rows(scope, query, "R07"):
        evidence = {**line_evidence(row), "expected": "on_project_roster", "actual": "not_on_roster"}
        evidence["known_person"] = row.worker_id is not None
        if row.entry_date is None:
            results.append(line_result(row, Outcome.VIOLATION, Severity.ORANGE, evidence))
        elif row.entry_date > month_end(row.month):
            evidence.update(inconclusive_because="on_roster_only_after_the_month", entry_date=iso(row.entry_date))
            results.append(line_result(row, Outcome.INCONCLUSIVE, None, evidence))
    return results


@line_pass.narrowing("R07")
def _off_roster(scope: Scope) -> sa.ColumnElement[bool]:
    return PayrollLine.on_roster.is_(False)


@line_pass.narrowing("R08")
def _maybe_not_own_account(scope: Scope) -> sa.ColumnElement[bool]:
    line = PayrollLine
    return sa.or_(line.channel == CASH, line.payee_name.is_(None), line.payee_differs.is_not(False))


def not_own_account(scope: Scope) -> list[Result]:
    """R08: cash pay, or an account name that is not the worker's (the roster name, else the sheet's name).

    One statement returns only the lines to look at: cash, no payee name, a payee the import found to differ
    (``payee_differs``, compared where both names were in clear text), and lines imported before that comparison
    was stored, whose names are decrypted and compared here. The worker's name is read only for returned rows.
    """
    worker_name = sa.select(Worker.name).where(Worker.id == PayrollLine.worker_id).scalar_subquery()
    columns = (PayrollLine.channel, PayrollLine.account_tail, PayrollLine.payee_differs, PayrollLine.name, PayrollLine.payee_name)
    query = current_lines(scope, *LINE_COLUMNS, *columns, worker_name.label("worker_name")).where(_maybe_not_own_account(scope))
    results = []
    for row in line_pass.rows(scope, query, "R08"):
        if row.channel == CASH:
            results.append(_own_account_result(row, "cash"))
        elif not normalise_name(row.payee_name or ""):
            results.append(_own_account_result(row, None))
        elif row.payee_differs or normalise_name(row.payee_name) != normalise_name(row.worker_name or row.name):
            results.append(_own_account_result(row, "payee_not_the_worker"))
    return results


def _own_account_result(row: Any, actual: str | None) -> Result:
    evidence = {
        **line_evidence(row),
        "channel": row.channel,
        "account_tail_given": bool(row.account_tail),
        "expected": "transfer_to_the_worker's_own_account",
    }
    if actual is None:
        evidence.update(actual="no_payee_name", inconclusive_because="no_payee_name_on_the_sheet")
        return line_result(row, Outcome.INCONCLUSIVE, None, evidence)
    evidence["actual"] = actual
    return line_result(row, Outcome.VIOLATION, Severity.RED, evidence)


def _transfer_totals(scope: Scope) -> sa.Subquery:
    """Per payroll line, its transfers in the current bank results: how many, how many succeeded, and the sum paid."""
    succeeded = BankTransfer.status == SUCCESS
    query = (
        sa.select(
            BankTransfer.payroll_line_id.label("line_id"),
            sa.func.count().label("transfers"),
            sa.func.sum(sa.case((succeeded, 1), else_=0)).label("succeeded"),
            sa.func.sum(sa.case((succeeded, BankTransfer.amount), else_=0)).label("paid"),
        )
        .join(BankResultImport, BankResultImport.id == BankTransfer.import_id)
        .join(Project, Project.id == BankResultImport.project_id)
        .where(BankResultImport.superseded_at.is_(None), BankTransfer.payroll_line_id.is_not(None))
        .group_by(BankTransfer.payroll_line_id)
    )
    return scope.where(query, Project.county_code, BankResultImport.project_id).subquery("bank_totals")


def bank_differs(scope: Scope) -> list[Result]:
    """R17: current lines (not cash, something to pay) in a month with a current bank result that did not pay them
    in full to them, and the month's successful transfers to no one on the payroll."""
    totals = _transfer_totals(scope)
    bank = BankResultImport
    query = (
        current_lines(
            scope,
            *LINE_COLUMNS,
            PayrollLine.pay_date,
            bank.id.label("bank_import"),
            bank.version.label("bank_version"),
            bank.payroll_import_id.label("reconciled_with"),
            totals.c.transfers,
            totals.c.succeeded,
            totals.c.paid,
        )
        .join(bank, sa.and_(bank.project_id == PayrollImport.project_id, bank.month == PayrollImport.month))
        .outerjoin(totals, totals.c.line_id == PayrollLine.id)
        .where(
            bank.superseded_at.is_(None),
            PayrollLine.net > 0,
            sa.or_(PayrollLine.channel.is_(None), PayrollLine.channel != CASH),
        )
    )
    tolerance = scope.settings.risk_amount_tolerance_yuan
    results = [r for row in db.session.execute(query) if (r := _bank_line_result(row, tolerance)) is not None]
    return results + _not_on_payroll(scope)


def _bank_line_result(row: Any, tolerance: Decimal) -> Result | None:
    evidence = {
        **line_evidence(row),
        "pay_date": iso(row.pay_date),
        "bank_import": row.bank_import,
        "bank_version": row.bank_version,
        "expected": money(row.net),
    }
    if row.reconciled_with != row.import_id:
        evidence.update(actual=None, inconclusive_because="bank_result_reconciled_with_another_payroll_version")
        return line_result(row, Outcome.INCONCLUSIVE, None, evidence)
    paid = Decimal(row.paid or 0)
    evidence.update(transfers=int(row.transfers or 0), transfers_succeeded=int(row.succeeded or 0), actual=money(paid))
    if not row.transfers:
        evidence["problem"] = "no_transfer_in_the_worker's_name"
    elif not row.succeeded:
        evidence["problem"] = "transfer_failed"
    elif abs(paid - row.net) > tolerance:
        evidence.update(problem="amount_differs", difference=money(paid - row.net))
    else:
        return None
    return line_result(row, Outcome.VIOLATION, Severity.RED, evidence)


def _not_on_payroll(scope: Scope) -> list[Result]:
    """Successful transfers of a current bank result that match no line of the payroll: one finding a month."""
    bank = BankResultImport
    current_payroll = (
        sa.select(PayrollImport.id)
        .where(PayrollImport.project_id == bank.project_id, PayrollImport.month == bank.month)
        .where(PayrollImport.superseded_at.is_(None))
        .scalar_subquery()
    )
    query = (
        sa.select(bank, Project.county_code, BankTransfer.row_number, BankTransfer.amount, current_payroll.label("current"))
        .join(BankTransfer, BankTransfer.import_id == bank.id)
        .join(Project, Project.id == bank.project_id)
        .where(bank.superseded_at.is_(None), BankTransfer.outcome == NOT_ON_PAYROLL, BankTransfer.status == SUCCESS)
        .order_by(bank.id, BankTransfer.row_number)
    )
    grouped: dict[int, list[Any]] = {}
    for row in db.session.execute(scope.where(query, Project.county_code, bank.project_id)):
        grouped.setdefault(row.BankResultImport.id, []).append(row)
    return [_not_on_payroll_result(rows) for rows in grouped.values()]


def _not_on_payroll_result(rows: list[Any]) -> Result:
    bank: BankResultImport = rows[0].BankResultImport
    evidence: dict[str, Any] = {
        "bank_import": bank.id,
        "bank_version": bank.version,
        "month": month_label(bank.month),
        "transfers": len(rows),
        "total": money(sum((Decimal(r.amount) for r in rows), Decimal(0))),
        "bank_rows": [r.row_number for r in rows[:MAX_ROWS_LISTED]],
        "expected": "every_transfer_on_the_payroll",
        "actual": "transfers_to_people_not_on_the_payroll",
    }
    outcome: Outcome = Outcome.VIOLATION
    severity: Severity | None = Severity.RED
    if rows[0].current != bank.payroll_import_id:
        outcome, severity = Outcome.INCONCLUSIVE, None
        evidence["inconclusive_because"] = "bank_result_reconciled_with_another_payroll_version"
    subject = f"project:{bank.project_id}:not_on_payroll"
    return Result(subject, month_label(bank.month), bank.project_id, rows[0].county_code, None, outcome, severity, evidence)


RULES = (
    Rule(
        "R07",
        _l("Unknown payee"),
        "LCPtracker daily-log vs payroll; 条例 Art. 28",
        _l("Orange: a current payroll line pays someone who is not on the project's roster."),
        _l("Ask the foreman who the person is; put them on the roster with a contract, or have the line removed."),
        unknown_payee,
    ),
    Rule(
        "R08",
        _l("Not paid to the worker's own account"),
        "条例 Art. 11, 31",
        _l("Red: the line was paid in cash, or to an account in another name than the worker's."),
        _l("Have the wages paid by bank transfer into the worker's own account and check who received this payment."),
        not_own_account,
    ),
    Rule(
        "R17",
        _l("Bank result differs"),
        "条例 Art. 11, 31",
        _l(
            "Red: the payroll says a line was paid but the bank's result for the month says the transfer failed, paid"
            " another amount (beyond 1 yuan) or went to another name; or the bank paid someone not on the payroll."
        ),
        _l("Ask the bank and the general contractor for the transfer records and have the missing wages paid."),
        bank_differs,
    ),
)
