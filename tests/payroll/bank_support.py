"""A month of project B for the bank-result and wage-ledger tests: a wage sheet imported through the real service,
and the bank's result file for it with one transfer of each outcome.

The sheet (2026-10, net pay): 赵六 4,800.00 (card *1111, on B's roster), 钱七 4,500.00 (*2222), 王五 3,900.00
(*3333), 李四 3,000.00 (*4444). The bank paid 赵六 in full, 钱七's transfer failed, 王五 got 3,600.00, nothing went
to 李四, and 吴十, who is not on the sheet, got 2,000.00.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask

from tests.payroll import files
from wage_guard import boundary, clock
from wage_guard.confirmations import services as confirmations
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank, services
from wage_guard.payroll.models import PayrollImport

MONTH = date(2026, 10, 1)
LINES = {
    "赵六": dict(gross="5000.00", deductions="200.00", reason="伙食费", tail="1111"),
    "钱七": dict(gross="4500.00", deductions="0", reason=None, tail="2222"),
    "王五": dict(gross="4000.00", deductions="100.00", reason="住宿费", tail="3333"),
    "李四": dict(gross="3000.00", deductions="0", reason=None, tail="4444"),
}
NET = {"赵六": Decimal("4800.00"), "钱七": Decimal("4500.00"), "王五": Decimal("3900.00"), "李四": Decimal("3000.00")}
BANK_HEADER = ["序号", "户名", "卡号", "交易金额(元)", "处理结果", "交易日期"]
BANK_ROWS: list[list[Any]] = [
    [1, "赵六", "6222021234561111", "4,800.00", "成功", "20261115"],
    [2, "钱七", "6222 0212 3456 2222", "4500.00", "失败", "2026-11-15"],
    [3, "王 五", "6222****3333", "￥3,600.00元", "交易成功", "2026/11/15"],
    [4, "吴十", "6222021234569999", "2000", "成功", "2026年11月15日"],
]


def wage_sheet(changes: dict[str, dict[str, str]] | None = None) -> bytes:
    """The month's wage sheet as a UTF-8 CSV (with BOM), with optional per-person changes."""
    lines = []
    for number, (name, spec) in enumerate(LINES.items(), start=1):
        merged: dict[str, Any] = {**spec, **(changes or {}).get(name, {})}
        lines.append(files.wage_line(name, number=number, **merged))
    return files.csv_bytes(files.sheet(lines))


def bank_rows(rows: Sequence[Sequence[Any]] = BANK_ROWS) -> list[list[Any]]:
    """A bank's result file: a title row, the header, the transfers and a summary row."""
    return [
        ["中国工商银行 代发工资明细回单 批次号 20261115-0001"],
        BANK_HEADER,
        *map(list, rows),
        ["合计", "", "", "14,900.00", "", ""],
    ]


def bank_csv(rows: Sequence[Sequence[Any]] = BANK_ROWS, *, encoding: str = "gbk") -> bytes:
    return files.csv_bytes(bank_rows(rows), encoding=encoding)


def bank_xlsx(rows: Sequence[Sequence[Any]] = BANK_ROWS) -> bytes:
    return files.xlsx(bank_rows(rows), text_columns=(2,))


def import_sheet(app: Flask, project_id: int, data: bytes | None = None) -> int:
    """Import the month's wage sheet for the project (as the command line does); returns the import's id."""
    with app.test_request_context():
        project = db.session.get(Project, project_id)
        assert project is not None
        imported = services.import_payroll(
            None, project, MONTH, "工资表.csv", data or wage_sheet(), source="cli", now=clock.utcnow()
        )
        boundary.commit()
        confirmations.request_pending(now=clock.utcnow())  # the scheduler's job after an import
        boundary.commit()
        return imported.id


def import_bank_file(app: Flask, project_id: int) -> None:
    """Import the month's bank result file (``bank_csv``) for the project, as the command line does."""
    with app.test_request_context():
        project = db.session.get(Project, project_id)
        assert project is not None
        bank.import_bank_results(None, project, MONTH, "代发回单.csv", bank_csv(), source="cli", now=clock.utcnow())
        boundary.commit()


def current_import(app: Flask, project_id: int) -> PayrollImport:
    with app.app_context():
        from wage_guard.payroll import queries

        project = db.session.get(Project, project_id)
        assert project is not None
        found = queries.current_import(project, MONTH)
        assert found is not None
        db.session.expunge(found)
        return found
