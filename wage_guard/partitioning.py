"""PostgreSQL declarative partitioning by month, for the tables that grow by a month at a time (payroll lines).

Why by hand: SQLAlchemy renders ``PARTITION BY`` (``postgresql_partition_by``) but nothing else a partitioned
table needs, and no maintained library in the environment manages partitions for SQLAlchemy/Alembic (pg_partman
is a server extension that is not installed here). What this module adds:

- **the primary key.** PostgreSQL requires a partitioned table's primary key to contain the partition key. The
  models keep ``id`` as their mapped primary key (ids come from one sequence, so they stay unique), and the
  PostgreSQL DDL appends the partition key to the key it creates (``(id, month)``); SQLite gets ``id`` alone.
  Rows that refer to a partitioned row carry its month too, with a foreign key on both columns.
- **the default partition,** created with the table: a row of a month that has no partition of its own lands
  there, so an insert never fails for want of a partition.
- **the monthly partitions,** ``<table>_YYYY_MM``. ``ensure_months`` creates the missing ones, ahead of each
  month (the scheduled job) and before an import writes a month (the import). It creates each as a plain table
  and then attaches it: ``ATTACH PARTITION`` takes a lock that lets reads and writes of the table go on, where
  ``CREATE TABLE ... PARTITION OF`` would wait for every running query on the table and block all that follow.
  It runs on its own connection and commits at once, so that lock is held for milliseconds, not for the
  import's transaction; an import that then fails leaves an empty partition, which is harmless.
- **Alembic's comparison** (``include_object``): the partitions are not models, and the objects a model creates
  on one dialect only (``ddl_if``) are not expected on the other.

A month whose rows already sit in the default partition keeps them there (attaching a partition for them would
mean moving rows that other tables' foreign keys refer to); ``ensure_months`` skips that month and reports it,
and the rows stay correct and readable, just not pruned.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

log = logging.getLogger(__name__)

#: ``Table.info`` key naming the column a table is partitioned by (by month, on PostgreSQL).
PARTITION_KEY = "partition_key"
DEFAULT_SUFFIX = "default"
_PARTITION_NAME = re.compile(r"^(?P<parent>\w+?)_(?:default|\d{4}_\d{2})$")


def monthly(column: str) -> dict[str, Any]:
    """Table arguments that partition a table by ``column`` (a month's first day) on PostgreSQL."""
    return {"postgresql_partition_by": f"RANGE ({column})", "info": {PARTITION_KEY: column}}


def partition_name(table: str, month: date) -> str:
    return f"{table}_{month:%Y_%m}"


def default_name(table: str) -> str:
    return f"{table}_{DEFAULT_SUFFIX}"


@compiles(sa.PrimaryKeyConstraint, "postgresql")
def _primary_key_with_partition_key(constraint: sa.PrimaryKeyConstraint, compiler: Any, **kw: Any) -> str:
    """A partitioned table's primary key as PostgreSQL requires it: the mapped key plus the partition key."""
    table = constraint.table
    key = table.info.get(PARTITION_KEY)
    if key is None or key in constraint.columns or len(constraint) == 0:
        return str(compiler.visit_primary_key_constraint(constraint, **kw))
    names = [*(column.name for column in constraint.columns), key]
    text = str(compiler.define_constraint_preamble(constraint, **kw))
    text += "PRIMARY KEY (" + ", ".join(compiler.preparer.quote(name) for name in names) + ")"
    return text + str(compiler.define_constraint_deferrability(constraint))


def create_default_partition(table: sa.Table) -> None:
    """Give ``table`` its default partition whenever it is created on PostgreSQL (``create_all``)."""
    statement = sa.DDL(f"CREATE TABLE {default_name(table.name)} PARTITION OF {table.name} DEFAULT")
    sa.event.listen(table, "after_create", statement.execute_if(dialect="postgresql"))


def ensure_months(engine: sa.Engine, table: sa.Table, months: Iterable[date], *, lock_timeout: str) -> list[date]:
    """Create ``table``'s missing monthly partitions for ``months`` (first days), on PostgreSQL only, each waiting
    at most ``lock_timeout`` (e.g. ``"2s"``) for its locks (``OperationalError`` when that runs out).

    Returns the months it created. Safe to call concurrently (an advisory lock per table serialises it)."""
    if engine.dialect.name != "postgresql":
        return []
    wanted = {month.replace(day=1) for month in months} - existing_months(engine, table.name)
    return [month for month in sorted(wanted) if _attach(engine, table, month, lock_timeout)]


def _attach(engine: sa.Engine, partitioned: sa.Table, month: date, lock_timeout: str) -> bool:
    table, key = partitioned.name, partitioned.info[PARTITION_KEY]
    name = partition_name(table, month)
    upper = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    with engine.begin() as connection:
        connection.execute(sa.text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": lock_timeout})
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:table))"), {"table": table})
        if month in existing_months(connection, table):
            return False
        waiting = connection.scalar(
            sa.text(f"SELECT count(*) FROM {default_name(table)} WHERE {key} >= :lower AND {key} < :upper"),  # noqa: S608 - names from the models
            {"lower": month, "upper": upper},
        )
        if waiting:
            log.warning("%s: %d rows of %s stay in the default partition", table, waiting, f"{month:%Y-%m}")
            return False
        connection.exec_driver_sql(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        connection.exec_driver_sql(
            f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{month.isoformat()}') TO ('{upper.isoformat()}')"
        )
    return True


def existing_months(bind: sa.Engine | sa.Connection, table: str) -> set[date]:
    """The months that have a partition of their own (PostgreSQL)."""
    query = sa.text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = CAST(:table AS regclass)"
    )
    if isinstance(bind, sa.Engine):
        with bind.connect() as connection:
            names = list(connection.scalars(query, {"table": table}))
    else:
        names = list(bind.scalars(query, {"table": table}))
    months = set()
    for relname in names:
        found = re.fullmatch(rf"{re.escape(table)}_(\d{{4}})_(\d{{2}})", relname)
        if found:
            months.add(date(int(found.group(1)), int(found.group(2)), 1))
    return months


def include_object(dialect: str, metadata: sa.MetaData) -> Callable[..., bool]:
    """Alembic's ``include_object`` for ``dialect``: leave out the partitions of the partitioned tables, and the
    constraints and indexes a model creates on another dialect only."""

    def is_partition(name: str) -> bool:
        parent = _PARTITION_NAME.match(name)
        return parent is not None and PARTITION_KEY in getattr(metadata.tables.get(parent.group("parent")), "info", {})

    def include(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        if reflected and kind == "table" and name is not None and is_partition(name):
            return False
        # PostgreSQL clones a foreign key to a partitioned table for each partition (it reflects those too).
        if reflected and kind == "foreign_key_constraint" and is_partition(item.referred_table.name):
            return False
        condition = getattr(item, "_ddl_if", None)
        return condition is None or condition.dialect is None or dialect in _names(condition.dialect)

    return include


def _names(dialect: str | Iterable[str]) -> set[str]:
    return {dialect} if isinstance(dialect, str) else set(dialect)
