"""The wage ledger (工资支付台账) of a project's month: what the sheet says, what the bank says and what each
worker confirmed, for the project's foreman and the county's inspectors only; and its XLSX export."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, id_number, login
from tests.payroll import files
from tests.payroll.bank_support import MONTH, NET, bank_csv, import_sheet
from tests.payroll.test_bank_import import import_bank
from wage_guard.confirmations import queries as confirmations
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll import ledger

LEDGER = "/projects/{p}/payroll/ledger/month?month=2026-10"
EXPORT = "/projects/{p}/payroll/ledger/export?month=2026-10"
MONTHS = "/projects/{p}/payroll/ledger/"


@pytest.fixture
def month(app: Flask, world: World) -> World:
    """Project B's 2026-10: the wage sheet and the bank's results (one of each outcome)."""
    import_sheet(app, world.project_b)
    import_bank(app, world.project_b, bank_csv())
    return world


def test_the_ledger_shows_each_line_with_its_bank_result_and_the_totals(app: Flask, month: World) -> None:
    with app.app_context():
        project = db.session.get(Project, month.project_b)
        assert project is not None
        result = ledger.month_ledger(project, MONTH)
        outcomes = {row.line.name: (row.bank_outcome, row.bank_paid) for row in result.rows}
        statuses = confirmations.status_by_line([row.line.id for row in result.rows])
        shown = {row.line.id: row.confirmation for row in result.rows}
    assert outcomes == {
        "赵六": ("paid", Decimal("4800.00")),
        "钱七": ("failed", Decimal(0)),
        "王五": ("amount_differs", Decimal("3600.00")),
        "李四": ("not_paid", Decimal(0)),
    }
    assert result.totals.net == sum(NET.values()) == Decimal("16200.00")
    assert (result.totals.gross, result.totals.deductions, result.totals.bank_paid) == (
        Decimal("16500.00"),
        Decimal("300.00"),
        Decimal("8400.00"),
    )
    assert [t.payee_name for t in result.unmatched] == ["吴十"]
    assert shown == {line_id: statuses.get(line_id) for line_id in shown}


def test_the_foreman_sees_the_month_on_a_page(app: Flask, month: World, client: FlaskClient) -> None:
    login(client, "foreman_b")
    response = client.get(LEDGER.format(p=month.project_b))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("赵六", "钱七", "王五", "李四", "吴十", "16200.00", "伙食费", "*1111", "3600.00"):
        assert text in html, text
    assert id_number(files.PEOPLE["赵六"]) not in html  # the page masks ID numbers
    assert html.count('class="status outcome-') >= 5
    months = client.get(MONTHS.format(p=month.project_b)).get_data(as_text=True)
    assert "2026-10" in months


def test_the_page_shows_every_version_of_the_month(app: Flask, month: World, client: FlaskClient) -> None:
    import_sheet(app, month.project_b, files.csv_bytes(files.sheet([files.wage_line("赵六", tail="1111")])))
    login(client, "foreman_b")
    html = client.get(LEDGER.format(p=month.project_b)).get_data(as_text=True)
    assert 'id="bank-stale"' in html
    assert html.count("<li>") >= 3  # two sheet versions and one bank file
    assert "钱七" not in html.split('id="versions"')[0].split('id="ledger"')[1]  # only the current version's lines


def test_a_month_without_payroll_and_a_bad_month_are_answered_plainly(app: Flask, world: World, client: FlaskClient) -> None:
    login(client, "foreman_b")
    response = client.get(LEDGER.format(p=world.project_b))
    assert response.status_code == 200
    assert 'id="no-payroll"' in response.get_data(as_text=True)
    assert client.get(EXPORT.format(p=world.project_b)).status_code == 404
    bad = client.get(f"/projects/{world.project_b}/payroll/ledger/month?month=October")
    assert bad.status_code == 422
    assert "2026-10" in bad.get_data(as_text=True)


@pytest.mark.parametrize("username", ["foreman_b", "employer_b", "inspector_y", "inspector_city", "admin"])
def test_the_project_and_its_county_see_the_ledger(month: World, client: FlaskClient, username: str) -> None:
    login(client, username)
    assert client.get(LEDGER.format(p=month.project_b)).status_code == 200
    assert client.get(EXPORT.format(p=month.project_b)).status_code == 200


@pytest.mark.parametrize("username", ["foreman_a", "employer_a", "inspector_x", "inspector_beijing"])
def test_another_project_or_county_cannot_see_the_ledger(month: World, client: FlaskClient, username: str) -> None:
    login(client, username)
    for url in (LEDGER, EXPORT, MONTHS):
        response = client.get(url.format(p=month.project_b))
        assert response.status_code == 404, url
        assert "赵六" not in response.get_data(as_text=True)


def test_anonymous_is_sent_to_the_login(month: World, client: FlaskClient) -> None:
    response = client.get(EXPORT.format(p=month.project_b))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- The XLSX export ---------------------------------------------------------------------------------------------


def test_the_export_opens_in_openpyxl_with_chinese_headers_and_the_right_totals(month: World, client: FlaskClient) -> None:
    login(client, "inspector_y")
    response = client.get(EXPORT.format(p=month.project_b))
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="wage-ledger-project2-2026-10.xlsx"'.replace(
        "project2", f"project{month.project_b}"
    )
    assert response.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["工资支付台账"] + [None] * (len(rows[0]) - 1)
    header_index = next(i for i, row in enumerate(rows) if row[0] == "序号")
    header = rows[header_index]
    assert header == list(ledger.EXPORT_HEADER)
    assert {"姓名", "身份证号", "应发工资", "扣款", "扣款原因", "实发工资", "发放日期", "银行代发结果"} <= set(header)
    lines = {row[1]: dict(zip(header, row, strict=True)) for row in rows[header_index + 1 : -1]}
    assert set(lines) == {"赵六", "钱七", "王五", "李四"}
    assert lines["赵六"]["身份证号"] == id_number(files.PEOPLE["赵六"])  # the statutory ledger keeps the ID number
    assert lines["赵六"]["联系电话"] == "13700000001"  # on B's roster
    assert lines["赵六"]["扣款原因"] == "伙食费"
    assert (lines["钱七"]["银行代发结果"], lines["王五"]["银行代发结果"], lines["李四"]["银行代发结果"]) == (
        "代发失败",
        "金额不符",
        "无代发记录",
    )
    assert lines["王五"]["银行实付金额"] == pytest.approx(3600)
    totals = dict(zip(header, rows[-1], strict=True))
    assert totals["序号"] == "合计"
    assert totals["实发工资"] == pytest.approx(16200)
    assert totals["应发工资"] == pytest.approx(16500)
    assert totals["扣款"] == pytest.approx(300)
    assert totals["银行实付金额"] == pytest.approx(8400)
    assert sum(line["实发工资"] for line in lines.values()) == pytest.approx(totals["实发工资"])


def test_writing_refuses_to_write_formulas_from_cell_text() -> None:
    from wage_guard.sheets import writing

    data = writing.workbook_bytes([writing.Sheet("t", ["姓名"], [['=HYPERLINK("http://x")'], ["-1+1"], ["张三"]])])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ['\'=HYPERLINK("http://x")', "'-1+1", "张三"]


def test_without_a_month_the_latest_month_is_shown(month: World, client: FlaskClient) -> None:
    login(client, "foreman_b")
    html = client.get(f"/projects/{month.project_b}/payroll/ledger/month").get_data(as_text=True)
    assert "2026-10" in html
    assert "赵六" in html


def test_a_workers_dispute_shows_in_the_ledger_and_its_export(app: Flask, month: World, client: FlaskClient) -> None:
    import sqlalchemy as sa

    from wage_guard import boundary, clock
    from wage_guard.codes.services import Requester
    from wage_guard.confirmations import services as confirming
    from wage_guard.confirmations.models import Answer, WageConfirmation

    with app.test_request_context():
        confirmation = db.session.scalars(sa.select(WageConfirmation)).one()  # 赵六, the one on B's roster
        confirming.answer(confirmation, "wrong_amount", amount="4500", via="link", now=clock.utcnow(), requester=Requester())
        boundary.commit()
        label = Answer.WRONG_AMOUNT.label
    login(client, "foreman_b")
    row = client.get(LEDGER.format(p=month.project_b)).get_data(as_text=True).split('id="line-3"')[1].split("</tr>")[0]
    assert label in row
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(EXPORT.format(p=month.project_b)).data)).active
    assert sheet is not None
    assert any(row[1] == "赵六" and "金额有误" in row for row in sheet.iter_rows(values_only=True))
