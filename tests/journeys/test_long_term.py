"""The long-term validation data (B-LTA) is added by a job after the signing request: the contract is complete and
valid at B-T the moment the worker signs, the job completes it right after, and a failing completion is logged
and retried without ever leaving the contract unusable."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import advance
from tests.journeys.conftest import SigningWorld, complete_long_term
from tests.journeys.test_endings import issue_notice, seal, sign_contract
from tests.journeys.test_signing_journey import sign_one
from wage_guard import clock
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.extensions import db
from wage_guard.journeys import long_term
from wage_guard.journeys.models import LongTermUpgrade
from wage_guard.signing import services as signing
from wage_guard.signing.failures import SigningFailed
from wage_guard.verification import services as verification
from wage_guard.verification.model import Result, Stage


def _contract(contract_id: int) -> Contract:
    contract = db.session.get(Contract, contract_id)
    assert contract is not None
    return contract


def _upgrade(contract_id: int) -> LongTermUpgrade:
    return db.session.scalars(sa.select(LongTermUpgrade).where(LongTermUpgrade.contract_id == contract_id)).one()


def _events(contract_id: int, kind: str) -> int:
    """Steps of ``kind`` on the contract's trail (each also appended to the evidence log by the same call)."""
    query = sa.select(sa.func.count()).where(ContractEvent.contract_id == contract_id, ContractEvent.kind == kind)
    return db.session.scalar(query) or 0


def test_the_signed_contract_is_final_at_b_t_and_the_job_completes_it(app: Flask, signing_world: SigningWorld) -> None:
    contract_id = sign_one(app, signing_world)
    with app.app_context():
        contract = _contract(contract_id)
        assert contract.status is Status.IN_FORCE
        signed = contract.current_document
        assert signed.stage == "worker_signed"
        report = signing.verify(signed.pdf)
        assert report.ok, report.problems
        assert [s.role for s in report.signatures] == ["employer", "worker"]
        assert report.document_timestamps == []  # B-T: each signature timestamped, no archive timestamp yet
        assert long_term.waiting(contract)
        checked = verification.verify_pdf(signed.pdf)
        assert checked.result is Result.VALID, checked.findings
        assert checked.version.stage is Stage.FINAL
        signed_pdf = signed.pdf

    assert complete_long_term(app) == {"completed": 1, "failed": 0, "overtaken": 0}

    with app.app_context():
        contract = _contract(contract_id)
        completed = contract.current_document
        assert completed.stage == "completed"
        assert completed.pdf.startswith(signed_pdf)  # the same signed bytes, with validation data appended
        report = signing.verify(completed.pdf)
        assert report.ok, report.problems
        assert len(report.document_timestamps) == 1
        assert report.revocation_checked.startswith("dss")
        assert not long_term.waiting(contract)
        assert _upgrade(contract_id).done_at is not None
        # The version signed at B-T is still called final: only its long-term data follows it.
        assert verification.verify_pdf(signed_pdf).version.stage is Stage.FINAL
        assert verification.verify_pdf(completed.pdf).version.stage is Stage.FINAL
    assert complete_long_term(app) == {"completed": 0, "failed": 0, "overtaken": 0}  # nothing twice


def test_a_failing_completion_is_logged_retried_later_and_leaves_the_contract_usable(
    app: Flask, signing_world: SigningWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    contract_id = sign_one(app, signing_world)

    def unreachable_tsa(pdf: bytes, *, now: object) -> bytes:
        raise SigningFailed("时间戳服务暂时不可用")

    with monkeypatch.context() as patched:
        patched.setattr(signing, "complete", unreachable_tsa)
        with caplog.at_level(logging.WARNING, logger="wage_guard.journeys.long_term"):
            assert complete_long_term(app) == {"completed": 0, "failed": 1, "overtaken": 0}
        assert "long-term completion failed (attempt 1)" in caplog.text
        assert complete_long_term(app) == {"completed": 0, "failed": 0, "overtaken": 0}  # not due again yet

    with app.app_context():
        contract = _contract(contract_id)
        assert contract.status is Status.IN_FORCE
        assert [d.stage for d in contract.documents][-1] == "worker_signed"  # nothing half-written
        assert signing.verify(contract.current_document.pdf).ok
        row = _upgrade(contract_id)
        assert row.attempts == 1
        assert row.done_at is None
        assert row.last_error == "时间戳服务暂时不可用"
        assert clock.as_utc(row.next_attempt_at) - clock.as_utc(row.queued_at) >= timedelta(seconds=30)
        assert _events(contract_id, "long_term_completed") == 0

    advance(seconds=31)
    assert complete_long_term(app) == {"completed": 1, "failed": 0, "overtaken": 0}
    with app.app_context():
        row = _upgrade(contract_id)
        assert row.attempts == 2
        assert row.done_at is not None
        assert row.last_error is None
        assert _contract(contract_id).current_document.stage == "completed"
        assert _events(contract_id, "long_term_completed") == 1


def test_retries_back_off_to_at_most_an_hour() -> None:
    delays = [long_term.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [30, 60, 120, 240]
    assert delays == sorted(delays)
    assert max(delays) == 3600


def test_a_sealed_notice_is_final_before_and_after_its_completion(app: Flask, signing_world: SigningWorld) -> None:
    original = sign_contract(app, signing_world)
    complete_long_term(app)
    notice = issue_notice(app, signing_world, original)
    seal(app)
    with app.app_context():
        sealed = _contract(notice).current_document
        assert sealed.stage == "notice_sealed"
        checked = verification.verify_pdf(sealed.pdf)
        assert checked.result is Result.VALID, checked.findings
        assert checked.version.stage is Stage.FINAL
    assert complete_long_term(app)["completed"] == 1
    with app.app_context():
        assert _contract(notice).current_document.stage == "completed"
