"""Payroll lines partitioned by month on PostgreSQL: the lines carry their sheet's month on both databases; on
PostgreSQL an import writes into its month's partition, the scheduled job prepares the coming months, a busy
default partition never holds up an import, and the rows that refer to a line name its month too.

The partitions outlive a test (they are tables, and each test only deletes rows), so the tests that create one
use months of their own and drop their partition first.
"""

from __future__ import annotations

import io
import logging
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from jobs.payroll import prepare_payroll_partitions
from jobs.registry import job_definitions
from tests.factories import World, login
from tests.payroll import files
from tests.payroll.bank_support import MONTH, import_bank_file, import_sheet
from wage_guard import boundary, clock, partitioning
from wage_guard.confirmations.models import WageConfirmation
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll import partitions, services
from wage_guard.payroll.bank_models import BankTransfer
from wage_guard.payroll.models import PayrollImport, PayrollLine

TABLE = PayrollLine.__table__


def _postgresql(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("partitions are PostgreSQL's (this run is on SQLite; the PostgreSQL run covers them)")


def _forget(app: Flask, *months: date) -> None:
    """Drop these months' partitions (empty ones) so that a test sees them created."""
    with app.app_context(), db.engine.begin() as connection:
        for month in months:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {partitioning.partition_name('payroll_line', month)}")


def _import(app: Flask, project_id: int, month: date) -> int:
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project is not None
        paid = f"{month:%Y-%m}-28"
        lines = [files.wage_line("赵六", pay_date=paid), files.wage_line("钱七", number=2, pay_date=paid)]
        sheet = files.csv_bytes(files.sheet(lines, title=None))
        try:
            imported = services.import_payroll(None, project, month, "工资表.csv", sheet, source="cli", now=clock.utcnow())
        except services.ImportRejected as rejected:
            raise AssertionError([str(problem.reason) for problem in rejected.problems]) from None
        boundary.commit()
        return int(imported.id)


def _homes(app: Flask, import_id: int) -> set[str]:
    """The partitions the import's lines are stored in."""
    with app.app_context():
        query = sa.text("SELECT DISTINCT tableoid::regclass::text FROM payroll_line WHERE import_id = :id")
        return set(db.session.scalars(query, {"id": import_id}))


def test_every_line_carries_its_sheets_month(app: Flask, world: World) -> None:
    import_id = _import(app, world.project_b, date(2026, 9, 1))
    with app.app_context():
        months = set(db.session.scalars(sa.select(PayrollLine.month).where(PayrollLine.import_id == import_id)))
        assert months == {date(2026, 9, 1)}
        # A line added through the ORM (as the tests' fixtures do) takes its sheet's month by itself.
        sheet = db.session.get(PayrollImport, import_id)
        assert sheet is not None
        line = PayrollLine(
            import_id=import_id, row_number=9, on_roster=False, name="孙八", id_number="370321198001011234",
            id_number_index="x" * 64, days_worked=Decimal(1), gross=Decimal(1), deductions=Decimal(0), net=Decimal(1),
        )  # fmt: skip
        db.session.add(line)
        db.session.commit()
        assert line.month == date(2026, 9, 1)


def test_the_table_is_partitioned_by_month_with_a_default_partition(app: Flask) -> None:
    _postgresql(app)
    with app.app_context():
        strategy = db.session.scalar(
            sa.text("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'payroll_line'::regclass")
        )
        key = db.session.scalars(
            sa.text(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'payroll_line'::regclass AND i.indisprimary"
            )
        )
        default = db.session.scalar(sa.text("SELECT to_regclass('payroll_line_default')::text"))
    assert (strategy, set(key), default) == ("r", {"id", "month"}, "payroll_line_default")


def test_an_import_writes_its_lines_into_its_months_partition(app: Flask, world: World) -> None:
    _postgresql(app)
    month = date(2031, 3, 1)
    _forget(app, month)
    import_id = _import(app, world.project_b, month)
    assert _homes(app, import_id) == {"payroll_line_2031_03"}
    # A second version of the month finds the partition there and uses it.
    assert _homes(app, _import(app, world.project_b, month)) == {"payroll_line_2031_03"}


def test_the_job_prepares_last_month_to_three_ahead_once(app: Flask) -> None:
    assert "prepare_payroll_partitions" in {job.id for job in job_definitions(app)}
    now = datetime(2032, 1, 20, 2, 0, tzinfo=clock.UTC)
    months = [date(2031, 12, 1), date(2032, 1, 1), date(2032, 2, 1), date(2032, 3, 1), date(2032, 4, 1)]
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        _forget(app, *months)
    with app.app_context():
        assert prepare_payroll_partitions(now=now) == (len(months) if postgresql else 0)
        assert prepare_payroll_partitions(now=now) == 0
        if postgresql:
            assert set(months) <= partitioning.existing_months(db.engine, "payroll_line")


def test_two_processes_preparing_the_same_month_create_it_once(app: Flask) -> None:
    _postgresql(app)
    month = date(2031, 5, 1)
    _forget(app, month)
    created: list[list[date]] = []
    start = threading.Barrier(2)

    def prepare() -> None:
        with app.app_context():
            start.wait()
            created.append(partitioning.ensure_months(db.engine, TABLE, [month], lock_timeout="30s"))

    threads = [threading.Thread(target=prepare) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [[], [month]]


def test_lines_already_in_the_default_partition_stay_there_and_are_reported(
    app: Flask, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Lines written without a partition (a path that skipped ``ensure``) are never moved: still read, not pruned."""
    _postgresql(app)
    month = date(2031, 7, 1)
    _forget(app, month)
    with app.app_context(), db.engine.begin() as connection:  # the month's partition is held off for the import
        connection.execute(sa.text("SELECT pg_advisory_lock(hashtext('payroll_line'))"))
        try:
            import_id = _import(app, world.project_b, month)
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(hashtext('payroll_line'))"))
    assert _homes(app, import_id) == {"payroll_line_default"}
    with app.app_context(), caplog.at_level(logging.WARNING):
        assert partitions.ensure([month]) == []
        assert db.session.scalar(sa.select(sa.func.count()).where(PayrollLine.month == month)) == 2
    assert "2 rows of 2031-07 stay in the default partition" in caplog.text


def test_a_busy_default_partition_does_not_hold_up_an_import(app: Flask, world: World) -> None:
    """A long read holding the default partition: creating the month's partition gives up after its lock wait
    and the import goes on, its lines in the default partition."""
    _postgresql(app)
    month = date(2031, 9, 1)
    _forget(app, month)
    with app.app_context(), db.engine.connect() as reader:
        reader.execute(sa.text("SELECT count(*) FROM payroll_line_default"))  # holds its lock until rollback
        try:
            assert partitions.ensure([month], wait="50ms") == []
            import_id = _import(app, world.project_b, month)
        finally:
            reader.rollback()
    assert _homes(app, import_id) == {"payroll_line_default"}


def test_a_confirmation_and_a_transfer_name_their_lines_month(app: Flask, world: World) -> None:
    import_sheet(app, world.project_b)
    import_bank_file(app, world.project_b)
    with app.app_context():
        confirmation = db.session.scalars(sa.select(WageConfirmation)).one()
        assert confirmation.line is not None
        assert confirmation.line.month == confirmation.month == MONTH
        transfers = db.session.scalars(sa.select(BankTransfer).where(BankTransfer.payroll_line_id.is_not(None))).all()
        assert {t.payroll_line_month for t in transfers} == {MONTH}
        assert all(t.payroll_line is not None and t.payroll_line.id == t.payroll_line_id for t in transfers)


def test_postgresql_refuses_a_confirmation_of_a_line_under_another_month(app: Flask, world: World) -> None:
    _postgresql(app)
    import_sheet(app, world.project_b)
    with app.app_context():
        confirmation_id = db.session.scalars(sa.select(WageConfirmation.id)).one()
        moved = sa.update(WageConfirmation).where(WageConfirmation.id == confirmation_id).values(month=date(2026, 11, 1))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(moved)
        db.session.rollback()


def test_the_foremans_upload_lands_in_its_months_partition(app: Flask, world: World) -> None:
    """The upload page reads the project's months before it imports: nothing it holds keeps the partition away."""
    _postgresql(app)
    month = date(2031, 4, 1)
    _forget(app, month)
    client = app.test_client()
    login(client, "foreman_b")
    paid = f"{month:%Y-%m}-28"
    sheet = files.csv_bytes(files.sheet([files.wage_line("赵六", pay_date=paid)], title=None))
    url = f"/projects/{world.project_b}/payroll/upload"
    response = client.post(
        url, data={"month": f"{month:%Y-%m}", "file": (io.BytesIO(sheet), "工资.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with app.app_context():
        import_id = db.session.scalars(sa.select(PayrollImport.id).where(PayrollImport.month == month)).one()
    assert _homes(app, import_id) == {"payroll_line_2031_04"}
