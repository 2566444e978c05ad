"""Alembic: one head, upgrade from empty works, and the models match the migrations exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, stamp, upgrade

from tests.factories import World
from tests.payroll.bank_support import MONTH, import_bank_file, import_sheet
from wage_guard import partitioning
from wage_guard.extensions import db
from wage_guard.partitioning import include_object

MIGRATIONS = Path(__file__).resolve().parent.parent / "wage_guard" / "migrations"
#: The revision before the payroll lines got their month (and their partitions on PostgreSQL).
PARTITIONS_DOWN = "c11a1b2c3d03"


def test_single_head() -> None:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_from_empty_matches_models_and_downgrades(app: Flask) -> None:
    with app.app_context():
        db.drop_all()
        try:
            upgrade(directory=str(MIGRATIONS))
            with db.engine.connect() as connection:
                include = include_object(connection.dialect.name, db.metadata)
                context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include})
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            downgrade(directory=str(MIGRATIONS), revision="base")
        finally:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.create_all()


def _rows(sql: str) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def test_partitioning_the_payroll_lines_keeps_every_line_and_reference_both_ways(app: Flask, world: World) -> None:
    """The migration that gives lines their month (and partitions them on PostgreSQL), down and up again over a
    month with lines, a wage confirmation and bank transfers."""
    import_sheet(app, world.project_b)
    import_bank_file(app, world.project_b)
    with app.app_context():
        lines = _rows("SELECT id, import_id, net FROM payroll_line ORDER BY id")
        references = _rows("SELECT line_id FROM wage_confirmation UNION ALL SELECT payroll_line_id FROM bank_transfer")
        postgresql = db.engine.dialect.name == "postgresql"
        try:
            stamp(directory=str(MIGRATIONS), revision="head")
            downgrade(directory=str(MIGRATIONS), revision=PARTITIONS_DOWN)
            assert _rows("SELECT id, import_id, net FROM payroll_line ORDER BY id") == lines
            columns = {column["name"] for column in sa.inspect(db.engine).get_columns("payroll_line")}
            assert "month" not in columns
            upgrade(directory=str(MIGRATIONS))
            assert _rows("SELECT id, import_id, net FROM payroll_line ORDER BY id") == lines
            assert {str(row[0]) for row in _rows("SELECT month FROM payroll_line")} == {MONTH.isoformat()}
            assert (
                _rows("SELECT line_id FROM wage_confirmation UNION ALL SELECT payroll_line_id FROM bank_transfer") == references
            )
            transfer_months = _rows("SELECT DISTINCT payroll_line_month FROM bank_transfer WHERE payroll_line_id IS NOT NULL")
            assert [str(month) for (month,) in transfer_months] == [MONTH.isoformat()]
            if postgresql:
                homes = _rows("SELECT DISTINCT tableoid::regclass::text FROM payroll_line")
                assert homes == [("payroll_line_2026_10",)]
                # and the coming months' partitions, as the scheduled job keeps them
                ahead = partitioning.partition_name("payroll_line", date.today().replace(day=1))
                assert _rows(f"SELECT to_regclass('{ahead}')::text") == [(ahead,)]
                keys = {row[0] for row in _rows("SELECT conname FROM pg_constraint WHERE contype = 'f' AND conparentid = 0")}
                assert {"fk_wage_confirmation_line_id_month", "fk_bank_transfer_payroll_line_id_month"} <= keys
        finally:
            db.session.remove()
            db.drop_all()
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
                connection.exec_driver_sql("DROP TABLE IF EXISTS payroll_line_unpartitioned")
                connection.exec_driver_sql("DROP TABLE IF EXISTS payroll_line_partitioned")
            db.create_all()
