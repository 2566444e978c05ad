"""Importing the bank's payroll result file (代发回单) for a project's month and reconciling it with the payroll.

Why: this is what tells an inspector that a wage sheet was really paid (条例 Art. 31: wages go from the wage
account straight into each worker's own account). The import is all or nothing: a file with any wrong row is
refused with every problem listed. A valid file is reconciled line by line with the month's CURRENT payroll
version (``reconciliation``), stored as a new version of the month's bank results (the previous one stays in the
history) and logged in the evidence log with the file's SHA-256 and the outcome counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from wage_guard.accounts.models import User
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank_file, reconciliation
from wage_guard.payroll import queries as payroll_queries
from wage_guard.payroll import services as payroll_services
from wage_guard.payroll.bank_models import BankResultImport, BankTransfer
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.payroll.parsing import Problem
from wage_guard.risk.queue import queue_project
from wage_guard.sheets import reading

SOURCES = ("upload", "cli")


class BankFileRejected(ValidationFailed):
    """The file was not imported; ``problems`` lists every row, column, value and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        message = _("The bank result file was not imported. Correct these %(n)d problems and import it again.", n=len(problems))
        super().__init__(message, field="file")
        self.problems = problems


@dataclass(frozen=True)
class BankImportResult:
    bank_import: BankResultImport
    #: paid / failed / amount_differs / not_paid per payroll line, and not_on_payroll per transfer.
    counts: dict[str, int]


def current_payroll(project: Project, month: date) -> PayrollImport | None:
    """The month's payroll version that counts (None when no payroll was imported for it)."""
    return payroll_queries.current_import(project, month)


def current_bank_import(project: Project, month: date) -> BankResultImport | None:
    query = sa.select(BankResultImport).where(
        BankResultImport.project_id == project.id,
        BankResultImport.month == month,
        BankResultImport.superseded_at.is_(None),
    )
    return db.session.scalar(query)


def import_bank_results(
    actor: User | None, project: Project, month: date, file_name: str, data: bytes, *, source: str, now: datetime
) -> BankImportResult:
    """Import a bank result file for ``project``'s ``month`` and reconcile it with the current payroll.

    The caller has checked that ``actor`` (None for the command line) may manage the project.

    :raises ValidationFailed: when the month has no payroll yet or the file cannot be read.
    :raises BankFileRejected: when any row is wrong (nothing is stored).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    payroll = current_payroll(project, month)
    if payroll is None:
        raise ValidationFailed(
            _(
                "No payroll has been imported for %(month)s: import the wage sheet first, then the bank results.",
                month=f"{month:%Y-%m}",
            ),
            field="month",
        )
    transfers, problems = bank_file.parse_rows(reading.read_rows(file_name, data, payroll_services.limits()))
    if problems:
        raise BankFileRejected(problems)
    lines = [_pay_line(line) for line in payroll.lines]
    matches = reconciliation.reconcile(lines, transfers)
    bank_import = _store(actor, project, month, payroll, file_name, data, source=source, now=now)
    bank_import.row_count = len(transfers)
    for transfer, match in zip(transfers, matches, strict=True):
        bank_import.transfers.append(_transfer(transfer, match, payroll.month))
    db.session.flush()
    counts = reconciliation.outcome_counts(lines, transfers, matches)
    _log(bank_import, payroll, counts, now=now)
    queue_project(project.id, now)
    return BankImportResult(bank_import, counts)


def _pay_line(line: PayrollLine) -> reconciliation.PayLine:
    return reconciliation.PayLine(line.id, line.payee_name or line.name, line.account_tail, line.net)


def _transfer(row: reconciliation.TransferRow, match: reconciliation.Match, month: date) -> BankTransfer:
    return BankTransfer(
        row_number=row.row_number,
        payee_name=row.payee_name,
        account_tail=row.account_tail,
        amount=row.amount,
        status=row.status,
        transfer_date=row.transfer_date,
        payroll_line_id=match.line_id,
        payroll_line_month=None if match.line_id is None else month,
        outcome=match.outcome,
    )


def _store(
    actor: User | None,
    project: Project,
    month: date,
    payroll: PayrollImport,
    file_name: str,
    data: bytes,
    *,
    source: str,
    now: datetime,
) -> BankResultImport:
    """A new version of the month's bank results; the previous current version is superseded, never deleted."""
    # Serialise imports of one project's results (a PostgreSQL row lock; SQLite writes are serial anyway).
    db.session.execute(sa.select(Project.id).where(Project.id == project.id).with_for_update())
    versions = db.session.scalars(
        sa.select(BankResultImport).where(BankResultImport.project_id == project.id, BankResultImport.month == month)
    ).all()
    for earlier in versions:
        if earlier.superseded_at is None:
            earlier.superseded_at = now
    bank_import = BankResultImport(
        project_id=project.id,
        month=month,
        version=max((v.version for v in versions), default=0) + 1,
        payroll_import_id=payroll.id,
        file_name=file_name[-255:],
        file_sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        row_count=0,
        imported_by_id=actor.id if actor is not None else None,
        imported_at=now,
    )
    db.session.add(bank_import)
    return bank_import


def _log(bank_import: BankResultImport, payroll: PayrollImport, counts: dict[str, int], *, now: datetime) -> None:
    payload = {
        "project": bank_import.project_id,
        "month": f"{bank_import.month:%Y-%m}",
        "version": bank_import.version,
        "file_sha256": bank_import.file_sha256,
        "rows": bank_import.row_count,
        "payroll_import": payroll.id,
        "payroll_version": payroll.version,
        "outcomes": counts,
        "source": bank_import.source,
        "by": bank_import.imported_by_id,
    }
    ledger.append("bank_results_imported", f"bank_results:{bank_import.id}", payload, now=now)


def transfers_by_line(bank_import: BankResultImport | None) -> dict[int, list[BankTransfer]]:
    """The current bank file's transfers grouped by the payroll line they pay."""
    grouped: dict[int, list[BankTransfer]] = {}
    for transfer in bank_import.transfers if bank_import is not None else []:
        if transfer.payroll_line_id is not None:
            grouped.setdefault(transfer.payroll_line_id, []).append(transfer)
    return grouped
