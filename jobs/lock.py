"""One scheduler at a time: a lock held by the scheduler process for as long as it runs.

Two ``python -m jobs`` (a second deploy, an operator's stray start) would send every SMS and publish every tree
head twice. The lock is the database's own where it has one (a PostgreSQL session advisory lock, held on a
connection kept open) and, for SQLite, an exclusive ``flock`` on a file beside the database file: SQLite is that
file, so the lock lives where the data does. Both are released by the operating system or the server when the
process ends, however it ends, so a crashed scheduler never leaves a stale lock and a standby takes over.
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

log = logging.getLogger(__name__)
#: Key of the PostgreSQL advisory lock (any 64-bit number that nothing else in the database uses).
ADVISORY_KEY = 0x77675F6A6F6273  # "wg_jobs"


class SchedulerLock:
    """Try to become the one scheduler; :meth:`acquire` is non-blocking and can be called again later."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._connection: sa.Connection | None = None
        self._file: IO[Any] | None = None

    def acquire(self) -> bool:
        if self._connection is not None or self._file is not None:
            return True
        if self._engine.dialect.name == "postgresql":
            return self._acquire_advisory()
        if self._engine.dialect.name == "sqlite":
            return self._acquire_file()
        raise RuntimeError(f"no scheduler lock for the {self._engine.dialect.name} database")

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends the session, which releases its advisory lock
            self._connection = None
        if self._file is not None:
            self._file.close()  # closing the descriptor releases the flock
            self._file = None

    def _acquire_advisory(self) -> bool:
        connection = self._engine.connect()
        got = bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar())
        connection.commit()
        if got:
            self._connection = connection
        else:
            connection.close()
        return got

    def _acquire_file(self) -> bool:
        database = self._engine.url.database
        if not database or database == ":memory:":
            raise RuntimeError("the scheduler needs a file database to lock")
        handle = Path(database + ".scheduler.lock").open("a")  # noqa: SIM115 - held open for the process's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True
