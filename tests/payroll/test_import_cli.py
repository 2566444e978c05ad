"""``flask payroll import``: every problem printed and exit 1, unusable input exit 2, a summary and exit 0."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from tests.factories import World
from tests.payroll import files
from wage_guard.extensions import db
from wage_guard.payroll.models import PayrollImport


def _run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["payroll", "import", *args])


def _imports(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PayrollImport)) or 0


def test_a_good_file_is_imported_with_a_summary(app: Flask, world: World, tmp_path: Path) -> None:
    path = tmp_path / "十月.xlsx"
    path.write_bytes(files.xlsx(files.sheet([files.wage_line("赵六"), files.wage_line("张三", number=2)])))
    result = _run(app, str(path), "--project", str(world.project_b), "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert "2026-10" in result.output
    assert "9600.00" in result.output
    assert _imports(app) == 1
    again = _run(app, str(path), "--project", str(world.project_b), "--month", "2026-10")
    assert "第 2 版" in again.output


def test_every_problem_is_printed_and_nothing_imported(app: Flask, world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = files.sheet([files.wage_line("赵六", id_no="3.70322E+17"), files.wage_line("张三", number=2, days=40)])
    path.write_bytes(files.csv_bytes(rows, encoding="gbk"))
    result = _run(app, str(path), "--project", str(world.project_b), "--month", "2026-10")
    assert result.exit_code == 1
    assert "3\t身份证号码\t3.70322E+17\tExcel 把身份证号变成了科学计数法" in result.output
    assert "4\t出勤天数\t40\t2026-10 只有 31 天。" in result.output
    assert "Traceback" not in result.output
    assert _imports(app) == 0


def test_unusable_input_exits_2_without_a_traceback(app: Flask, world: World, tmp_path: Path) -> None:
    good = tmp_path / "a.xlsx"
    good.write_bytes(files.xlsx(files.sheet([files.wage_line("赵六")])))
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(files.not_a_zip())
    cases = [
        (str(tmp_path / "missing.xlsx"), str(world.project_b), "2026-10"),
        (str(empty), str(world.project_b), "2026-10"),
        (str(fake), str(world.project_b), "2026-10"),
        (str(good), "99999", "2026-10"),
        (str(good), "B", "2026-10"),
        (str(good), str(world.project_b), "October"),
    ]
    for path, project, month in cases:
        result = _run(app, path, "--project", project, "--month", month)
        assert result.exit_code == 2, (path, project, month, result.output)
        assert "Traceback" not in result.output
        assert result.output.strip()
    assert _imports(app) == 0
