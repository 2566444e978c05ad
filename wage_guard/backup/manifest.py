"""A backup folder's table of contents (``manifest.json``): every file with its size and SHA-256, and what it holds.

Pure: files and JSON only, no database. ``manifest.json`` is written last, so a folder without one is an
unfinished backup. Reading checks the layout before any path is used: the database file has one of two fixed
names and every document sits where the document store would keep it (``documents/ab/cd/<sha256>``), so a
changed manifest cannot make a restore read or write outside the backup and the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wage_guard.backup.errors import BackupDamaged
from wage_guard.i18n import _l

FORMAT = "wage_guard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents"
#: The database dump's file name for each dialect.
DATABASE_FILES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
_DOCUMENT = re.compile(r"documents/([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    dialect: str
    alembic_revision: str | None
    #: Every file of the backup but ``manifest.json`` itself, by its path relative to the folder (``/``-separated).
    files: dict[str, FileEntry]

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.dialect]

    @property
    def documents(self) -> list[str]:
        """The documents' store keys (their SHA-256)."""
        return sorted(name.rsplit("/", 1)[1] for name in self.files if name.startswith(DOCUMENTS + "/"))

    def to_json(self) -> str:
        data: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(self)}
        data["database_file"] = self.database_file
        data["document_count"] = len(self.documents)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def document_name(key: str) -> str:
    """Where the document stored under ``key`` sits in a backup: ``documents/`` is a document store of its own."""
    return f"{DOCUMENTS}/{key[:2]}/{key[2:4]}/{key}"


def shortlist(names: list[str], most: int) -> str:
    """The first ``most`` names for a message, and "…" for the rest."""
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")


def hash_file(path: Path) -> FileEntry:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reading:
        while chunk := reading.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(digest.hexdigest(), size)


def write(folder: Path, manifest: Manifest) -> None:
    """Write ``manifest.json``: the last file of a backup, which makes it complete."""
    path = folder / MANIFEST
    path.write_text(manifest.to_json(), encoding="utf-8")
    with path.open("rb") as written:
        os.fsync(written.fileno())


def load(folder: Path) -> Manifest:
    """Read and check the layout of ``folder``'s manifest.

    :raises BackupDamaged: not a folder, no manifest, not this format, or a file name outside the backup's layout.
    """
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupDamaged(_l("%(path)s is not a folder: give the folder a backup was written to.", path=str(folder)))
    if not path.is_file():
        raise BackupDamaged(_l("%(path)s holds no backup: it has no manifest.json.", path=str(folder)))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError("not a wage_guard backup manifest of a known version")
        files = {str(name): FileEntry(str(e["sha256"]), int(e["size"])) for name, e in dict(data["files"]).items()}
        manifest = Manifest(
            str(data["created_at"]), str(data["app_version"]), str(data["dialect"]), data["alembic_revision"], files
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupDamaged(_l("manifest.json in %(path)s cannot be read (%(reason)s).", path=str(folder), reason=exc)) from exc
    _check_layout(manifest)
    return manifest


def _check_layout(manifest: Manifest) -> None:
    if manifest.dialect not in DATABASE_FILES or manifest.database_file not in manifest.files:
        raise BackupDamaged(_l("manifest.json lists no database dump: the backup is incomplete."))
    for name in manifest.files:
        if name != manifest.database_file and not _DOCUMENT.fullmatch(name):
            raise BackupDamaged(_l("manifest.json lists %(name)s, which is not part of a backup.", name=name))


def verify(folder: Path, manifest: Manifest) -> None:
    """Check that ``folder`` holds exactly the files the manifest lists, each with its size and SHA-256.

    :raises BackupDamaged: naming the first file that is missing, not listed, or changed.
    """
    present = set()
    for directory, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            relative = path.relative_to(folder).as_posix()
            if relative != MANIFEST and (relative not in manifest.files or path.is_symlink()):
                raise BackupDamaged(_l("%(name)s is not listed in manifest.json: the backup was changed.", name=relative))
            present.add(relative)
    for name in sorted(manifest.files):
        if name not in present:
            raise BackupDamaged(_l("%(name)s is listed in manifest.json but missing from the backup.", name=name))
    for name, expected in sorted(manifest.files.items()):
        if (folder / name).stat().st_size != expected.size or hash_file(folder / name) != expected:
            raise BackupDamaged(
                _l("%(name)s does not match its SHA-256 in manifest.json: the file was changed or damaged.", name=name)
            )
