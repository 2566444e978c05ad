"""The document store: contract PDFs and page previews live outside the database, by SHA-256; the database keeps
the hashes, the integrity job and ``flask contracts check-documents`` report a missing or changed file, and
``move-documents`` moves versions stored as blobs before the store existed."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.contracts import check_document_store
from tests.journeys.conftest import SigningWorld, issue
from wage_guard import boundary
from wage_guard.contracts import services as contracts
from wage_guard.contracts.models import Contract, ContractDocument, PagePreview
from wage_guard.documents.store import DocumentMissing, LocalDocumentStore, document_store
from wage_guard.extensions import db


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=4096))
def test_what_is_put_comes_back_under_its_sha256(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    store = LocalDocumentStore(tmp_path_factory.mktemp("store"))
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.put(data) == key  # idempotent
    assert store.get(key) == data
    assert not [p for p in store.root.rglob(".incoming-*")]  # no temporary file is left behind


@pytest.mark.parametrize("key", ["../" + "0" * 61, "A" * 64, "0" * 63, "", "0" * 64 + "/x"])
def test_a_key_is_a_sha256_and_nothing_else(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        LocalDocumentStore(tmp_path).get(key)


def test_a_missing_key_says_so(tmp_path: Path) -> None:
    with pytest.raises(DocumentMissing):
        LocalDocumentStore(tmp_path).get("0" * 64)


def _issued(app: Flask, signing_world: SigningWorld) -> int:
    [contract_id] = issue(app, signing_world, ["李四"])
    return contract_id


def _file(app: Flask, key: str) -> Path:
    return Path(app.config["DOCUMENT_STORE_DIR"]) / key[:2] / key[2:4] / key


def test_contract_versions_and_previews_live_in_the_store_not_the_database(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = _issued(app, signing_world)
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        document = contract.current_document
        assert document.pdf_blob is None
        assert document.pdf.startswith(b"%PDF")
        assert hashlib.sha256(document.pdf).hexdigest() == document.sha256
        assert _file(app, document.sha256).is_file()
        images = contracts.page_previews(document)
        boundary.commit()
        for image in db.session.scalars(sa.select(PagePreview).where(PagePreview.document_id == document.id)):
            assert image.webp_blob is None
            assert image.sha256 is not None
            assert image.webp[:4] == b"RIFF"
        assert len(images) >= 2


def test_the_integrity_job_and_the_cli_report_a_changed_and_a_missing_file(
    app: Flask, signing_world: SigningWorld, caplog: pytest.LogCaptureFixture
) -> None:
    contract_id = _issued(app, signing_world)
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        contracts.page_previews(contract.current_document)
        boundary.commit()
        document_id, key = contract.current_document.id, contract.current_document.sha256
        preview = db.session.scalars(sa.select(PagePreview).order_by(PagePreview.id)).first()
        assert preview is not None
        assert preview.sha256 is not None
        preview_id, preview_key = preview.id, preview.sha256
        clean = check_document_store(now=None)  # type: ignore[arg-type]
        assert clean["missing"] == clean["changed"] == 0
        assert clean["checked"] >= 3
    runner = app.test_cli_runner()
    assert runner.invoke(args=["contracts", "check-documents"]).exit_code == 0

    pdf_path = _file(app, key)
    original = pdf_path.read_bytes()
    preview_path = _file(app, preview_key)
    preview_bytes = preview_path.read_bytes()
    try:
        pdf_path.write_bytes(original.replace(b"%%EOF", b"%%EOF\n% edited behind the platform's back\n"))
        preview_path.unlink()
        with app.app_context(), caplog.at_level(logging.ERROR, logger="wage_guard.contracts.document_check"):
            found = check_document_store(now=None)  # type: ignore[arg-type]
        assert found["changed"] == 1
        assert found["missing"] == 1
        assert f"contract_document:{document_id} does not match" in caplog.text
        assert f"page_preview:{preview_id} is missing" in caplog.text
        result = runner.invoke(args=["contracts", "check-documents"])
        assert result.exit_code == 1
        assert f"changed: contract_document:{document_id}" in result.output
        assert f"missing: page_preview:{preview_id}" in result.output
    finally:
        pdf_path.write_bytes(original)
        preview_path.write_bytes(preview_bytes)


def test_versions_stored_as_blobs_are_read_and_moved_into_the_store(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = _issued(app, signing_world)
    with app.app_context():
        document = db.session.scalars(sa.select(ContractDocument).where(ContractDocument.contract_id == contract_id)).one()
        pdf, key, document_id = document.pdf, document.sha256, document.id
        document.pdf_blob = pdf  # as a version stored before the document store existed
        boundary.commit()
    _file(app, key).unlink()
    with app.app_context():
        assert db.session.get(ContractDocument, document_id).pdf == pdf  # type: ignore[union-attr]
        with pytest.raises(DocumentMissing):
            document_store().get(key)
    runner = app.test_cli_runner()
    moved = runner.invoke(args=["contracts", "move-documents"])
    assert moved.exit_code == 0, moved.output
    assert "moved to the document store: 1" in moved.output
    with app.app_context():
        stored = db.session.get(ContractDocument, document_id)
        assert stored is not None
        assert stored.pdf_blob is None
        assert stored.pdf == pdf
    assert "moved to the document store: 0" in runner.invoke(args=["contracts", "move-documents"]).output
