"""Importing the bank's transfer results (代发回单): reconciled line by line with the current wage sheet, all or
nothing, versioned, logged with the file's SHA-256; through the service, the command line and the upload page."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, login
from tests.payroll.bank_support import BANK_HEADER, BANK_ROWS, MONTH, bank_csv, bank_xlsx, import_sheet, wage_sheet
from tests.payroll.files import csv_bytes
from wage_guard import boundary, clock
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank, bank_file
from wage_guard.payroll.bank_models import BankResultImport, BankTransfer
from wage_guard.payroll.models import PayrollLine


@dataclass(frozen=True)
class Imported:
    id: int
    version: int
    counts: dict[str, int]


def import_bank(app: Flask, project_id: int, data: bytes, name: str = "代发回单.csv") -> Imported:
    with app.test_request_context():
        project = db.session.get(Project, project_id)
        assert project is not None
        result = bank.import_bank_results(None, project, MONTH, name, data, source="cli", now=clock.utcnow())
        boundary.commit()
        return Imported(result.bank_import.id, result.bank_import.version, result.counts)


def outcomes_by_name(app: Flask) -> dict[str, tuple[str, Decimal]]:
    """Each current transfer's payee -> (outcome, the net of the line it pays, or 0)."""
    with app.app_context():
        query = (
            sa.select(BankTransfer)
            .join(BankResultImport)
            .where(BankResultImport.superseded_at.is_(None))
            .order_by(BankTransfer.row_number)
        )
        return {
            t.payee_name: (t.outcome, t.payroll_line.net if t.payroll_line else Decimal(0)) for t in db.session.scalars(query)
        }


@pytest.mark.parametrize(("data", "name"), [(bank_csv(), "回单.csv"), (bank_xlsx(), "回单.xlsx")])
def test_a_bank_file_with_a_failed_transfer_and_a_different_amount_is_reconciled_line_by_line(
    app: Flask, world: World, data: bytes, name: str
) -> None:
    import_sheet(app, world.project_b)
    result = import_bank(app, world.project_b, data, name)
    assert result.counts == {"paid": 1, "failed": 1, "amount_differs": 1, "not_paid": 1, "not_on_payroll": 1}
    assert outcomes_by_name(app) == {
        "赵六": ("paid", Decimal("4800.00")),
        "钱七": ("failed", Decimal("4500.00")),
        "王五": ("amount_differs", Decimal("3900.00")),
        "吴十": ("not_on_payroll", Decimal(0)),
    }
    with app.app_context():
        stored = db.session.get(BankResultImport, result.id)
        assert stored is not None
        assert (stored.version, stored.row_count, stored.file_sha256) == (1, 4, hashlib.sha256(data).hexdigest())
        paid_line = db.session.scalars(sa.select(PayrollLine).where(PayrollLine.account_tail == "4444")).one()
        assert db.session.scalar(sa.select(BankTransfer).where(BankTransfer.payroll_line_id == paid_line.id)) is None


def test_the_import_is_logged_with_the_files_hash_and_the_outcome_counts(app: Flask, world: World) -> None:
    import_sheet(app, world.project_b)
    result = import_bank(app, world.project_b, bank_csv())
    with app.app_context():
        entry = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == "bank_results_imported")).one()
        payload = json.loads(entry.payload)
    assert entry.subject == f"bank_results:{result.id}"
    assert payload["file_sha256"] == hashlib.sha256(bank_csv()).hexdigest()
    assert payload["outcomes"] == result.counts
    assert (payload["month"], payload["version"], payload["payroll_version"]) == ("2026-10", 1, 1)
    assert "赵六" not in entry.payload  # no personal data in the public log


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(app: Flask, world: World) -> None:
    import_sheet(app, world.project_b)
    rows = [*BANK_ROWS, [5, "孙八", "6.22202E+18", "abc", "处理中", "2026-13-01"]]
    with app.test_request_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        with pytest.raises(bank.BankFileRejected) as rejected:
            bank.import_bank_results(None, project, MONTH, "回单.csv", bank_csv(rows), source="cli", now=clock.utcnow())
        boundary.rollback()
        columns = [str(bank_file.COLUMNS[key][0]) for key in ("account_tail", "amount", "status", "transfer_date")]
    assert [(p.row, p.column) for p in rejected.value.problems] == [(7, column) for column in columns]
    assert columns == ["账号", "金额", "状态", "日期"]  # the UI's language (Chinese by default)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankResultImport)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankTransfer)) == 0


def test_a_month_without_a_wage_sheet_is_refused(app: Flask, world: World) -> None:
    with app.test_request_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        with pytest.raises(ValidationFailed, match="2026-10"):
            bank.import_bank_results(None, project, MONTH, "回单.csv", bank_csv(), source="cli", now=clock.utcnow())


def test_importing_the_month_again_replaces_it_and_keeps_the_history(app: Flask, world: World) -> None:
    import_sheet(app, world.project_b)
    import_bank(app, world.project_b, bank_csv())
    corrected = [row if row[1] != "钱七" else [2, "钱七", "6222021234562222", "4500", "成功", "2026-11-16"] for row in BANK_ROWS]
    second = import_bank(app, world.project_b, bank_csv(corrected))
    assert second.version == 2
    assert second.counts == {"paid": 2, "failed": 0, "amount_differs": 1, "not_paid": 1, "not_on_payroll": 1}
    assert outcomes_by_name(app)["钱七"] == ("paid", Decimal("4500.00"))
    with app.app_context():
        versions = db.session.scalars(sa.select(BankResultImport).order_by(BankResultImport.version)).all()
        assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankTransfer)) == 8  # both files kept


def test_a_new_wage_sheet_version_makes_the_bank_results_stale_until_they_are_imported_again(app: Flask, world: World) -> None:
    from wage_guard.payroll import ledger

    import_sheet(app, world.project_b)
    import_bank(app, world.project_b, bank_csv())
    import_sheet(app, world.project_b, wage_sheet({"王五": {"deductions": "400.00"}}))  # net 3,600.00 now
    with app.app_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        month = ledger.month_ledger(project, MONTH)
        assert month.bank_is_stale
        assert {row.bank_outcome for row in month.rows} == {None}
    result = import_bank(app, world.project_b, bank_csv())
    assert result.counts["paid"] == 2  # 王五's 3,600.00 is now his net pay
    with app.app_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        assert not ledger.month_ledger(project, MONTH).bank_is_stale


# --- The command line --------------------------------------------------------------------------------------------


def test_cli_imports_and_prints_the_counts(app: Flask, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import_sheet(app, world.project_b)
    path = tmp_path / "代发回单.xlsx"
    data = bank_xlsx()  # once: openpyxl writes the current time into the file, so two calls may differ
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(
        args=["payroll", "bank-import", str(path), "--project", str(world.project_b), "--month", "2026-10"]
    )
    assert result.exit_code == 0, result.output
    assert "paid 1, failed 1, amount_differs 1, not_paid 1, not_on_payroll 1" in result.output
    assert hashlib.sha256(data).hexdigest() in result.output


def test_cli_lists_every_problem_and_exits_1(app: Flask, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import_sheet(app, world.project_b)
    path = tmp_path / "代发回单.csv"
    path.write_bytes(csv_bytes([BANK_HEADER, [1, "赵六", "1111", "-1", "成功", "2026-11-15"], [2, "", "2222", "1", "?", "x"]]))
    result = app.test_cli_runner().invoke(
        args=["payroll", "bank-import", str(path), "--project", str(world.project_b), "--month", "2026-10"]
    )
    assert result.exit_code == 1
    problem_lines = [line for line in result.output.splitlines() if line[:1].isdigit()]
    assert len(problem_lines) == 4
    assert problem_lines[0].startswith("2\t金额\t-1\t")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankResultImport)) == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--project", "999999", "--month", "2026-10"], "no such project"),
        (["--project", "{b}", "--month", "10/2026"], "2026-10"),
        (["--project", "{b}", "--month", "2026-09"], "2026-09"),
    ],
)
def test_cli_refuses_unusable_input_with_exit_2(app: Flask, world: World, tmp_path, args: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    import_sheet(app, world.project_b)
    path = tmp_path / "回单.csv"
    path.write_bytes(bank_csv())
    args = [a.format(b=world.project_b) for a in args]
    result = app.test_cli_runner().invoke(args=["payroll", "bank-import", str(path), *args])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


# --- The upload page ---------------------------------------------------------------------------------------------


def upload(client: FlaskClient, project_id: int, data: bytes, name: str = "回单.xlsx", month: str = "2026-10"):  # type: ignore[no-untyped-def]
    from io import BytesIO

    return client.post(
        f"/projects/{project_id}/payroll/bank",
        data={"month": month, "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_foreman_uploads_the_bank_file_and_sees_the_ledger(app: Flask, world: World, client: FlaskClient) -> None:
    import_sheet(app, world.project_b)
    login(client, "foreman_b")
    assert client.get(f"/projects/{world.project_b}/payroll/bank").status_code == 200
    response = upload(client, world.project_b, bank_xlsx())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{world.project_b}/payroll/ledger/month?month=2026-10")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "代发失败" in page or "Transfer failed" in page or "转账失败" in page
    assert "吴十" in page


def test_the_upload_page_lists_every_problem_and_imports_nothing(app: Flask, world: World, client: FlaskClient) -> None:
    import_sheet(app, world.project_b)
    login(client, "foreman_b")
    bad = csv_bytes([BANK_HEADER, [1, "赵六", "1111", "四千", "成功", "2026-11-15"], [2, "钱七", "2222", "1", "成功", "昨天"]])
    response = upload(client, world.project_b, bad, name="回单.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("<tr><td data-label=") == 2
    assert "四千" in html
    assert "昨天" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankResultImport)) == 0


def test_an_unreadable_file_gets_a_clear_message(app: Flask, world: World, client: FlaskClient) -> None:
    import_sheet(app, world.project_b)
    login(client, "foreman_b")
    response = upload(client, world.project_b, b"not a workbook", name="回单.xlsx")
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "status"), [("foreman_a", 404), ("inspector_y", 403), ("employer_a", 404)])
def test_outsiders_and_inspectors_cannot_import_bank_results(
    app: Flask, world: World, client: FlaskClient, username: str, status: int
) -> None:
    import_sheet(app, world.project_b)
    login(client, username)
    assert upload(client, world.project_b, bank_xlsx()).status_code == status
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankResultImport)) == 0
