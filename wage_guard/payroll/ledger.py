"""The wage ledger (工资支付台账) of a project's month: read-side queries and the rows of its XLSX export.

Why: 保障农民工工资支付条例 Art. 15 requires a written wage ledger per pay period, kept at least three years, with
the employer, the period, the pay date, each payee's name, ID number and contact, the days worked, gross pay,
deductions with their reasons, net pay, and the bank transfer voucher or the worker's signature. This module puts
those together from the current payroll version, the current bank result file and the workers' confirmations,
with the month's version history, for the foreman and the inspector. Nothing here writes; nothing deletes a
ledger (docs/retention.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wage_guard.confirmations import queries as confirmations
from wage_guard.confirmations.models import Answer, Status
from wage_guard.extensions import db
from wage_guard.i18n import _, _l
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank, reconciliation
from wage_guard.payroll.bank_models import BankResultImport, BankTransfer
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.sheets.writing import Sheet, Value

OUTCOME_LABELS = {
    reconciliation.PAID: _l("Paid"),
    reconciliation.FAILED: _l("Transfer failed"),
    reconciliation.AMOUNT_DIFFERS: _l("Paid a different amount"),
    reconciliation.NOT_PAID: _l("No transfer"),
    reconciliation.NOT_ON_PAYROLL: _l("Not on the payroll"),
}
CHANNEL_LABELS = {
    "bank": _l("Bank payroll service"),
    "wage_account": _l("Wage account"),
    "cash": _l("Cash"),
    "other": _l("Other"),
}
#: The export is the statutory ledger: its headers are Chinese whatever the viewer's language.
EXPORT_HEADER = (
    "序号", "姓名", "身份证号", "联系电话", "出勤天数", "加班小时", "应发工资", "扣款", "扣款原因", "实发工资",
    "发放日期", "发放方式", "收款账户名", "银行卡号后四位", "银行代发结果", "银行实付金额", "工人确认", "是否在册",
)  # fmt: skip
EXPORT_CHANNELS = {"bank": "银行代发", "wage_account": "专户代发", "cash": "现金", "other": "其他"}
EXPORT_OUTCOMES = {
    reconciliation.PAID: "已支付",
    reconciliation.FAILED: "代发失败",
    reconciliation.AMOUNT_DIFFERS: "金额不符",
    reconciliation.NOT_PAID: "无代发记录",
    reconciliation.NOT_ON_PAYROLL: "不在工资表",
}
EXPORT_CONFIRMATIONS = {
    "received": "已确认收到",
    "not_received": "未收到",
    "wrong_amount": "金额有误",
    "pending": "待确认",
    "held": "未发送（身份核验中）",
}


@dataclass(frozen=True)
class LedgerRow:
    line: PayrollLine
    #: The bank result for the line (``reconciliation.LINE_OUTCOMES``); None without a usable bank file.
    bank_outcome: str | None
    #: What the bank says arrived (the sum of the line's successful transfers); None without a usable bank file.
    bank_paid: Decimal | None
    #: The worker's answer or the confirmation's state (``confirmations.queries.status_by_line``); None: not asked.
    confirmation: str | None


@dataclass(frozen=True)
class Totals:
    lines: int = 0
    days: Decimal = Decimal(0)
    gross: Decimal = Decimal(0)
    deductions: Decimal = Decimal(0)
    net: Decimal = Decimal(0)
    bank_paid: Decimal = Decimal(0)


@dataclass(frozen=True)
class MonthLedger:
    project: Project
    month: date
    #: The current payroll version (None: nothing imported for the month).
    payroll: PayrollImport | None
    rows: list[LedgerRow]
    totals: Totals
    bank_import: BankResultImport | None
    #: True when the current bank file was reconciled with an older payroll version than the current one.
    bank_is_stale: bool
    #: Transfers of the current bank file that pay nobody on the payroll.
    unmatched: list[BankTransfer]
    #: Line outcomes (and not_on_payroll transfers) of the current bank file.
    outcome_counts: dict[str, int]
    payroll_versions: list[PayrollImport] = field(default_factory=list)
    bank_versions: list[BankResultImport] = field(default_factory=list)

    @property
    def month_text(self) -> str:
        """The pay period as written on the page and in URLs: 2026-10."""
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class MonthSummary:
    month: date
    payroll: PayrollImport
    versions: int
    bank_import: BankResultImport | None

    @property
    def month_text(self) -> str:
        return f"{self.month:%Y-%m}"


def outcome_label(outcome: str | None) -> str:
    return str(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else "—"


def channel_label(channel: str | None) -> str:
    return str(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else "—"


def confirmation_label(status: str | None) -> str:
    if status is None:
        return "—"
    if status in Answer.__members__.values():
        return Answer(status).label
    return Status(status).label if status in Status.__members__.values() else status


def months(project: Project) -> list[MonthSummary]:
    """Every month with a payroll, newest first: its current version, how many versions, its current bank file."""
    imports = db.session.scalars(
        sa.select(PayrollImport).where(PayrollImport.project_id == project.id).order_by(PayrollImport.month.desc())
    ).all()
    banks = db.session.scalars(
        sa.select(BankResultImport).where(BankResultImport.project_id == project.id, BankResultImport.superseded_at.is_(None))
    ).all()
    bank_of = {b.month: b for b in banks}
    summaries = []
    for month in dict.fromkeys(i.month for i in imports):
        of_month = [i for i in imports if i.month == month]
        current = next((i for i in of_month if i.superseded_at is None), of_month[0])
        summaries.append(MonthSummary(month, current, len(of_month), bank_of.get(month)))
    return summaries


def latest_month(project: Project) -> date | None:
    """The newest month with a wage sheet (None when the project has none)."""
    return db.session.scalar(sa.select(sa.func.max(PayrollImport.month)).where(PayrollImport.project_id == project.id))


def month_ledger(project: Project, month: date) -> MonthLedger:
    """The ledger of ``project``'s ``month`` from its current payroll version (empty when none was imported)."""
    payroll = bank.current_payroll(project, month)
    bank_import = bank.current_bank_import(project, month)
    lines = _lines(payroll)
    stale = bank_import is not None and payroll is not None and bank_import.payroll_import_id != payroll.id
    usable = bank_import if bank_import is not None and not stale else None
    by_line = bank.transfers_by_line(usable)
    statuses = confirmations.status_by_line([line.id for line in lines])
    rows = [_row(line, usable, by_line.get(line.id, []), statuses.get(line.id)) for line in lines]
    unmatched = [t for t in bank_import.transfers if t.payroll_line_id is None] if bank_import is not None else []
    return MonthLedger(
        project=project,
        month=month,
        payroll=payroll,
        rows=rows,
        totals=_totals(rows),
        bank_import=bank_import,
        bank_is_stale=stale,
        unmatched=unmatched,
        outcome_counts=_counts(rows, unmatched) if usable is not None else {},
        payroll_versions=_versions(PayrollImport, project, month),
        bank_versions=_versions(BankResultImport, project, month),
    )


def _lines(payroll: PayrollImport | None) -> list[PayrollLine]:
    if payroll is None:
        return []
    query = (
        sa.select(PayrollLine)
        .where(on_sheet(PayrollLine, payroll))
        .options(selectinload(PayrollLine.worker))
        .order_by(PayrollLine.row_number)
    )
    return list(db.session.scalars(query))


def _row(line: PayrollLine, usable: BankResultImport | None, transfers: list[BankTransfer], status: str | None) -> LedgerRow:
    if usable is None:
        return LedgerRow(line, None, None, status)
    outcome = reconciliation.line_outcome(line.net, [(t.amount, t.status) for t in transfers])
    paid = sum((t.amount for t in transfers if t.status == reconciliation.SUCCESS), Decimal(0))
    return LedgerRow(line, outcome, paid, status)


def _totals(rows: list[LedgerRow]) -> Totals:
    return Totals(
        lines=len(rows),
        days=sum((r.line.days_worked for r in rows), Decimal(0)),
        gross=sum((r.line.gross for r in rows), Decimal(0)),
        deductions=sum((r.line.deductions for r in rows), Decimal(0)),
        net=sum((r.line.net for r in rows), Decimal(0)),
        bank_paid=sum((r.bank_paid or Decimal(0) for r in rows), Decimal(0)),
    )


def _counts(rows: list[LedgerRow], unmatched: list[BankTransfer]) -> dict[str, int]:
    counts = {outcome: sum(1 for r in rows if r.bank_outcome == outcome) for outcome in reconciliation.LINE_OUTCOMES}
    counts[reconciliation.NOT_ON_PAYROLL] = len(unmatched)
    return counts


def _versions(model: type[PayrollImport] | type[BankResultImport], project: Project, month: date) -> list:  # type: ignore[type-arg]
    query = sa.select(model).where(model.project_id == project.id, model.month == month).order_by(model.version.desc())
    return list(db.session.scalars(query))


def export_sheet(ledger: MonthLedger) -> Sheet:
    """The ledger as one worksheet: a title block (employer, project, period, version), Chinese headers, a line per
    worker with the full ID number and phone (the statutory ledger needs them), and a totals row."""
    project, payroll = ledger.project, ledger.payroll
    preamble: list[list[Value]] = [
        ["工资支付台账"],
        ["用人单位", project.employer.name, "", "项目", project.name],
        ["工资所属期", f"{ledger.month:%Y-%m}", "", "工资表版本", payroll.version if payroll else "—"],
        ["工资表文件SHA-256", payroll.file_sha256 if payroll else "—"],
        ["银行代发回单SHA-256", ledger.bank_import.file_sha256 if ledger.bank_import else "—"],
    ]
    if ledger.bank_is_stale:
        preamble.append(["注意", "银行代发回单对应的是旧版本工资表，请重新导入银行代发回单"])
    rows = [_export_row(number, row) for number, row in enumerate(ledger.rows, start=1)]
    t = ledger.totals
    bank_total: Value = t.bank_paid if ledger.bank_import is not None and not ledger.bank_is_stale else None
    footer: list[list[Value]] = [["合计", f"{t.lines}人", "", "", t.days, None, t.gross, t.deductions, None, t.net]]
    footer[0] += [None, None, None, None, None, bank_total]
    widths = (6, 10, 21, 15, 9, 9, 12, 10, 16, 12, 12, 10, 12, 9, 12, 12, 14, 8)
    return Sheet(title=f"{ledger.month:%Y-%m}", header=EXPORT_HEADER, rows=rows, preamble=preamble, footer=footer, widths=widths)


def _export_row(number: int, row: LedgerRow) -> list[Value]:
    line = row.line
    return [
        number,
        line.name,
        line.id_number,
        line.worker.phone.removeprefix("+86") if line.worker is not None else "",
        line.days_worked,
        line.overtime_hours,
        line.gross,
        line.deductions,
        line.deduction_reason or "",
        line.net,
        line.pay_date,
        EXPORT_CHANNELS.get(line.channel or "", ""),
        line.payee_name or "",
        line.account_tail or "",
        EXPORT_OUTCOMES.get(row.bank_outcome or "", "—"),
        row.bank_paid,
        EXPORT_CONFIRMATIONS.get(row.confirmation or "", "—"),
        "是" if line.on_roster else "否",
    ]


def export_file_name(ledger: MonthLedger) -> str:
    """An ASCII file name (no personal data, no project name in the URL or headers)."""
    return f"wage-ledger-project{ledger.project.id}-{ledger.month:%Y-%m}.xlsx"


def no_payroll_message(month: date) -> str:
    return _("No payroll has been imported for %(month)s.", month=f"{month:%Y-%m}")
