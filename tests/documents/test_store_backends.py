"""The same behaviour from both document store backends, the local directory and the S3-compatible object store:
what is put comes back under its SHA-256, a second put writes nothing, a missing key says so, the integrity job
finds a document changed or deleted behind the platform's back, and a store out of order (a full disk, an
endpoint that is down) refuses the employer's seal with a clear 503 while nothing is kept, and the same link works
once it is back."""

from __future__ import annotations

import hashlib
import logging
import os

import pytest
import sqlalchemy as sa
from flask import Flask

from jobs.contracts import check_document_store
from tests.documents.conftest import Backend
from tests.journeys.conftest import (
    SIGNATORY_PHONE,
    SigningWorld,
    confirm_code,
    contract_state,
    default_placement,
    issue,
    link_in_sms,
)
from tests.ledger.checks import ledger_verifies
from wage_guard import boundary
from wage_guard.contracts import services as contracts
from wage_guard.contracts.models import Contract, PagePreview
from wage_guard.documents.backend import object_name
from wage_guard.documents.store import DocumentMissing, document_store
from wage_guard.extensions import db

PDF = b"%PDF-1.7 a contract\n%%EOF\n"


def test_what_is_put_comes_back_under_its_sha256(app: Flask, backend: Backend) -> None:
    documents = [b"", PDF, os.urandom(300_000)]
    with app.app_context():
        store = document_store()
        keys = [store.put(data) for data in documents]
        assert keys == [hashlib.sha256(data).hexdigest() for data in documents]
        assert [store.get(key) for key in keys] == documents
        assert all(store.contains(key) for key in keys)
        assert list(store.keys()) == sorted(keys)
    assert backend.names() == {object_name(key) for key in keys}  # the same ab/cd/<sha256> layout, nothing else


def test_a_second_put_of_the_same_bytes_writes_nothing(app: Flask, backend: Backend) -> None:
    with app.app_context():
        key = document_store().put(PDF)
        with backend.writes() as written:
            assert document_store().put(PDF) == key
        assert written == []
        assert document_store().get(key) == PDF


def test_a_put_replaces_a_stored_object_of_another_size(app: Flask, backend: Backend) -> None:
    with app.app_context():
        key = document_store().put(PDF)
        backend.tamper(object_name(key), PDF[:10])
        with backend.writes() as written:
            assert document_store().put(PDF) == key
        assert written == [object_name(key)]
        assert document_store().get(key) == PDF


def test_a_missing_key_says_so(app: Flask, backend: Backend) -> None:
    with app.app_context():
        store = document_store()
        with pytest.raises(DocumentMissing):
            store.get("0" * 64)
        assert not store.contains("0" * 64)


@pytest.mark.parametrize("key", ["../" + "0" * 61, "A" * 64, "0" * 63, "", "0" * 64 + "/x"])
def test_a_key_is_a_sha256_and_nothing_else(app: Flask, backend: Backend, key: str) -> None:
    with app.app_context(), pytest.raises(ValueError, match="SHA-256"):
        document_store().get(key)


def test_objects_that_are_not_documents_are_not_keys(app: Flask, backend: Backend) -> None:
    with app.app_context():
        key = document_store().put(PDF)
        backend.tamper(f"{key[:2]}/{key[2:4]}/.incoming-x", b"a write in progress")
        backend.tamper(f"ff/ff/{key}", PDF)  # under another key's folder
        assert list(document_store().keys()) == [key]


def _issued_with_previews(app: Flask, signing_world: SigningWorld) -> tuple[int, str, int, str]:
    """A contract issued and its previews rendered: the document's id and key, and the first preview's."""
    [contract_id] = issue(app, signing_world, ["李四"])
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        contracts.page_previews(contract.current_document)
        boundary.commit()
        preview = db.session.scalars(sa.select(PagePreview).order_by(PagePreview.id)).first()
        assert preview is not None
        assert preview.sha256 is not None
        return contract.current_document.id, contract.current_document.sha256, preview.id, preview.sha256


def test_the_integrity_job_finds_a_changed_and_a_missing_document(
    app: Flask, backend: Backend, signing_world: SigningWorld, caplog: pytest.LogCaptureFixture
) -> None:
    document_id, key, preview_id, preview_key = _issued_with_previews(app, signing_world)
    assert {object_name(key), object_name(preview_key)} <= backend.names()
    with app.app_context():
        clean = check_document_store(now=None)  # type: ignore[arg-type]
    assert (clean["missing"], clean["changed"]) == (0, 0)
    assert clean["checked"] >= 3

    original = backend.read(object_name(key))
    backend.tamper(object_name(key), original.replace(b"%%EOF", b"%%EOF\n% edited behind the platform's back\n"))
    backend.delete(object_name(preview_key))
    with app.app_context(), caplog.at_level(logging.ERROR, logger="wage_guard.contracts.document_check"):
        found = check_document_store(now=None)  # type: ignore[arg-type]
    assert (found["changed"], found["missing"]) == (1, 1)
    assert f"contract_document:{document_id} does not match" in caplog.text
    assert f"page_preview:{preview_id} is missing" in caplog.text
    result = app.test_cli_runner().invoke(args=["contracts", "check-documents"])
    assert result.exit_code == 1
    assert f"changed: contract_document:{document_id}" in result.output
    assert f"missing: page_preview:{preview_id}" in result.output


def test_a_store_out_of_order_refuses_the_seal_clearly_and_keeps_nothing(
    app: Flask, backend: Backend, signing_world: SigningWorld
) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    placement = default_placement(client.get(f"/seal/{token}/seal").get_data(as_text=True))
    before = backend.names()
    with backend.out_of_order_now():
        english = client.post(f"/seal/{token}/seal?lang=en", data=placement)
        chinese = client.post(f"/seal/{token}/seal?lang=zh_Hans_CN", data=placement)
    assert english.status_code == chinese.status_code == 503
    assert backend.out_of_order[0] in english.get_data(as_text=True)
    assert backend.out_of_order[1] in chinese.get_data(as_text=True)
    assert "Traceback" not in english.get_data(as_text=True)
    assert backend.names() == before  # not a byte more: no temporary file, no partial PDF
    assert contract_state(app, contract_id) == ("awaiting_employer", 1)
    logged = ledger_verifies(app)  # runs the sequencer, as the scheduler would, before the verify
    assert client.post(f"/seal/{token}/seal", data=placement).status_code == 200
    assert contract_state(app, contract_id) == ("awaiting_worker", 2)
    assert ledger_verifies(app) > logged  # the seal that worked is logged, and the log still verifies
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        assert object_name(contract.current_document.sha256) in backend.names() - before
