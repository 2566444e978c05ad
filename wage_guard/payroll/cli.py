"""``flask payroll import FILE --project PROJECT_ID --month YYYY-MM``: import a month's wage sheet (.xlsx or .csv);
``flask payroll bank-import FILE --project PROJECT_ID --month YYYY-MM``: import the bank's transfer results.

Exit status: 0 imported (a summary is printed); 1 the sheet has problems in its rows, every one printed with row,
column, value and reason, and nothing was imported; 2 the input cannot be used at all (no such file or project, a
month that is not YYYY-MM, an empty, mislabelled, damaged or oversized file). Never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.errors import WageGuardError
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank, services
from wage_guard.payroll.parsing import Problem
from wage_guard.payroll.services import ImportRejected

EXIT_BAD_ROWS = 1
EXIT_UNUSABLE = 2


@click.group()
def payroll() -> None:
    """Payroll: import a month's wage sheet."""


@payroll.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--project", "project_id", required=True, help="The project's number (as in /projects/<number>).")
@click.option("--month", required=True, help="The wage month, YYYY-MM.")
@with_appcontext
def import_command(path: Path, project_id: str, month: str) -> None:
    """Import FILE as the new version of the project's month; nothing is stored if any row is wrong."""
    data, project = _inputs(path, project_id)
    try:
        wage_month = services.parse_month(month)
        payroll_import = services.import_payroll(None, project, wage_month, path.name, data, source="cli", now=clock.utcnow())
    except ImportRejected as rejected:
        boundary.rollback()
        _print_problems(rejected.message, rejected.problems)
        sys.exit(EXIT_BAD_ROWS)
    except WageGuardError as error:
        boundary.rollback()
        _fail(error.message)
    boundary.commit()
    click.echo(
        f"已导入 / imported: 项目 project {project.id}, {payroll_import.month:%Y-%m}, 第 {payroll_import.version} 版 version, "
        f"{payroll_import.line_count} 行 lines, 应发 gross {payroll_import.total_gross}, "
        f"扣款 deductions {payroll_import.total_deductions}, 实发 net {payroll_import.total_net}, "
        f"SHA-256 {payroll_import.file_sha256}"
    )


def _inputs(path: Path, project_id: str) -> tuple[bytes, Project]:
    """The file's bytes and the project, or exit 2 with the reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"无法读取文件 / cannot read the file: {path}: {exc.strerror or exc}")
    project = db.session.get(Project, int(project_id)) if project_id.isdigit() else None
    if project is None:
        _fail(f"没有这个项目 / no such project: {project_id}")
    return data, project


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(EXIT_UNUSABLE)


@payroll.command("bank-import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--project", "project_id", required=True, help="The project's number (as in /projects/<number>).")
@click.option("--month", required=True, help="The wage month, YYYY-MM.")
@with_appcontext
def bank_import_command(path: Path, project_id: str, month: str) -> None:
    """Import the bank's result file (代发回单) of the month and reconcile it with the current wage sheet."""
    data, project = _inputs(path, project_id)
    try:
        wage_month = services.parse_month(month)
        result = bank.import_bank_results(None, project, wage_month, path.name, data, source="cli", now=clock.utcnow())
    except bank.BankFileRejected as rejected:
        boundary.rollback()
        _print_problems(rejected.message, rejected.problems)
        sys.exit(EXIT_BAD_ROWS)
    except WageGuardError as error:
        boundary.rollback()
        _fail(error.message)
    boundary.commit()
    imported = result.bank_import
    counts = ", ".join(f"{outcome} {count}" for outcome, count in result.counts.items())
    click.echo(
        f"已导入银行代发回单 / bank results imported: 项目 project {project.id}, {imported.month:%Y-%m}, "
        f"第 {imported.version} 版 version, {imported.row_count} 笔 transfers, {counts}, SHA-256 {imported.file_sha256}"
    )


def _print_problems(message: str, problems: list[Problem]) -> None:
    click.echo(message, err=True)
    click.echo("行 row\t列 column\t值 value\t原因 reason", err=True)
    for problem in problems:
        row = str(problem.row) if problem.row is not None else "-"
        click.echo(f"{row}\t{problem.column or '-'}\t{problem.value or '-'}\t{problem.reason}", err=True)
