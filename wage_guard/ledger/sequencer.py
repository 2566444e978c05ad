"""The evidence log's sequencer: moves the queued steps into the log, numbered and hashed into the tree.

One sequencer at a time (a PostgreSQL advisory lock; SQLite has one writer anyway) takes the committed queue in
order, gives each step the next sequence number, computes its leaf hash and the subtree hashes it completes, and
inserts the entries, the nodes and the new size in one transaction, in batches: the numbers have no gap and no
duplicate whatever the writers do. Writers (``services.append``) never wait for it. It runs right after each
commit that queued steps, every second from the scheduler, and inside a transaction that needs the log
complete (``integrate_now``). ``create_app`` imports this module, which registers the after-commit run.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from wage_guard.extensions import db
from wage_guard.ledger import merkle
from wage_guard.ledger.services import (
    ENTRIES,
    NODES,
    PENDING_NODES,
    QUEUE,
    QUEUED_STEPS,
    STATE,
    DbNodes,
    leaf_bytes,
    promote_nodes,
)

log = logging.getLogger(__name__)

#: Writing the state row takes its lock (a row lock on PostgreSQL, the write lock on SQLite) until the commit.
_LOCK = STATE.update().where(STATE.c.id == 1).values(size=STATE.c.size).returning(STATE.c.size)
#: The PostgreSQL advisory lock that makes one sequencer at a time ("wgLedger").
_SEQUENCER_LOCK = 0x77674C6564676572
#: Queued steps moved into the log per statement.
BATCH = 2000


def integrate_now() -> int:
    """Move every committed queued step into the log within the caller's transaction, waiting for a sequencer that
    is busy (what needs the log complete, such as an evidence package, calls this first). Returns how many."""
    return _integrate(db.session.connection(), db.session.info.setdefault(PENDING_NODES, {}), wait=True)


def integrate_queued(*, wait: bool = True) -> int:
    """The sequencer in a transaction of its own, committed here: move the committed queue into the log.

    With ``wait`` False it gives up at once (0) when another sequencer is at work, which will take these steps or
    leave them to the next run. Returns how many steps it moved."""
    pending: dict[tuple[int, int], bytes] = {}
    with db.engine.begin() as connection:
        moved = _integrate(connection, pending, wait=wait)
    promote_nodes(pending)
    return moved


def _integrate(connection: sa.Connection, pending: dict[tuple[int, int], bytes], *, wait: bool) -> int:
    newest = sa.select(sa.func.max(QUEUE.c.id))
    if connection.scalar(newest) is None or not _take_sequencer(connection, wait=wait):
        return 0  # nothing queued (no lock taken), or another sequencer is at work
    size = start = _lock_state(connection)
    nodes = DbNodes(connection, pending)
    # What is queued now, not what writers keep adding while this runs (the next run takes that).
    upto = connection.scalar(newest)
    if upto is None:
        return 0
    columns = (QUEUE.c.id, QUEUE.c.logged_at, QUEUE.c.kind, QUEUE.c.subject, QUEUE.c.payload)
    batch = sa.select(*columns).where(QUEUE.c.id <= upto).order_by(QUEUE.c.id).limit(BATCH)
    while rows := connection.execute(batch).all():
        entries, node_rows = [], []
        for entry_id, logged_at, kind, subject, payload in rows:
            leaf = merkle.leaf_hash(leaf_bytes(size, logged_at, kind, subject, payload))
            new = merkle.new_nodes(size, leaf, nodes.get)
            pending.update({(lv, ix): h for lv, ix, h in new})  # the next entry of the batch reads them
            node_rows += [{"level": lv, "index": ix, "hash": h} for lv, ix, h in new]
            entries.append(
                {"seq": size, "entry_id": entry_id, "logged_at": logged_at, "kind": kind, "subject": subject, "payload": payload}
                | {"leaf_hash": leaf.hex()}
            )
            size += 1
        _insert_rows(connection, ENTRIES, entries)
        _insert_rows(connection, NODES, node_rows)
        connection.execute(QUEUE.delete().where(QUEUE.c.id.in_([row.id for row in rows])))
    if size != start:
        connection.execute(STATE.update().where(STATE.c.id == 1).values(size=size))
    return size - start


#: PostgreSQL array types of the columns the sequencer writes, for ``_insert_rows``.
_ARRAY_TYPES = {"seq": "bigint", "entry_id": "bigint", "logged_at": "timestamptz", "kind": "text", "subject": "text"}
_ARRAY_TYPES |= {"payload": "text", "leaf_hash": "text", "level": "smallint", "index": "bigint", "hash": "bytea"}


def _insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert a batch in one statement: on PostgreSQL as arrays unnested (one parameter a column), elsewhere as
    SQLAlchemy's multi-row "insertmanyvalues". One statement per row, as a plain executemany sends them, was
    most of the sequencer's time; so was a VALUES list with a parameter a cell, which the driver parses per batch.
    """
    if not rows:
        return
    columns = list(rows[0])
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert().returning(table.c[columns[0]]), rows)
        return
    arrays = ", ".join(f"CAST(:{c} AS {_ARRAY_TYPES[c]}[])" for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    statement = sa.text(f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays})")  # noqa: S608 - fixed names
    connection.execute(statement, {c: [row[c] for row in rows] for c in columns})


def _take_sequencer(connection: sa.Connection, *, wait: bool) -> bool:
    """Be the one sequencer until the transaction ends (PostgreSQL; SQLite's write lock, taken next, serialises)."""
    if connection.dialect.name != "postgresql":
        return True
    if wait:
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_SEQUENCER_LOCK)))
        return True
    return bool(connection.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_SEQUENCER_LOCK))))


def _lock_state(connection: sa.Connection) -> int:
    """The log's size, with its state row locked (created on a new database without the migration's row)."""
    size = connection.execute(_LOCK).scalar()
    if size is None:
        connection.execute(_insert_ignoring_conflict(connection.dialect.name).values(id=1, size=0))
        size = connection.execute(_LOCK).scalar()
    assert size is not None
    return int(size)


def _insert_ignoring_conflict(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(STATE).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(STATE).on_conflict_do_nothing()


@event.listens_for(Session, "after_commit")
def _integrate_after_commit(session: Session) -> None:
    """Steps this transaction queued go into the log now, unless another process is sequencing (it or the next
    run takes them); a failure here is logged and left to the scheduler's sequencer."""
    if session.in_nested_transaction():  # a savepoint released (SQLAlchemy fires this too): not committed yet
        return
    if not session.info.pop(QUEUED_STEPS, False) or not current_app.config["LEDGER_INTEGRATE_AFTER_COMMIT"]:
        return
    try:
        integrate_queued(wait=False)
    except sa.exc.SQLAlchemyError as error:
        log.warning("evidence log: integrating after the commit failed (%s); the sequencer job will", type(error).__name__)
