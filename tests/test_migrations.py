"""Alembic: one head, upgrade from empty works, and the models match the migrations exactly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from wage_guard.extensions import db
from wage_guard.partitioning import include_object

MIGRATIONS = Path(__file__).resolve().parent.parent / "wage_guard" / "migrations"


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
