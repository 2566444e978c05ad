"""The county's monthly statistics report (issue 13): per county of the user's area, for one month, the contracts
filed (new, renewed, changed, ended, expired: the filing records, the same events the employment-filing system
receives), contract coverage (from the latest risk run), payroll sheets and their totals, wage confirmations and
disputes, and flags opened and closed. Read side only; headers in Chinese, as the labour department files them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from wage_guard.accounts.models import User
from wage_guard.confirmations.models import Answer, WageConfirmation
from wage_guard.confirmations.models import Status as ConfirmationStatus
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import add_months
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.filing.models import FilingEvent, FilingRecord
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport
from wage_guard.risk.models import CountyRollup, CountyTrend
from wage_guard.sheets.writing import Sheet, Value

HEADER = (
    "县（区）",
    "代码",
    "月份",
    "新订合同",
    "续订",
    "变更",
    "解除或终止",
    "期满终止",
    "合同覆盖率（%，最近一次风险评估）",
    "工资表（份）",
    "工资条（条）",
    "应发合计（元）",
    "实发合计（元）",
    "发出工资确认",
    "确认收到",
    "有异议",
    "未答复",
    "新增预警",
    "办结预警",
)
DISPUTED = (Answer.NOT_RECEIVED, Answer.WRONG_AMOUNT, Answer.SETTLEMENT_DISPUTED)


def parse_month(text: str | None, *, today: date) -> date:
    """``YYYY-MM`` to its first day; without one, the month before ``today``.

    :raises ValidationFailed: not a month in that form, or a month that has not begun.
    """
    if not text:
        return add_months(today.replace(day=1), -1)
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationFailed(_("Give the month as YYYY-MM, e.g. 2026-11."), field="month") from None
    if first > today:
        raise ValidationFailed(_("The month %(month)s has not begun yet.", month=text), field="month")
    return first


def monthly_sheet(user: User, month: date) -> Sheet:
    counties = organisations.counties_in_scope(user)
    codes = [c.code for c in counties]
    filed = _filings(codes, month)
    payroll = _payroll(codes, month)
    answers = _confirmations(codes, month)
    rollups = {r.county_code: r for r in db.session.scalars(sa.select(CountyRollup).where(CountyRollup.county_code.in_(codes)))}
    trend = {
        t.county_code: t
        for t in db.session.scalars(sa.select(CountyTrend).where(CountyTrend.county_code.in_(codes), CountyTrend.month == month))
    }
    rows: list[list[Value]] = []
    for county in counties:
        code, label = county.code, month.strftime("%Y-%m")
        events, sheets, confirmations = filed[code], payroll.get(code), answers[code]
        rollup, flags = rollups.get(code), trend.get(code)
        row: list[Value] = [county.name, code, label, *(events[e.value] for e in FilingEvent)]
        row.append(rollup.coverage_pct if rollup and rollup.coverage_pct is not None else None)
        row.extend(sheets or (0, 0, Decimal("0.00"), Decimal("0.00")))
        row.extend(confirmations[k] for k in ("asked", "received", "disputed", "pending"))
        row.extend((flags.opened, flags.closed) if flags else (0, 0))
        rows.append(row)
    return Sheet(title=f"{month:%Y-%m} 月度统计", header=HEADER, rows=rows, widths=(14, 8, 8, *([10] * 16)))


def _filings(codes: list[str], month: date) -> dict[str, Counter[str]]:
    end = add_months(month, 1)
    query = (
        sa.select(Project.county_code, FilingRecord.event, sa.func.count())
        .join(Contract, Contract.id == FilingRecord.document_id)
        .join(Project, Project.id == Contract.project_id)
        .where(Project.county_code.in_(codes), FilingRecord.effective_on >= month, FilingRecord.effective_on < end)
        .group_by(Project.county_code, FilingRecord.event)
    )
    counts: dict[str, Counter[str]] = {code: Counter() for code in codes}
    for code, event, number in db.session.execute(query):
        counts[code][event] = number
    return counts


def _payroll(codes: list[str], month: date) -> dict[str, tuple[int, int, Decimal, Decimal]]:
    query = (
        sa.select(
            Project.county_code,
            sa.func.count(PayrollImport.id),
            sa.func.coalesce(sa.func.sum(PayrollImport.line_count), 0),
            sa.func.coalesce(sa.func.sum(PayrollImport.total_gross), 0),
            sa.func.coalesce(sa.func.sum(PayrollImport.total_net), 0),
        )
        .join(Project, Project.id == PayrollImport.project_id)
        .where(Project.county_code.in_(codes), PayrollImport.month == month, PayrollImport.superseded_at.is_(None))
        .group_by(Project.county_code)
    )
    return {code: (n, lines, Decimal(gross), Decimal(net)) for code, n, lines, gross, net in db.session.execute(query)}


def _confirmations(codes: list[str], month: date) -> dict[str, Counter[str]]:
    query = (
        sa.select(Project.county_code, WageConfirmation.status, WageConfirmation.answer, sa.func.count())
        .join(Project, Project.id == WageConfirmation.project_id)
        .where(
            Project.county_code.in_(codes),
            WageConfirmation.month == month,
            WageConfirmation.status != ConfirmationStatus.SUPERSEDED,
        )
        .group_by(Project.county_code, WageConfirmation.status, WageConfirmation.answer)
    )
    counts: dict[str, Counter[str]] = {code: Counter() for code in codes}
    for code, status, answer, number in db.session.execute(query):
        counts[code]["asked"] += number
        if status is ConfirmationStatus.ANSWERED and answer in DISPUTED:
            counts[code]["disputed"] += number
        elif status is ConfirmationStatus.ANSWERED:
            counts[code]["received"] += number
        else:
            counts[code]["pending"] += number
    return counts
