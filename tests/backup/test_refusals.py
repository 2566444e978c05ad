"""What ``flask backup`` refuses: a changed, missing or extra file (named), a database that is not empty, a folder
that is no backup or a file given as the folder. Each refusal is said in Chinese and in English, with no traceback,
its own exit status, and nothing changed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from tests.factories import World
from wage_guard.accounts.models import User
from wage_guard.backup import database
from wage_guard.documents.store import document_store
from wage_guard.extensions import db

PDF = b"%PDF-1.7 a document of the store\n%%EOF\n"


@pytest.fixture
def backup(app: Flask, world: World, tmp_path: Path, postgres_tools: None) -> Path:
    """A backup of the world plus one stored document."""
    with app.app_context():
        document_store().put(PDF)
    folder = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def _refused(result: Result, exit_code: int, *words: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert "错误：" in result.output
    assert "error: " in result.output
    for word in words:
        assert word in result.output


def _nothing_restored(instance: Flask) -> None:
    with instance.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    store = Path(instance.config["DOCUMENT_STORE_DIR"])
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def _document(folder: Path) -> Path:
    [path] = [p for p in (folder / "documents").rglob("*") if p.is_file()]
    return path


def _database(folder: Path) -> Path:
    return next(folder.glob("database.*"))


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


TAMPERING: dict[str, tuple[Callable[[Path], Path], Callable[[Path], None], str]] = {
    "changed document": (_document, _flip_last_byte, "does not match its SHA-256"),
    "changed database": (_database, _flip_last_byte, "does not match its SHA-256"),
    "missing document": (_document, Path.unlink, "missing from the backup"),
    "extra file": (lambda folder: folder / "documents" / "notes.txt", lambda path: path.write_text("x"), "is not listed"),
}


@pytest.mark.parametrize("case", TAMPERING, ids=list(TAMPERING))
def test_a_tampered_backup_is_refused_naming_the_file(backup: Path, fresh_instance: Flask, case: str) -> None:
    pick, tamper, english = TAMPERING[case]
    path = pick(backup)
    tamper(path)
    result = fresh_instance.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    _refused(result, 3, english, path.relative_to(backup).as_posix())
    _nothing_restored(fresh_instance)


def test_a_manifest_that_points_outside_the_backup_is_refused(backup: Path, fresh_instance: Flask) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"]["../../etc/passwd"] = {"sha256": "0" * 64, "size": 1}
    (backup / "manifest.json").write_text(json.dumps(manifest))
    result = fresh_instance.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    _refused(result, 3, "../../etc/passwd", "is not part of a backup")
    _nothing_restored(fresh_instance)


def test_a_folder_without_a_manifest_is_no_backup(tmp_path: Path, fresh_instance: Flask) -> None:
    (tmp_path / "empty").mkdir()
    result = fresh_instance.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "empty")])
    _refused(result, 3, "manifest.json")
    missing = fresh_instance.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "nowhere")])
    _refused(missing, 3, "is not a folder")
    _nothing_restored(fresh_instance)


def test_restore_into_a_database_that_is_not_empty_is_refused(app: Flask, backup: Path, world: World) -> None:
    with app.app_context():
        users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    store = Path(app.config["DOCUMENT_STORE_DIR"])
    files = sorted(store.rglob("*"))
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    _refused(result, 4, "目标数据库不是空的", "The target database is not empty", "Nothing was restored")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
    assert sorted(store.rglob("*")) == files


def test_create_refuses_a_file_as_the_folder(app: Flask, world: World, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "a-file")])
    _refused(result, 1, "is a file, not a folder")
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_create_refuses_to_write_into_a_backup(app: Flask, backup: Path) -> None:
    """A second backup inside the first would be an extra file there, and the first would no longer restore."""
    files = sorted(backup.rglob("*"))
    result = app.test_cli_runner().invoke(args=["backup", "create", str(backup)])
    _refused(result, 1, "is a backup itself", "本身就是一个备份")
    assert sorted(backup.rglob("*")) == files


def test_create_refuses_a_damaged_store_and_leaves_no_backup(app: Flask, world: World, tmp_path: Path) -> None:
    with app.app_context():
        key = document_store().put(PDF)
    stored = Path(app.config["DOCUMENT_STORE_DIR"]) / key[:2] / key[2:4] / key
    stored.write_bytes(PDF + b"changed behind the platform's back")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "backup")])
    _refused(result, 1, key, "flask contracts check-documents")
    assert not (tmp_path / "backup").exists()


def test_a_restore_that_fails_loading_the_database_takes_its_documents_back(
    backup: Path, fresh_instance: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(engine: sa.Engine, dump: Path) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(database, "restore", fail)
    result = fresh_instance.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    _refused(result, 1, "disk I/O error", "无法恢复数据库", "Nothing was restored")
    _nothing_restored(fresh_instance)
