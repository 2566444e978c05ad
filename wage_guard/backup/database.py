"""The database half of a backup: one consistent snapshot to a file, and its restore into an empty database.

SQLite: ``sqlite3.Connection.backup`` copies every page in one step under one read transaction, so the copy is
the database as it was at one moment while the app keeps writing. PostgreSQL: a REPEATABLE READ transaction
exports its snapshot and ``pg_dump --snapshot`` dumps exactly that snapshot; the same transaction then reads the
facts the manifest records (the Alembic revision, the documents the rows refer to), so they describe the dump
and not the database a moment later.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from wage_guard.backup import postgres
from wage_guard.backup.errors import BackupError, TargetNotEmpty
from wage_guard.backup.manifest import DATABASE_FILES, shortlist
from wage_guard.contracts.models import DOCUMENTS_IN_STORE, PREVIEWS_IN_STORE, ContractDocument, PagePreview
from wage_guard.i18n import _l

ALEMBIC_TABLE = "alembic_version"


@dataclass(frozen=True)
class Snapshot:
    dialect: str
    file_name: str
    alembic_revision: str | None
    #: The document-store keys the snapshot's rows refer to (versions and previews not kept as blobs).
    referenced: frozenset[str]


def dialect(engine: sa.Engine) -> str:
    """The engine's dialect if backups support it.

    :raises BackupError: neither SQLite (on a file) nor PostgreSQL.
    """
    name = engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(_l("Backups support SQLite and PostgreSQL databases, not %(dialect)s.", dialect=name))
    if name == "sqlite":
        _sqlite_path(engine)
    return name


def _sqlite_path(engine: sa.Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in database:
        raise BackupError(_l("The database is held in memory: there is no file to back up or restore into."))
    return Path(database)


def snapshot(engine: sa.Engine, folder: Path) -> Snapshot:
    """Write the database to ``folder`` as it is at one moment; returns what the manifest records of it."""
    target = folder / DATABASE_FILES[dialect(engine)]
    if engine.dialect.name == "sqlite":
        source_uri = _sqlite_path(engine).resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(source_uri, uri=True)) as source:
            with contextlib.closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
        copy_engine = sa.create_engine("sqlite:///" + str(target), poolclass=NullPool)
        try:
            with copy_engine.connect() as connection:
                revision, referenced = _facts(connection)
        finally:
            copy_engine.dispose()
        return Snapshot("sqlite", target.name, revision, referenced)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            exported = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            postgres.run("pg_dump", engine.url, ["--format=custom", f"--snapshot={exported}", f"--file={target}"])
            revision, referenced = _facts(connection)
    return Snapshot("postgresql", target.name, revision, referenced)


def _facts(connection: sa.Connection) -> tuple[str | None, frozenset[str]]:
    """The Alembic revision (None for a schema made without migrations) and the document keys, as ``connection`` sees them."""
    revision = None
    if sa.inspect(connection).has_table(ALEMBIC_TABLE):
        versions = connection.execute(sa.text(f"SELECT version_num FROM {ALEMBIC_TABLE} ORDER BY version_num")).scalars()  # noqa: S608 - a constant
        revision = ",".join(versions) or None
    documents = sa.select(ContractDocument.sha256).where(DOCUMENTS_IN_STORE)
    previews = sa.select(PagePreview.sha256).where(PREVIEWS_IN_STORE)
    keys = {str(key) for query in (documents, previews) for key in connection.execute(query).scalars()}
    return revision, frozenset(keys)


def require_empty(engine: sa.Engine) -> None:
    """Refuse a database that holds anything: a restore never merges into or overwrites data.

    Empty means no tables, or only an empty ``alembic_version`` (what ``flask db stamp base`` leaves).

    :raises TargetNotEmpty: naming up to five of its tables.
    """
    with engine.connect() as connection:
        tables = sorted(sa.inspect(connection).get_table_names())
        if tables == [ALEMBIC_TABLE] and not connection.execute(sa.text(f"SELECT 1 FROM {ALEMBIC_TABLE}")).first():  # noqa: S608
            return
    if tables:
        raise TargetNotEmpty(
            _l(
                "The target database is not empty (it has %(count)s tables: %(tables)s): restore only into a new, "
                "empty database. Nothing was restored.",
                count=len(tables),
                tables=shortlist(tables, 5),
            )
        )


def restore(engine: sa.Engine, dump: Path) -> None:
    """Load ``dump`` (written by :func:`snapshot` on the same dialect) into the empty database, all or nothing.

    SQLite: the backup API copies the dump into the database file in one transaction. PostgreSQL: ``pg_restore
    --single-transaction --exit-on-error``, objects owned by the connecting role (``--no-owner``) and no grants
    (``--no-privileges``: the roles of the old server need not exist here).
    """
    engine.dispose()
    try:
        if engine.dialect.name == "sqlite":
            dump_uri = dump.resolve().as_uri() + "?mode=ro"
            with contextlib.closing(sqlite3.connect(dump_uri, uri=True)) as source:
                with contextlib.closing(sqlite3.connect(_sqlite_path(engine))) as target:
                    source.backup(target)
            return
        with engine.begin() as connection:  # an empty alembic_version would collide with the restored one
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {ALEMBIC_TABLE}")
        arguments = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(dump)]
        postgres.run("pg_restore", engine.url, arguments)
    finally:
        engine.dispose()
