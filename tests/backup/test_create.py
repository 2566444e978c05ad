"""What ``backup create`` writes: where, the manifest (every file with its SHA-256 and size, the dialect, the Alembic
revision, the app version, the time), and no key material but as it is at rest."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from flask import Flask

from tests.conftest import START
from tests.conftest import test_config as suite_config
from tests.factories import World
from wage_guard import boundary, clock
from wage_guard.backup import postgres, services
from wage_guard.backup.errors import BackupError
from wage_guard.documents.store import document_store
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
from wage_guard.signing import ca_setup


def _create(app: Flask, directory: Path) -> str:
    result = app.test_cli_runner().invoke(args=["backup", "create", str(directory)])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_manifest_lists_every_file_with_its_checksum(app: Flask, world: World, tmp_path: Path, postgres_tools: None) -> None:
    with app.app_context():
        keys = [document_store().put(b"%PDF-1.7 first\n"), document_store().put(b"RIFF preview")]
        dialect = db.engine.dialect.name
    _create(app, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["format"] == "wage_guard-backup"
    assert manifest["dialect"] == dialect
    assert manifest["created_at"] == START.isoformat()
    assert manifest["app_version"] == "0.1.0"
    assert manifest["alembic_revision"] is None  # the suite's schema comes from create_all, not from migrations
    assert manifest["document_count"] == 2
    database_file = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}[dialect]
    documents = {f"documents/{k[:2]}/{k[2:4]}/{k}" for k in keys}
    assert set(manifest["files"]) == {database_file, *documents}
    for name, entry in manifest["files"].items():
        data = (tmp_path / "backup" / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def test_a_folder_in_use_gets_a_new_timestamped_backup(app: Flask, world: World, tmp_path: Path, postgres_tools: None) -> None:
    (tmp_path / "backups").mkdir()
    _create(app, tmp_path / "backups" / "first")  # missing or empty: the backup goes into the folder itself
    assert (tmp_path / "backups" / "first" / "manifest.json").is_file()
    second = _create(app, tmp_path / "backups")
    third = _create(app, tmp_path / "backups")
    stamp = START.strftime("%Y%m%dT%H%M%SZ")
    assert str(tmp_path / "backups" / stamp) in second
    assert str(tmp_path / "backups" / f"{stamp}-2") in third
    assert (tmp_path / "backups" / f"{stamp}-2" / "manifest.json").is_file()
    assert sorted(path.name for path in (tmp_path / "backups").iterdir()) == sorted(["first", stamp, f"{stamp}-2"])


def test_key_material_is_only_in_the_backup_as_it_is_at_rest(
    app: Flask, world: World, tmp_path: Path, postgres_tools: None
) -> None:
    """The platform's keys are in the dump wrapped under the KEK; no plaintext key and no WAGE_GUARD_* secret."""
    with app.app_context():
        ca_setup.init_authority(now=clock.utcnow())
        _key_id, log_key = ledger.log_key(now=clock.utcnow())
        boundary.commit()
    plaintext = [
        log_key.private_bytes_raw(),
        log_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        b"PRIVATE KEY",
    ]
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "CODE_HASH_KEY", "KEY_ENCRYPTION_KEY"):
        value = str(suite_config("sqlite://")[name])
        plaintext.append(value.encode())
        if name != "SECRET_KEY":
            plaintext.append(base64.b64decode(value))
    _create(app, tmp_path / "backup")
    files = [path for path in (tmp_path / "backup").rglob("*") if path.is_file()]
    assert len(files) >= 2
    for path in files:
        data = path.read_bytes()
        assert not [secret for secret in plaintext if secret in data], path


def test_pg_dump_gets_the_password_only_through_its_environment() -> None:
    url = sa.make_url("postgresql+psycopg://wage:s3cr3t'pw@db.internal:6432/wage_guard?sslmode=verify-full&application_name=x y")
    info = postgres.conninfo(url)
    assert info == "host='db.internal' port='6432' user='wage' dbname='wage_guard' sslmode='verify-full' application_name='x y'"
    assert "s3cr3t" not in info
    assert postgres.environment(url)["PGPASSWORD"] == "s3cr3t'pw"
    assert "PGPASSWORD" not in postgres.environment(sa.make_url("postgresql+psycopg://postgres@127.0.0.1/test"))


def test_a_missing_postgresql_tool_is_named_with_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BackupError, match=r"pg_dump is not installed.*apt-get install postgresql-client"):
        postgres.command("pg_dump", sa.make_url("postgresql+psycopg://postgres@127.0.0.1/test"), [])


def test_the_app_version_is_read_from_the_project() -> None:
    assert services.app_version() == "0.1.0"
