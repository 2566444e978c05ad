"""The flag list as a spreadsheet for the county's own records and reports: the rows of the filtered list, with
Chinese headers whatever the page's language (the labour department's forms are in Chinese)."""

from __future__ import annotations

from wage_guard import clock
from wage_guard.inspector.queries import FlagRow
from wage_guard.risk.models import FindingStatus
from wage_guard.risk.rules import BY_CODE
from wage_guard.sheets.writing import Sheet, Value

HEADER = (
    "预警编号",
    "等级",
    "规则",
    "规则名称",
    "法律依据",
    "项目",
    "县（区）代码",
    "期间",
    "处理状态",
    "情形是否仍存在",
    "估计欠薪金额（元）",
    "产生日期",
    "指派监察员",
)
SEVERITY = {"red": "红色", "orange": "橙色", "yellow": "黄色"}
WORKFLOW = {"open": "待处理", "acknowledged": "已确认", "investigating": "调查中", "resolved": "已办结", "dismissed": "已驳回"}


def flag_sheet(rows: list[FlagRow]) -> Sheet:
    return Sheet(
        title="风险预警", header=HEADER, rows=[_row(row) for row in rows], widths=(10, 6, 6, 30, 24, 24, 12, 10, 8, 8, 14, 12, 12)
    )


def _row(row: FlagRow) -> list[Value]:
    finding = row.finding
    rule = BY_CODE.get(finding.rule_code)
    return [
        finding.id,
        SEVERITY.get(finding.severity.value if finding.severity else "", ""),
        finding.rule_code,
        _chinese(rule.name) if rule else "",
        rule.law if rule else "",
        row.project.name,
        finding.county_code,
        finding.period,
        WORKFLOW.get(finding.workflow_status, finding.workflow_status),
        "是" if finding.status is FindingStatus.OPEN else "否",
        finding.amount_owed,
        clock.china_date(finding.opened_at),
        row.assignee.display_name if row.assignee else "",
    ]


def _chinese(text: object) -> str:
    """A rule's lazily translated name, in Chinese whatever the request's language."""
    from flask_babel import force_locale

    with force_locale("zh_Hans_CN"):
        return str(text)
