"""The disk is full while a signed PDF is written (issue #14 part 4): a clear 503 in the signer's language, no
half-written file in the document store, the contract exactly as before, and the same link works once there is
room again."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from flask import Flask

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


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_full_disk_refuses_the_seal_clearly_and_leaves_nothing_half_done(
    app: Flask, signing_world: SigningWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    placement = default_placement(client.get(f"/seal/{token}/seal").get_data(as_text=True))
    store = Path(app.config["DOCUMENT_STORE_DIR"])
    before = _files(store)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", no_space)
        english = client.post(f"/seal/{token}/seal?lang=en", data=placement)
        chinese = client.post(f"/seal/{token}/seal?lang=zh_Hans_CN", data=placement)
    assert english.status_code == 503
    assert "storage is full" in english.get_data(as_text=True)
    assert chinese.status_code == 503
    assert "存储空间已满" in chinese.get_data(as_text=True)
    assert "Traceback" not in english.get_data(as_text=True)
    assert _files(store) == before  # not a byte more: no temporary file, no partial PDF
    assert contract_state(app, contract_id) == ("awaiting_employer", 1)
    logged = ledger_verifies(app)  # runs the sequencer, as the scheduler would, before the verify
    assert client.post(f"/seal/{token}/seal", data=placement).status_code == 200
    assert contract_state(app, contract_id) == ("awaiting_worker", 2)
    assert ledger_verifies(app) > logged  # the seal that worked is logged, and the log still verifies
