"""Declarative base with a constraint naming convention, so Alembic migrations are stable and portable."""

import sqlite3
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from wage_guard import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Every datetime is timezone-aware (TIMESTAMP WITH TIME ZONE on PostgreSQL).
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: sa.DateTime(timezone=True)},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow, onupdate=clock.utcnow)


#: SQLite's page cache per connection, in KiB (SQLite's default is 2 MiB): a 50,000-line wage sheet's rows and
#: their three indexes fit, so the import's ``executemany`` does not spill pages to disk mid-transaction.
SQLITE_CACHE_KIB = 32 * 1024


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_connection_settings(dbapi_connection: object, _record: object) -> None:
    """Settings SQLite keeps per connection (the embedded default database; PostgreSQL needs none here)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
