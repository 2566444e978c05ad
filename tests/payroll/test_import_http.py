"""The upload page: the foreman imports a sheet; problems are listed row by row; outsiders cannot import."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Flask

from tests.factories import World, login
from tests.payroll import files
from wage_guard.extensions import db
from wage_guard.payroll.models import PayrollImport


def _url(world: World) -> str:
    return f"/projects/{world.project_b}/payroll/upload"


def _post(client, world: World, data: bytes, name: str = "工资.xlsx", month: str = "2026-10"):  # type: ignore[no-untyped-def]
    return client.post(_url(world), data={"month": month, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _imports(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PayrollImport)) or 0


def test_the_foreman_imports_a_month_and_sees_version_and_totals(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "foreman_b")
    page = client.get(_url(world))
    assert page.status_code == 200
    assert 'accept=".xlsx,.csv' in page.get_data(as_text=True)
    assert 'value="2026-10"' in page.get_data(as_text=True)  # last month, in China time
    response = _post(client, world, files.xlsx(files.sheet([files.wage_line("赵六"), files.wage_line("张三", number=2)])))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "已导入：2026-10，第 1 版" in html
    assert "9600.00" in html
    assert "有 1 行的人员不在本项目花名册中" in html
    response = _post(client, world, files.csv_bytes(files.sheet([files.wage_line("赵六")])), name="v2.csv")
    html = response.get_data(as_text=True)
    assert "已导入：2026-10，第 2 版" in html
    assert "已被取代" in html
    assert _imports(app) == 2


def test_every_problem_is_listed_and_nothing_is_imported(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "foreman_b")
    rows = files.sheet(
        [
            files.wage_line("张三", id_no="3.70322E+17"),
            files.wage_line("李四", number=2, id_no="370322199001010020"),
            files.wage_line("王五", number=3, net="4000.00"),
            files.wage_line("赵六", number=4, days=32),
            files.wage_line("钱七", number=5, gross="-100", deductions="0", net="0"),
        ]
    )
    response = _post(client, world, files.xlsx(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "工资表有 5 处问题，未导入任何数据。" in html
    for row, column in [(3, "身份证号码"), (4, "身份证号码"), (5, "实发工资"), (6, "出勤天数"), (7, "应发工资")]:
        assert f'<td data-label="行">{row}</td><td data-label="列">{column}</td>' in html
    assert _imports(app) == 0


def test_unusable_files_get_a_message_not_an_error_page(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "foreman_b")
    for data, name, words in [
        (b"", "a.xlsx", "文件是空的"),
        (files.not_a_zip(), "a.xlsx", "不是 Excel 工作簿"),
        (files.zip_bomb(), "a.xlsx", "解压后的数据量远超"),
        (b"x", "a.pdf", "请上传 .xlsx 或 .csv"),
    ]:
        response = _post(client, world, data, name=name)
        assert response.status_code == 422
        assert words in response.get_data(as_text=True)
    response = client.post(_url(world), data={"month": "2026-10"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择工资表文件" in response.get_data(as_text=True)
    assert _post(client, world, files.xlsx(files.sheet([files.wage_line("赵六")])), month="10月").status_code == 422
    assert _imports(app) == 0


def test_a_foreman_cannot_import_into_another_project(app: Flask, world: World) -> None:
    data = files.xlsx(files.sheet([files.wage_line("赵六")]))
    for username in ("foreman_a", "employer_a", "inspector_y"):
        client = app.test_client()
        login(client, username)
        assert _post(client, world, data).status_code in (403, 404), username
        assert client.get(_url(world)).status_code in (403, 404), username
    assert app.test_client().get(_url(world)).status_code == 302  # to the login page
    assert _imports(app) == 0
    client = app.test_client()
    login(client, "employer_b")
    assert _post(client, world, data).status_code == 200
