"""``flask backup create DIR`` and ``flask backup restore DIR``: the database and the documents, checksummed.

A refusal is one message in Chinese and one in English on stderr with its exit status, never a traceback, and it
changes nothing: a backup that fails is removed again, a restore refuses before it writes.

Exit status: 0 done; 1 failed (the database or a PostgreSQL tool, a write, a damaged document store, another
dialect); 2 wrong usage; 3 DIR is not a complete, unchanged backup (the file is named); 4 the database to restore
into is not empty.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.backup import services
from wage_guard.backup.errors import BackupError
from wage_guard.i18n import _, _l, force_locale

#: Every message is printed in both languages: an operator's terminal has no language setting we can read.
LOCALES = ("zh_Hans_CN", "en")
_FOLDER = click.Path(path_type=Path)


@click.group()
def backup() -> None:
    """Backups of the database and the document store."""


@backup.command("create")
@click.argument("directory", type=_FOLDER)
@with_appcontext
def create(directory: Path) -> None:
    """Back up into DIRECTORY when it is missing or empty, else into a new timestamped folder inside it."""
    now = clock.utcnow()
    with _refusals():
        written = services.create_backup(services.backup_folder(directory, now=now), now=now)
    contents = written.manifest
    _say(
        _l(
            "Backup written to %(path)s: the %(dialect)s database and %(count)s documents, each with its SHA-256 in "
            "manifest.json.",
            path=str(written.folder),
            dialect=contents.dialect,
            count=len(contents.documents),
        )
    )
    _say(_l("It holds no WAGE_GUARD_* secrets: keep them apart (e.g. in a vault), a restore needs the same ones."))


@backup.command("restore")
@click.argument("directory", type=_FOLDER)
@with_appcontext
def restore(directory: Path) -> None:
    """Restore the backup in DIRECTORY into this instance, whose database must be empty."""
    with _refusals():
        contents = services.restore_backup(directory)
    _say(
        _l(
            "Restored the backup of %(created_at)s (%(dialect)s, database revision %(revision)s) with %(count)s documents.",
            created_at=contents.created_at,
            dialect=contents.dialect,
            revision=contents.alembic_revision or "-",
            count=len(contents.documents),
        )
    )
    _say(_l("Now check it: flask --app wsgi ledger verify, then flask --app wsgi contracts check-documents."))


def _say(message: Any, *, err: bool = False) -> None:
    """Print a lazy message once per language."""
    for locale in LOCALES:
        with force_locale(locale):
            click.echo(_("error: %(message)s", message=str(message)) if err else str(message), err=err)


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except BackupError as error:
        boundary.rollback()
        _say(error.lazy_message, err=True)
        sys.exit(error.exit_code)
    except (OSError, sa.exc.SQLAlchemyError) as error:  # before the service had a file or the database to name
        boundary.rollback()
        _say(_l("Stopped: %(reason)s. Nothing was changed.", reason=error), err=True)
        sys.exit(1)
