"""Payroll imports built directly (PayrollImport/PayrollLine rows) and handed to the after-import hook, as the
import service does; and helpers that act like the worker (read the SMS, open the link, enter the code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import latest_code
from wage_guard import clock
from wage_guard.confirmations import services as confirmation_services
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.sms.models import OutboundSms

MONTH = date(2026, 10, 1)


@dataclass(frozen=True)
class Row:
    enrollment_id: int | None
    net: str = "4500.00"
    gross: str = "4800.00"
    deductions: str = "300.00"
    reason: str | None = "伙食费"
    days: str = "26"
    id_number: str = "110101199003074514"


def import_month(project_id: int, rows: list[Row], *, month: date = MONTH) -> int:
    """Store a new current version of the project's month and ask its workers (the scheduler's job); returns its id."""
    now = clock.utcnow()
    previous = db.session.scalar(
        sa.select(PayrollImport).where(
            PayrollImport.project_id == project_id, PayrollImport.month == month, PayrollImport.superseded_at.is_(None)
        )
    )
    if previous is not None:
        previous.superseded_at = now
    version = (previous.version + 1) if previous else 1
    total = sum((Decimal(r.net) for r in rows), Decimal(0))
    sheet = PayrollImport(
        project_id=project_id,
        month=month,
        version=version,
        file_name="10月工资表.xlsx",
        file_sha256="0" * 64,
        source="upload",
        line_count=len(rows),
        total_gross=total,
        total_deductions=Decimal(0),
        total_net=total,
        imported_at=now,
    )
    db.session.add(sheet)
    for number, row in enumerate(rows, start=3):
        entry = db.session.get(Enrollment, row.enrollment_id) if row.enrollment_id else None
        worker = entry.worker if entry else None
        sheet.lines.append(
            PayrollLine(
                row_number=number,
                worker=worker,
                on_roster=entry is not None and entry.project_id == project_id,
                name=worker.name if worker else "路人甲",
                id_number=worker.id_number if worker else row.id_number,
                id_number_index=worker.id_number_index if worker else f"{number:064d}",
                days_worked=Decimal(row.days),
                overtime_hours=Decimal("12"),
                gross=Decimal(row.gross),
                deductions=Decimal(row.deductions),
                deduction_reason=row.reason,
                net=Decimal(row.net),
                pay_date=date(2026, 11, 15),
                channel="bank",
                payee_name=worker.name if worker else None,
                account_tail="1234",
            )
        )
    db.session.flush()
    confirmation_services.request_pending(now=now)
    return sheet.id


def link_token(app: Flask, phone: str) -> str:
    """The token of the newest wage-confirmation link texted to ``phone``."""
    with app.app_context():
        for message in db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id.desc())):
            match = re.search(r"/w/([A-Za-z0-9_-]+)", message.body or "")
            if message.recipient == phone and match:
                return match.group(1)
    raise AssertionError("no wage-confirmation link was texted to this phone")


def messages_to(app: Flask, phone: str) -> list[str]:
    """The wage-confirmation texts (those with a /w/ link) sent to ``phone``, oldest first."""
    with app.app_context():
        messages = db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id))
        return [m.body or "" for m in messages if m.recipient == phone and "/w/" in (m.body or "")]


def open_slip(client: FlaskClient, token: str, phone: str) -> str:
    """Open the link, ask for the code, enter it: returns the pay slip page."""
    assert client.get(f"/w/{token}").status_code == 200
    assert client.post(f"/w/{token}/code").status_code == 302
    response = client.post(f"/w/{token}/verify", data={"code": latest_code(client.application, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/w/{token}/slip")
    assert page.status_code == 200
    return page.get_data(as_text=True)
