"""Databases that exist only for one benchmark run: a SQLite file in a temporary directory, or a PostgreSQL
database created through the server's maintenance database and dropped afterwards.

Why: a benchmark must never touch a database it did not create (not the test suite's ``test`` database, not a
developer's). ``WAGE_GUARD_BENCH_ADMIN_URL`` names the maintenance database (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); the role needs CREATEDB.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

ADMIN_URL = os.environ.get("WAGE_GUARD_BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def own_database(kind: str, label: str, *, keep: bool = False) -> Iterator[str]:
    """The URL of a fresh, empty database of ``kind`` ("sqlite" or "postgresql"), dropped on exit unless ``keep``.

    :raises sqlalchemy.exc.OperationalError: when the PostgreSQL server cannot be reached.
    """
    if kind == "sqlite":
        directory = tempfile.mkdtemp(prefix=f"wage_guard_{label}_")
        yield "sqlite:///" + os.path.join(directory, f"{label}.sqlite")
        return
    name = f"wage_guard_{label}_{os.getpid()}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin.url.set(database=name).render_as_string(hide_password=False)
        finally:
            if not keep:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def bench_app(url: str, **extra: Any):  # type: ignore[no-untyped-def]
    """The app on ``url`` with throw-away random keys (testing mode), plus ``extra`` configuration."""
    from wage_guard import create_app

    key = base64.b64encode(os.urandom(32)).decode()
    config = {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "x" * 40,
        "FIELD_ENCRYPTION_KEY": key,
        "BLIND_INDEX_KEY": key,
        "CODE_HASH_KEY": key,
        "KEY_ENCRYPTION_KEY": key,
        "DOCUMENT_STORE_DIR": tempfile.mkdtemp(prefix="wage_guard_bench_documents_"),
    }
    return create_app({**config, **extra})
