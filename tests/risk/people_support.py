"""Payroll sheets, bank results, confirmations, settlements and complaints written straight to the tables, for the
tests of R07, R08, R10-R13 and R17 (the rules read only these rows, so the tests set exactly them)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.confirmations.models import Answer, Kind, Settlement, Status, WageConfirmation
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.bank_models import BankResultImport, BankTransfer
from wage_guard.payroll.models import PayrollImport, PayrollLine

_serial = itertools.count(1)
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Line:
    """One line of a sheet: a roster entry's worker, or a stranger (``entry`` None)."""

    entry: Enrollment | None = None
    net: str = "5000.00"
    pay_date: date | None = None
    channel: str | None = "bank"
    payee: str | None = "worker"  # "worker": the worker's own name; None: no payee name; else that name
    on_roster: bool | None = None
    worker_id: int | None = None
    #: What the import stored comparing payee and worker (None: a line from before that comparison was stored).
    payee_differs: bool | None = None


def sheet(project: Project, month: date, *lines: Line, version: int = 1, superseded: bool = False) -> PayrollImport:
    row = sheet_row(project, month, len(lines), sum((Decimal(line.net) for line in lines), Decimal(0)), version, superseded)
    for number, spec in enumerate(lines, start=1):
        db.session.add(_line(row, number, spec))
    db.session.flush()
    return row


def sheet_row(project: Project, month: date, lines: int, total: Decimal, version: int, superseded: bool) -> PayrollImport:
    """A stored sheet (version of ``project``'s ``month``) of ``lines`` lines paying ``total``, without its lines."""
    row = PayrollImport(
        project_id=project.id,
        month=month,
        version=version,
        file_name="工资表.xlsx",
        file_sha256="0" * 64,
        source="cli",
        line_count=lines,
        total_gross=total,
        total_deductions=Decimal(0),
        total_net=total,
        imported_at=STAMP,
        superseded_at=STAMP if superseded else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _line(sheet_row: PayrollImport, number: int, spec: Line) -> PayrollLine:
    n = next(_serial)
    worker = spec.entry.worker if spec.entry else None
    name = worker.name if worker else f"陌生人{n}"
    payee = name if spec.payee == "worker" else spec.payee
    return PayrollLine(
        import_id=sheet_row.id,
        row_number=number + 1,
        worker_id=worker.id if worker else spec.worker_id,
        on_roster=spec.on_roster if spec.on_roster is not None else worker is not None,
        payee_differs=spec.payee_differs,
        name=name,
        id_number="370322198503150000",
        id_number_index=worker.id_number_index if worker else f"{n:064d}",
        days_worked=Decimal("22.0"),
        gross=Decimal(spec.net),
        deductions=Decimal(0),
        net=Decimal(spec.net),
        pay_date=spec.pay_date,
        channel=spec.channel,
        payee_name=payee,
        account_tail="1234",
    )


def line_of(sheet_row: PayrollImport, entry: Enrollment | None = None) -> PayrollLine:
    return next(line for line in sheet_row.lines if entry is None or line.worker_id == entry.worker_id)


def bank(sheet_row: PayrollImport, *transfers: tuple[PayrollLine | None, str, str, str], version: int = 1) -> BankResultImport:
    """A current bank result for the sheet's month: (line or None, amount, "success"/"failed", outcome) per row."""
    row = BankResultImport(
        project_id=sheet_row.project_id,
        month=sheet_row.month,
        version=version,
        payroll_import_id=sheet_row.id,
        file_name="代发回单.xlsx",
        file_sha256="1" * 64,
        source="cli",
        row_count=len(transfers),
        imported_at=STAMP,
    )
    db.session.add(row)
    db.session.flush()
    for number, (line, amount, status, outcome) in enumerate(transfers, start=1):
        transfer = BankTransfer(
            import_id=row.id,
            row_number=number,
            payee_name="某人",
            account_tail="1234",
            amount=Decimal(amount),
            status=status,
            transfer_date=sheet_row.month,
            payroll_line_id=line.id if line else None,
            outcome=outcome,
        )
        db.session.add(transfer)
    db.session.flush()
    return row


def confirmation(line: PayrollLine, status: Status, answer: Answer | None = None, claimed: str | None = None) -> WageConfirmation:
    row = WageConfirmation(
        kind=Kind.MONTHLY,
        project_id=line.payroll_import.project_id,
        worker_id=line.worker_id,
        month=line.payroll_import.month,
        line_id=line.id,
        status=status,
        created_at=STAMP,
        answer=answer,
        answered_at=STAMP if answer else None,
        claimed_amount=Decimal(claimed) if claimed else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def settlement(entry: Enrollment, answer: Answer | None = None, status: Status = Status.PENDING) -> Settlement:
    assert entry.exit_date is not None
    row = Settlement(enrollment_id=entry.id, exit_date=entry.exit_date, amount=Decimal("3000.00"), recorded_at=STAMP)
    db.session.add(row)
    db.session.flush()
    db.session.add(
        WageConfirmation(
            kind=Kind.SETTLEMENT,
            project_id=entry.project_id,
            worker_id=entry.worker_id,
            settlement_id=row.id,
            status=Status.ANSWERED if answer else status,
            created_at=STAMP,
            answer=answer,
            answered_at=STAMP if answer else None,
        )
    )
    db.session.flush()
    return row


def complaint(project: Project, status: ComplaintStatus, worker_id: int | None = None) -> Complaint:
    row = Complaint(
        project_id=project.id,
        worker_id=worker_id,
        name="张三",
        phone="+8613700000000",
        months="2026-01,2026-02",
        amount=Decimal("9000.00"),
        source="poster",
        status=status,
        created_at=STAMP,
        verified_at=STAMP if status is not ComplaintStatus.UNVERIFIED else None,
        closed_at=STAMP if status is ComplaintStatus.CLOSED else None,
    )
    db.session.add(row)
    db.session.flush()
    return row
