"""A backup restored into an empty instance is the platform again: every contract's current PDF verifies as it did,
``ledger verify`` passes and the document store checks out. Driven through ``flask backup`` as an operator would."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.journeys.conftest import SIGNATORY_PHONE, SigningWorld, final_pdf, issue, link_in_sms, seal_batch
from tests.journeys.test_signing_journey import sign_one
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.verification import services as verification
from wage_guard.verification.model import Result


def _verdicts(app: Flask) -> dict[int, tuple[str, Result]]:
    """Each contract's current version: its SHA-256 and what verification says of its PDF."""
    with app.test_request_context():
        contracts = db.session.scalars(sa.select(Contract).order_by(Contract.id)).all()
        return {c.id: (c.current_document.sha256, verification.verify_pdf(c.current_document.pdf).result) for c in contracts}


def _run(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def _contracts_of_every_stage(app: Flask, world: SigningWorld) -> None:
    """李四's contract signed by both and completed to B-LTA; 王五's sealed by the employer only."""
    signed = sign_one(app, world, "李四")
    final_pdf(app, signed)
    issue(app, world, ["王五"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))


def test_a_restored_instance_verifies_every_contract_and_its_log(
    app: Flask, signing_world: SigningWorld, fresh_instance: Flask, tmp_path: Path, postgres_tools: None
) -> None:
    _contracts_of_every_stage(app, signing_world)
    source = app.test_cli_runner()
    _run(source, "ledger", "publish")
    before = _verdicts(app)
    assert sorted(result for _sha, result in before.values()) == [Result.INCOMPLETE, Result.VALID]
    log_before = _run(source, "ledger", "verify").splitlines()[0]

    created = _run(source, "backup", "create", str(tmp_path / "backups"))
    assert "备份已写入" in created
    assert "Backup written to" in created
    folder = tmp_path / "backups"
    assert (folder / "manifest.json").is_file()

    target = fresh_instance.test_cli_runner()
    restored = _run(target, "backup", "restore", str(folder))
    assert "已恢复" in restored
    assert "Restored the backup of" in restored

    assert _verdicts(fresh_instance) == before
    assert _run(target, "ledger", "verify").splitlines()[0] == log_before
    assert log_before.startswith("ok: ")
    assert "checked: 0" not in _run(target, "contracts", "check-documents")  # exit 0: every file there and unchanged
    store = Path(fresh_instance.config["DOCUMENT_STORE_DIR"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(p.name for p in store.glob("??/??/*")) == sorted(n.rsplit("/", 1)[1] for n in manifest["files"] if "/" in n)
