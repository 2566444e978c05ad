"""Wage sheets with the amounts the payroll rules R03-R06 and R09 read (gross, days, overtime, pay date), written
straight to the tables, and a one-case runner shared by the table-driven tests of those rules."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from tests.risk.people_support import sheet_row
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine

_serial = itertools.count(1)
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pay:
    """One line: the roster entry's worker (or a stranger when ``entry`` is None) and the amounts."""

    entry: Enrollment | None
    gross: str = "7700.00"
    days: str = "22"
    overtime: str | None = None
    pay_date: date | None = None
    net: str | None = None


def sheet(project: Project, month: date, *lines: Pay, superseded: bool = False) -> PayrollImport:
    total = sum((Decimal(p.net or p.gross) for p in lines), Decimal(0))
    row = sheet_row(project, month, len(lines), total, next(_serial), superseded)
    for number, pay in enumerate(lines, start=2):
        worker = pay.entry.worker if pay.entry else None
        db.session.add(
            PayrollLine(
                import_id=row.id,
                row_number=number,
                worker_id=worker.id if worker else None,
                on_roster=worker is not None,
                name=worker.name if worker else "陌生人",
                id_number="370322198503150000",
                id_number_index=worker.id_number_index if worker else f"{next(_serial):064d}",
                days_worked=Decimal(pay.days),
                overtime_hours=Decimal(pay.overtime) if pay.overtime is not None else None,
                gross=Decimal(pay.gross),
                deductions=Decimal(0),
                net=Decimal(pay.net or pay.gross),
                pay_date=pay.pay_date,
                channel="bank",
                payee_name=worker.name if worker else None,
                account_tail="1234",
            )
        )
    db.session.flush()
    return row
