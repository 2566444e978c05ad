"""Fixtures for the backup tests: the suite's app with a document store of its own, and a second, empty instance.

The second instance has the same ``WAGE_GUARD_*`` secrets (a restore needs them) on a database of its own: a new
SQLite file, or on PostgreSQL a database created for the test through the server's maintenance database
``postgres`` and dropped afterwards; no other database is touched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import test_config
from wage_guard import create_app
from wage_guard.extensions import db


@pytest.fixture(autouse=True)
def own_store(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's document store: a backup copies the whole store, not what earlier tests left in the shared one."""
    store = tmp_path / "documents"
    monkeypatch.setitem(app.config, "DOCUMENT_STORE_DIR", str(store))
    return store


@pytest.fixture
def postgres_tools(database_url: str) -> None:
    """On PostgreSQL, pg_dump and pg_restore: skipped loudly without them (a failure under CI=true)."""
    if sa.make_url(database_url).get_backend_name() != "postgresql":
        return
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            _unavailable(f"'{tool}' not found; apt-get install postgresql-client")


def _unavailable(reason: str) -> None:
    """Skip loudly, or fail under CI=true so a machine that lost a package cannot go green by skipping."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"BACKUP TESTS CANNOT RUN UNDER CI=true: {reason}", pytrace=False)
    pytest.skip(f"BACKUP TESTS SKIPPED: {reason}")


@pytest.fixture
def fresh_instance(database_url: str, tmp_path: Path, postgres_tools: None) -> Iterator[Flask]:
    """A second instance with the same secrets, an empty database and an empty document store."""
    with _empty_database(database_url, tmp_path) as url:
        instance = create_app({**test_config(url), "DOCUMENT_STORE_DIR": str(tmp_path / "restored-documents")})
        try:
            yield instance
        finally:
            with instance.app_context():
                db.session.remove()
                db.engine.dispose()


@contextmanager
def _empty_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the suite's server (SQLite: a new file); a PostgreSQL one is dropped on exit."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield "sqlite:///" + str(tmp_path / "restored.sqlite")
        return
    name = f"wage_guard_backup_test_{uuid.uuid4().hex[:12]}"
    maintenance = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with maintenance.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        maintenance.dispose()
