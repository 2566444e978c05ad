"""Whole journeys on the object store: a contract sealed and signed with its documents in S3 verifies, and its
evidence package reads the PDF back; a backup of the object store restores into another bucket as the same
platform, a restore that fails takes its objects back out, and a backup with the store down fails clearly."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.backup.conftest import fresh_instance, postgres_tools  # noqa: F401 - fixtures
from tests.documents.conftest import Backend, closed_endpoint, new_bucket, use_s3
from tests.journeys.conftest import SIGNATORY_PHONE, SigningWorld, final_pdf, issue, link_in_sms, seal_batch
from tests.journeys.test_signing_journey import sign_one
from tests.ledger.test_evidence import evidence_zip
from wage_guard.backup import database
from wage_guard.contracts.models import Contract
from wage_guard.documents.backend import object_name
from wage_guard.extensions import db
from wage_guard.ledger import package_verify
from wage_guard.verification import services as verification
from wage_guard.verification.model import Result


def test_a_contract_signed_on_each_backend_verifies_and_its_evidence_package_reads_it_back(
    app: Flask, backend: Backend, signing_world: SigningWorld
) -> None:
    contract_id = sign_one(app, signing_world)
    pdf = final_pdf(app, contract_id)
    with app.test_request_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        keys = [document.sha256 for document in contract.documents]
        assert verification.verify_pdf(contract.current_document.pdf).result is Result.VALID
    assert len(keys) == 4  # issued, sealed, signed, completed to B-LTA: every version in this backend
    assert {object_name(key) for key in keys} <= backend.names()
    data = evidence_zip(app, signing_world, contract_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("contract.pdf") == pdf
    assert package_verify.verify_package(data).ok


def _run(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _verdicts(app: Flask) -> dict[int, tuple[str, Result]]:
    with app.test_request_context():
        contracts = db.session.scalars(sa.select(Contract).order_by(Contract.id)).all()
        return {c.id: (c.current_document.sha256, verification.verify_pdf(c.current_document.pdf).result) for c in contracts}


@pytest.fixture
def backup(app: Flask, s3: Backend, signing_world: SigningWorld, tmp_path: Path, postgres_tools: None) -> Path:
    """李四's contract signed and completed, 王五's sealed, all in the bucket; then ``flask backup create``."""
    final_pdf(app, sign_one(app, signing_world, "李四"))
    issue(app, signing_world, ["王五"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    folder = tmp_path / "backup"
    assert "Backup written to" in _run(app.test_cli_runner(), "backup", "create", str(folder))
    return folder


def test_a_backup_of_the_object_store_restores_into_another_bucket(
    app: Flask, s3: Backend, backup: Path, fresh_instance: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = {p.relative_to(backup / "documents").as_posix() for p in (backup / "documents").rglob("*") if p.is_file()}
    assert copied == s3.names()  # every object of the bucket, in the same layout
    target = new_bucket(s3.endpoint)
    use_s3(fresh_instance.config, monkeypatch, s3.endpoint, target)
    assert "Restored the backup of" in _run(fresh_instance.test_cli_runner(), "backup", "restore", str(backup))
    restored = Backend("s3", fresh_instance, Path(fresh_instance.config["DOCUMENT_STORE_DIR"]), s3.endpoint, target)
    assert restored.names() == copied
    assert not restored.root.exists()  # nothing went to the local directory
    assert _verdicts(fresh_instance) == _verdicts(app)
    assert sorted(result for _key, result in _verdicts(app).values()) == [Result.INCOMPLETE, Result.VALID]
    assert "checked: 0" not in _run(fresh_instance.test_cli_runner(), "contracts", "check-documents")


def test_a_restore_that_fails_takes_its_objects_back_out_of_the_bucket(
    s3: Backend, backup: Path, fresh_instance: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(engine: sa.Engine, dump: Path) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(database, "restore", fail)
    target = new_bucket(s3.endpoint)
    use_s3(fresh_instance.config, monkeypatch, s3.endpoint, target)
    result = fresh_instance.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 1, result.output
    assert "Nothing was restored" in result.output
    assert Backend("s3", fresh_instance, Path("/nonexistent"), s3.endpoint, target).names() == set()
    with fresh_instance.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_a_backup_with_the_object_store_down_fails_clearly_and_leaves_no_folder(
    app: Flask, s3: Backend, signing_world: SigningWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_tools: None
) -> None:
    issue(app, signing_world, ["李四"])
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", closed_endpoint())
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "backup")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "暂时无法访问" in result.output
    assert not (tmp_path / "backup").exists()
