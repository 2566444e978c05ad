"""The county's monthly statistics report: contracts filed, payroll, confirmations and flags of the month, per
county of the inspector's area, as CSV and XLSX with Chinese headers."""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from tests.confirmations.support import Row, import_month
from tests.factories import World, login
from tests.journeys.conftest import SigningWorld
from tests.journeys.test_signing_journey import sign_one
from wage_guard import boundary
from wage_guard.confirmations.models import Answer, WageConfirmation
from wage_guard.confirmations.models import Status as ConfirmationStatus
from wage_guard.extensions import db
from wage_guard.inspector.reports import HEADER
from wage_guard.risk.models import CountyTrend


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_payroll_confirmations_and_flags_of_the_month(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b), Row(None, net="3000.00")], month=date(2026, 10, 1))
        confirmation = db.session.scalar(sa.select(WageConfirmation))
        assert confirmation is not None
        confirmation.status, confirmation.answer = ConfirmationStatus.ANSWERED, Answer.WRONG_AMOUNT
        db.session.add(CountyTrend(county_code="370321", month=date(2026, 10, 1), opened=4, closed=1))
        boundary.commit()
    client = app.test_client()
    login(client, "inspector_y")  # 桓台县 370321, project B's county
    response = client.get("/inspector/report.csv?month=2026-10")
    assert response.mimetype == "text/csv"
    [row] = _rows(response.get_data())
    assert list(row) == list(HEADER)
    assert (row["代码"], row["月份"]) == ("370321", "2026-10")
    assert (row["工资表（份）"], row["工资条（条）"], row["实发合计（元）"]) == ("1", "2", "7500.00")
    assert (row["发出工资确认"], row["有异议"], row["确认收到"], row["未答复"]) == ("1", "1", "0", "0")
    assert (row["新增预警"], row["办结预警"]) == ("4", "1")
    book = load_workbook(io.BytesIO(client.get("/inspector/report.xlsx?month=2026-10").get_data()), read_only=True)
    assert [c for c in next(book.worksheets[0].iter_rows(values_only=True))] == list(HEADER)


def test_contracts_filed_in_the_month(app: Flask, signing_world: SigningWorld) -> None:
    sign_one(app, signing_world, "李四")
    client = app.test_client()
    login(client, "inspector_city")  # 淄博市: a row for each of its counties
    rows = {r["代码"]: r for r in _rows(client.get("/inspector/report.csv?month=2026-11").get_data())}
    assert {"370321", "370322"} <= set(rows)
    assert all(code.startswith("3703") for code in rows)
    assert rows["370322"]["新订合同"] == "1"
    assert rows["370321"]["新订合同"] == "0"
    october = _rows(client.get("/inspector/report.csv?month=2026-10").get_data())
    assert {r["新订合同"] for r in october} == {"0"}


def test_a_bad_month_gets_a_clear_error(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "inspector_x")
    wrong = client.get("/inspector/report.csv?month=2026-13&lang=en")
    assert wrong.status_code in (400, 422)
    assert "YYYY-MM" in wrong.get_data(as_text=True)
    future = client.get("/inspector/report.csv?month=2027-01&lang=en")
    assert future.status_code in (400, 422)
    assert "has not begun" in future.get_data(as_text=True)
    [default] = _rows(client.get("/inspector/report.csv").get_data())
    assert default["月份"] == "2026-10"  # the month before the (frozen) 2026-11-02
    foreman = app.test_client()
    login(foreman, "foreman_a")
    assert foreman.get("/inspector/report.csv").status_code == 403
