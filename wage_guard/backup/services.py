"""Back up the database and the document store into one checksummed folder, and restore it into an empty instance.

Why the copy is consistent without stopping the app: the database is copied as one snapshot (``database``: the
SQLite online backup API, or ``pg_dump`` on an exported PostgreSQL snapshot). The documents are copied after it,
from either backend of the store (a local directory or an S3-compatible object store, ``documents.store``), and a
document the snapshot refers to cannot be missing by then: the store is content-addressed and append-only (a
document is named by its SHA-256 and stored whole or not at all, never changed or deleted),
and a PDF (``contracts.records``) or a preview (``contracts.services``) is put into it before the row that names
it is even flushed. So every file a committed row names was complete in the store before the snapshot began and
is still there, unchanged, when it is copied. Files added later are copied too; they are harmless extras, like
the unreferenced file a rolled-back version leaves. Each document is re-hashed while it is copied, and the keys
the snapshot's rows name are checked against what was copied, so a store damaged behind the platform's back stops
the backup instead of hiding in it.

Key material goes into a backup only as it is at rest: the signing keys, the issuing CA, the timestamp authority
and the evidence-log key are rows wrapped under ``KEY_ENCRYPTION_KEY``; the root CA key is in its offline file;
personal data is encrypted under ``FIELD_ENCRYPTION_KEY``. The ``WAGE_GUARD_*`` secrets themselves (and
``instance/secrets.json``) are never copied: the operator keeps them apart, e.g. in a vault (docs/backup.md).
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import sqlite3
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from wage_guard import ROOT
from wage_guard.backup import database, manifest
from wage_guard.backup.errors import BackupDamaged, BackupError
from wage_guard.backup.manifest import FileEntry, Manifest
from wage_guard.documents.store import DocumentMissing, DocumentStore, LocalDocumentStore, document_store
from wage_guard.errors import ServiceUnavailable
from wage_guard.extensions import db
from wage_guard.i18n import _l

log = logging.getLogger(__name__)

#: A backup folder's name: its UTC creation time, with ``-2``, ``-3`` ... when that second is taken already.
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_STAMP = re.compile(r"(\d{8}T\d{6}Z)(?:-(\d+))?")
#: Failures of the document store (either backend) that become a ``BackupError`` naming the reason.
_STORE_FAILURES = (OSError, DocumentMissing, ServiceUnavailable)
#: The daily job makes a backup when the newest one is at least this old. It looks every hour, at the same minute:
#: a few minutes short of a day keeps the next backup from waiting an hour more.
BACKUP_EVERY = timedelta(days=1) - timedelta(minutes=5)


@dataclass(frozen=True)
class Written:
    folder: Path
    manifest: Manifest


@dataclass(frozen=True)
class Daily:
    created: Path | None
    removed: list[Path]


def backup_folder(directory: Path, *, now: datetime) -> Path:
    """Where ``flask backup create DIR`` writes: DIR itself when it is missing or empty, else a new timestamped folder.

    :raises BackupError: DIR is a file, or a backup itself (a folder inside it would make that backup fail its check).
    """
    if directory.exists() and not directory.is_dir():
        raise BackupError(_l("%(path)s is a file, not a folder.", path=str(directory)))
    if (directory / manifest.MANIFEST).exists():
        raise BackupError(
            _l("%(path)s is a backup itself: give the folder that holds the backups, or a new one.", path=str(directory))
        )
    if not directory.exists() or not any(directory.iterdir()):
        return directory
    return _new_stamped(directory, now)


def _new_stamped(directory: Path, now: datetime) -> Path:
    stamp = now.strftime(STAMP_FORMAT)
    candidate, number = directory / stamp, 1
    while candidate.exists():
        number += 1
        candidate = directory / f"{stamp}-{number}"
    return candidate


def create_backup(folder: Path, *, now: datetime) -> Written:
    """Write a backup of the database and the document store into ``folder`` (missing or empty), manifest last.

    On any failure what was written is removed again: a folder is a complete backup or no backup.

    :raises BackupError: the database cannot be dumped, a document is damaged or missing, or a write failed.
    """
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if any(folder.iterdir()):
            raise BackupError(_l("%(path)s is not empty: a backup goes into a new or empty folder.", path=str(folder)))
        snapshot = database.snapshot(db.engine, folder)
        files = {snapshot.file_name: manifest.hash_file(folder / snapshot.file_name)}
        files |= _copy_documents(folder, snapshot.referenced)
        written = Manifest(now.isoformat(), app_version(), snapshot.dialect, snapshot.alembic_revision, files)
        manifest.write(folder, written)
    except BaseException as exc:
        _discard(folder, created)
        if isinstance(exc, _STORE_FAILURES + (sqlite3.Error, sa.exc.SQLAlchemyError)):
            raise BackupError(_l("The backup to %(path)s failed: %(reason)s", path=str(folder), reason=exc)) from exc
        raise
    log.info("backup written to %s: %s database, %d documents", folder, snapshot.dialect, len(written.documents))
    return Written(folder, written)


def _copy_documents(folder: Path, referenced: frozenset[str]) -> dict[str, FileEntry]:
    """Copy every document of the store, checking each against its name; then that none the rows name is missing."""
    store, copy = document_store(), LocalDocumentStore(folder / manifest.DOCUMENTS)
    files = {}
    for key in store.keys():
        data = store.get(key)
        if copy.put(data) != key:
            raise BackupError(
                _l(
                    "The document %(name)s in the store does not match its SHA-256: run flask contracts check-documents.",
                    name=key,
                )
            )
        files[manifest.document_name(key)] = FileEntry(key, len(data))
    missing = sorted(referenced - {name.rsplit("/", 1)[1] for name in files})
    if missing:
        raise BackupError(
            _l(
                "The database refers to %(count)s documents the store does not hold (%(keys)s): "
                "run flask contracts check-documents.",
                count=len(missing),
                keys=manifest.shortlist(missing, 3),
            )
        )
    return files


def _discard(folder: Path, created: bool) -> None:
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir() if folder.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def app_version() -> str:
    """The version in ``pyproject.toml`` ("unknown" where the deployment has none)."""
    try:
        return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def restore_backup(folder: Path) -> Manifest:
    """Restore the backup in ``folder`` into this instance: documents into the store, then the database.

    Refuses before changing anything unless the database is empty, of the backup's dialect, and every file matches
    the manifest. The database is loaded in one transaction; if that fails, the documents copied for it are
    removed again, so a failed restore leaves the instance as it was.

    :raises BackupDamaged: no manifest, or a file missing, extra or changed (named).
    :raises TargetNotEmpty: the database holds tables.
    :raises BackupError: another dialect, or the database load failed.
    """
    contents = manifest.load(folder)
    dialect = database.dialect(db.engine)
    if contents.dialect != dialect:
        raise BackupError(
            _l(
                "This is a backup of a %(backup)s database; this instance uses %(target)s. Nothing was restored.",
                backup=contents.dialect,
                target=dialect,
            )
        )
    db.session.remove()
    database.require_empty(db.engine)
    manifest.verify(folder, contents)
    store = document_store()
    added = _restore_documents(folder, contents, store)
    try:
        database.restore(db.engine, folder / contents.database_file)
    except BaseException as exc:
        _undo(store, added)
        if isinstance(exc, OSError | sqlite3.Error | sa.exc.SQLAlchemyError):
            raise BackupError(_l("The database could not be restored (%(reason)s). Nothing was restored.", reason=exc)) from exc
        raise
    log.info("backup %s restored: %s database, %d documents", folder, dialect, len(contents.documents))
    return contents


def _restore_documents(folder: Path, contents: Manifest, store: DocumentStore) -> list[str]:
    """Put the documents into the store; returns the keys this added (those already there hold the same bytes)."""
    backup, added = LocalDocumentStore(folder / manifest.DOCUMENTS), []
    try:
        for key in contents.documents:
            data = backup.get(key)
            if hashlib.sha256(data).hexdigest() != key:
                name = manifest.document_name(key)
                raise BackupDamaged(_l("%(name)s changed while it was being restored. Nothing was restored.", name=name))
            if not store.contains(key):
                added.append(key)
            store.put(data)
    except BaseException as exc:
        _undo(store, added)
        if isinstance(exc, _STORE_FAILURES):
            raise BackupError(_l("The documents could not be restored (%(reason)s). Nothing was restored.", reason=exc)) from exc
        raise
    return added


def _undo(store: DocumentStore, added: list[str]) -> None:
    """Remove the documents a failed restore added; one that cannot be removed (the store is down) is an unreferenced
    extra, harmless in a content-addressed store, and is logged."""
    for key in added:
        try:
            store.remove(key)
        except (OSError, ServiceUnavailable) as error:
            log.warning("restore: the document %s it added could not be removed again (%s)", key, error)


def backup_daily(*, now: datetime) -> Daily | None:
    """The daily job: a backup under ``BACKUP_DIR`` unless one was made in the last day, then the retention.

    None when ``BACKUP_DIR`` is not set (backups off).

    :raises BackupError: as :func:`create_backup`, or ``BACKUP_KEEP_DAYS`` is not a whole number of days ≥ 1.
    """
    setting = current_app.config.get("BACKUP_DIR")
    if not setting:
        return None
    root, keep_days = Path(setting), _keep_days()
    complete = [made for made, path in _stamped(root) if (path / manifest.MANIFEST).is_file()]
    created = None
    if not complete or complete[-1] <= now - BACKUP_EVERY:
        created = create_backup(_new_stamped(root, now), now=now).folder
    return Daily(created, prune(root, keep_days=keep_days, now=now))


def prune(root: Path, *, keep_days: int, now: datetime) -> list[Path]:
    """Delete the backups in ``root`` made more than ``keep_days`` ago, but never the newest complete one.

    Only folders named like a backup (``STAMP_FORMAT``) are looked at. One without a manifest, which a crash
    interrupted, goes too once it is past the retention. Returns the folders deleted.
    """
    cutoff = now - timedelta(days=keep_days)
    folders = _stamped(root)
    complete = [path for _made, path in folders if (path / manifest.MANIFEST).is_file()]
    newest = complete[-1] if complete else None
    removed = []
    for made, path in folders:
        if made < cutoff and path != newest:
            shutil.rmtree(path)
            removed.append(path)
            log.info("backup %s removed: older than %d days", path, keep_days)
    return removed


def _stamped(root: Path) -> list[tuple[datetime, Path]]:
    """The backup folders in ``root``, oldest first."""
    found = []
    for child in root.iterdir() if root.is_dir() else []:
        match = _STAMP.fullmatch(child.name)
        if match and child.is_dir() and not child.is_symlink():
            made = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
            found.append((made, int(match.group(2) or 1), child))
    return [(made, path) for made, _number, path in sorted(found)]


def _keep_days() -> int:
    value = current_app.config.get("BACKUP_KEEP_DAYS")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BackupError(
            _l("WAGE_GUARD_BACKUP_KEEP_DAYS must be a whole number of days, at least 1 (it is %(value)s).", value=value)
        )
    return value
