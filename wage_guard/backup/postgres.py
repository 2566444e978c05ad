"""Run ``pg_dump`` and ``pg_restore`` against the database a SQLAlchemy URL names, without the password in argv.

The URL becomes a libpq connection string (host, port, user, database and every query parameter, e.g.
``sslmode``), passed as ``--dbname``; the password goes only into the child's ``PGPASSWORD``. Command lines are
visible to every user of the machine (``ps``) and end up in logs; the environment of a process is not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

import sqlalchemy as sa

from wage_guard.backup.errors import BackupError
from wage_guard.i18n import _l

#: How long one dump or restore may take before it is stopped (a large database takes a while).
TIMEOUT_SECONDS = 6 * 3600


def conninfo(url: sa.engine.URL) -> str:
    """The libpq connection string for ``url``, leaving out the password."""
    parameters: dict[str, object] = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():
        parameters[key] = ",".join(value) if isinstance(value, tuple) else value
    return " ".join(f"{key}={_quoted(str(value))}" for key, value in parameters.items() if value not in (None, ""))


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def environment(url: sa.engine.URL) -> dict[str, str]:
    """The child's environment: ours, with the password (if the URL has one) as ``PGPASSWORD``."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return env


def command(tool: str, url: sa.engine.URL, arguments: Sequence[str]) -> list[str]:
    """The argv for ``tool`` on ``url``'s database (no password in it).

    :raises BackupError: the PostgreSQL client tool is not installed.
    """
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            _l("%(tool)s is not installed: install the PostgreSQL client tools (apt-get install postgresql-client).", tool=tool)
        )
    return [executable, f"--dbname={conninfo(url)}", *arguments]


def run(tool: str, url: sa.engine.URL, arguments: Sequence[str]) -> None:
    """Run ``tool`` to completion.

    :raises BackupError: not installed, failed (with the last line it wrote to stderr), or timed out.
    """
    argv = command(tool, url, arguments)
    try:
        result = subprocess.run(  # noqa: S603 - a PostgreSQL client tool found on PATH, our own arguments
            argv, env=environment(url), capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(
            _l("%(tool)s did not finish within %(hours)s hours.", tool=tool, hours=TIMEOUT_SECONDS // 3600)
        ) from exc
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = lines[-1] if lines else ""
        raise BackupError(
            _l("%(tool)s failed (exit status %(status)s): %(detail)s", tool=tool, status=result.returncode, detail=detail)
        )
