"""Batch runs worked by the scheduler: every contract exactly once, failures reported per contract, retries after
an outage, and a run killed half way (SIGKILL, in another process) resumed without doing anything twice."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
import sqlalchemy as sa
from flask import Flask

from jobs.batches import run_contract_batches
from jobs.runner import run_job
from tests.batches.conftest import Crowd, run_state, start_issuing
from tests.conftest import START, advance
from tests.conftest import test_config as make_test_config
from tests.journeys.conftest import SIGNATORY_PHONE, confirm_code, default_placement, link_in_sms
from wage_guard import clock, create_app
from wage_guard.batches import queries
from wage_guard.batches.models import BatchItem, BatchRun, ItemState, RunKind
from wage_guard.contracts import services as contracts
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.journeys import services as journeys
from wage_guard.ledger import audit, sequencer
from wage_guard.ledger.models import LedgerEntry
from wage_guard.signing.failures import SigningFailed
from wage_guard.sms.models import OutboundSms

pytestmark = pytest.mark.usefixtures("crowd")


def _contracts(app: Flask) -> list[tuple[int, Status]]:
    with app.app_context():
        return [
            tuple(row) for row in db.session.execute(sa.select(Contract.enrollment_id, Contract.status).order_by(Contract.id))
        ]  # type: ignore[misc]


def _sealing_links_sent(app: Flask) -> int:
    with app.app_context():
        return sum("/seal/" in (m.body or "") for m in db.session.scalars(sa.select(OutboundSms)))


def _log_is_intact(app: Flask) -> dict[str, int]:
    with app.app_context():
        sequencer.integrate_queued()
        result = audit.verify_all()
        assert result.ok, result.problems
        kinds_logged: dict[str, int] = {}
        for entry in db.session.scalars(sa.select(LedgerEntry)):
            kinds_logged[entry.kind] = kinds_logged.get(entry.kind, 0) + 1
        return kinds_logged


def test_a_small_batch_is_issued_in_the_request(app: Flask, crowd: Crowd) -> None:
    run = run_state(app, start_issuing(app, crowd, 2))
    assert run.finished_at is not None
    assert [status for _entry, status in _contracts(app)] == [Status.AWAITING_EMPLOYER] * 2
    assert _sealing_links_sent(app) == 1


def test_a_large_batch_is_left_to_the_job_which_issues_each_contract_once(app: Flask, crowd: Crowd) -> None:
    run_id = start_issuing(app, crowd)
    assert _contracts(app) == []  # the request only checked and stored the run
    assert _sealing_links_sent(app) == 0
    result = run_job(app, run_contract_batches)
    assert result == {"done": 6, "finished": 1}
    assert sorted(entry for entry, _status in _contracts(app)) == sorted(crowd.enrollments)
    assert _sealing_links_sent(app) == 1  # once, when the whole batch was issued
    assert run_state(app, run_id).finished_at is not None
    assert run_job(app, run_contract_batches) == {}  # nothing left: a second run does nothing
    assert len(_contracts(app)) == 6
    assert _log_is_intact(app)["issued"] == 6


def test_a_contract_that_cannot_be_issued_is_reported_and_the_others_go_on(app: Flask, crowd: Crowd) -> None:
    run_id = start_issuing(app, crowd)
    with app.test_request_context():  # the third worker gets a contract some other way before the job runs
        from tests.journeys.conftest import issue

        issue(app, crowd.world, ["李四"])
    assert run_job(app, run_contract_batches) == {"done": 5, "failed": 1, "finished": 1}
    with app.app_context():
        progress = queries.run_progress(db.session.get(BatchRun, run_id))  # type: ignore[arg-type]
    assert (progress.done, progress.failed, progress.finished) == (5, 1, True)
    [problem] = progress.problems
    assert "李四" in problem.message
    assert not problem.retrying


def test_an_outage_is_retried_with_back_off_and_nothing_is_half_stored(
    app: Flask, crowd: Crowd, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = start_issuing(app, crowd)
    real = contracts.issue_to
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> Contract:
        calls["n"] += 1
        contract = real(*args, **kwargs)  # type: ignore[arg-type]
        if calls["n"] == 2:  # stored and logged, then the timestamp authority fails: all of it must go
            raise SigningFailed("the timestamp authority did not answer")
        return contract

    monkeypatch.setattr(contracts, "issue_to", flaky)
    assert run_job(app, run_contract_batches) == {"done": 5, "retrying": 1}
    assert len(_contracts(app)) == 5
    assert run_state(app, run_id).finished_at is None
    assert run_job(app, run_contract_batches) == {}  # not due yet
    advance(seconds=10)
    assert run_job(app, run_contract_batches) == {"done": 1, "finished": 1}
    assert sorted(entry for entry, _status in _contracts(app)) == sorted(crowd.enrollments)
    assert _log_is_intact(app)["issued"] == 6


def test_the_progress_counts_what_is_settled(app: Flask, crowd: Crowd) -> None:
    run_id = start_issuing(app, crowd)
    with app.app_context():
        run = db.session.get(BatchRun, run_id)
        assert run is not None
        before = queries.run_progress(run).as_json()
    assert before == {"kind": "issue", "total": 6, "done": 0, "failed": 0, "settled": 0, "percent": 0, "finished": False}
    run_job(app, run_contract_batches)
    with app.app_context():
        after = queries.run_progress(db.session.get(BatchRun, run_id)).as_json()  # type: ignore[arg-type]
    assert after["settled"] == 6
    assert after["percent"] == 100
    assert after["finished"] is True


# --- killed half way ----------------------------------------------------------------------------------------------


def _work_until_killed(database_url: str, kind: str, kill_at: int) -> None:
    """The scheduler's job in its own process, killed (SIGKILL) inside the ``kill_at``-th contract's work, after
    that contract was stored and logged but before its commit."""
    application = create_app(make_test_config(database_url))
    clock.freeze(START)
    target = (contracts, "issue_to") if kind == RunKind.ISSUE else (journeys, "seal_one")
    real = getattr(*target)
    calls = {"n": 0}

    def then_killed(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == kill_at:
            db.session.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(*target, then_killed)
    run_job(application, run_contract_batches)


def _kill_half_way(database_url: str, kind: str) -> None:
    process = multiprocessing.get_context("spawn").Process(target=_work_until_killed, args=(database_url, kind, 3))
    process.start()
    process.join(timeout=300)
    assert process.exitcode == -signal.SIGKILL


def _items(app: Flask, run_id: int) -> list[tuple[str, int | None]]:
    with app.app_context():
        query = sa.select(BatchItem.state, BatchItem.contract_id).where(BatchItem.run_id == run_id).order_by(BatchItem.position)
        return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def test_an_issuing_run_killed_half_way_resumes_without_duplicates(app: Flask, crowd: Crowd, database_url: str) -> None:
    run_id = start_issuing(app, crowd)
    _kill_half_way(database_url, RunKind.ISSUE)
    states = [state for state, _contract in _items(app, run_id)]
    assert states == [ItemState.DONE] * 2 + [ItemState.PENDING] * 4  # the third contract died with its process
    assert len(_contracts(app)) == 2
    assert run_job(app, run_contract_batches) == {"done": 4, "finished": 1}
    assert sorted(entry for entry, _status in _contracts(app)) == sorted(crowd.enrollments)
    assert _sealing_links_sent(app) == 1
    assert _log_is_intact(app)["issued"] == 6


def _start_sealing(app: Flask, crowd: Crowd) -> int:
    """Issue to all six (in the job), then the signatory drops the seal; returns the sealing run's id."""
    start_issuing(app, crowd)
    run_job(app, run_contract_batches)
    client = app.test_client()
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    page = client.get(f"/seal/{token}/seal").get_data(as_text=True)
    response = client.post(f"/seal/{token}/seal", data=default_placement(page))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seal/{token}/progress")
    with app.app_context():
        return db.session.scalar(sa.select(BatchRun.id).where(BatchRun.kind == RunKind.SEAL.value)) or 0


def test_a_sealing_run_killed_half_way_resumes_without_sealing_twice(app: Flask, crowd: Crowd, database_url: str) -> None:
    run_id = _start_sealing(app, crowd)
    assert {status for _entry, status in _contracts(app)} == {Status.AWAITING_EMPLOYER}
    _kill_half_way(database_url, RunKind.SEAL)
    assert [status for _entry, status in _contracts(app)] == [Status.AWAITING_WORKER] * 2 + [Status.AWAITING_EMPLOYER] * 4
    assert run_job(app, run_contract_batches) == {"done": 4, "finished": 1}
    assert {status for _entry, status in _contracts(app)} == {Status.AWAITING_WORKER}
    with app.app_context():
        for contract in db.session.scalars(sa.select(Contract)):
            assert [d.stage for d in contract.documents] == ["rendered", "employer_sealed"]  # one seal each
        worker_links = sum("/s/" in (m.body or "") for m in db.session.scalars(sa.select(OutboundSms)))
    assert worker_links == 6
    assert _log_is_intact(app)["employer_sealed"] == 6
    assert all(contract_id is not None for _state, contract_id in _items(app, run_id))


def test_a_contract_withdrawn_before_its_seal_is_reported_not_sealed(app: Flask, crowd: Crowd) -> None:
    run_id = _start_sealing(app, crowd)
    with app.app_context():
        first = db.session.scalar(sa.select(Contract).order_by(Contract.id))
        assert first is not None
        first.status, number = Status.WITHDRAWN, first.number
        db.session.commit()
    assert run_job(app, run_contract_batches) == {"done": 5, "failed": 1, "finished": 1}
    with app.app_context():
        progress = queries.run_progress(db.session.get(BatchRun, run_id))  # type: ignore[arg-type]
        [problem] = progress.problems
        assert number in problem.message  # in the scheduler's language (the platform's default)
        assert not problem.retrying


def test_the_sealing_progress_page_opens_only_in_the_browser_that_sealed(app: Flask, crowd: Crowd) -> None:
    _start_sealing(app, crowd)
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    stranger = app.test_client()  # holds the (used) link, but did not seal with it
    assert stranger.get(f"/seal/{token}/progress").status_code == 404
    assert app.test_client().get(f"/seal/{token}/progress.json").status_code == 404
