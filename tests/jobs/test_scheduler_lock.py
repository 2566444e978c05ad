"""One scheduler at a time: a second ``python -m jobs`` stands by and runs nothing until the first one ends.
When the first is killed, the standby's sequencer moves the steps queued since into the log and ``ledger verify``
passes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from flask import Flask

from tests.ledger.checks import ledger_verifies
from wage_guard import boundary, clock
from wage_guard.ledger import services as ledger

ROOT = Path(__file__).resolve().parents[2]
#: Generous deadlines for a process to log a line: a wait, not an assertion on speed.
WAIT_SECONDS = 120


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for: {what}")
        time.sleep(0.2)


def _queue_steps(app: Flask, numbers: range) -> None:
    """Steps committed for the scheduler's sequencer job to move into the log (no request sequences them)."""
    app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = False
    try:
        with app.app_context():
            for n in numbers:
                ledger.append("test_step", "subject:scheduler", {"n": n}, now=clock.utcnow())
            boundary.commit()
    finally:
        app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = True


def _none_queued(app: Flask) -> bool:
    with app.app_context():
        return ledger.queued() == 0


@pytest.fixture
def start_scheduler(database_url: str, tmp_path: Path) -> Iterator[Callable[[str], tuple[subprocess.Popen[bytes], Path]]]:
    started: list[subprocess.Popen[bytes]] = []
    outputs: list[IO[bytes]] = []
    env = {
        **os.environ,
        "WAGE_GUARD_ENV": "development",
        "WAGE_GUARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "WAGE_GUARD_SQLALCHEMY_DATABASE_URI": database_url,
        "WAGE_GUARD_SCHEDULER_SMS_INTERVAL_SECONDS": "1",
        "WAGE_GUARD_SCHEDULER_STANDBY_POLL_SECONDS": "1",
    }

    def start(name: str) -> tuple[subprocess.Popen[bytes], Path]:
        output = tmp_path / f"{name}.log"
        sink = output.open("wb")
        outputs.append(sink)
        process = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "jobs"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        started.append(process)
        return process, output

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)
    for sink in outputs:
        sink.close()


def test_a_second_scheduler_runs_nothing_until_the_first_ends(start_scheduler, app) -> None:  # type: ignore[no-untyped-def]
    _queue_steps(app, range(5))
    first, first_log = start_scheduler("first")
    _until(lambda: "scheduler lock taken" in first_log.read_text(), "the first scheduler takes the lock")
    second, second_log = start_scheduler("second")
    _until(lambda: "standing by" in second_log.read_text(), "the second scheduler stands by")
    runs_before = first_log.read_text().count("job deliver_pending_sms done")
    _until(lambda: first_log.read_text().count("job deliver_pending_sms done") >= runs_before + 3, "the first runs jobs")
    assert "job deliver_pending_sms done" not in second_log.read_text()
    assert "scheduler lock taken" not in second_log.read_text()
    _until(lambda: _none_queued(app), "the first scheduler's sequencer moves the steps into the log")
    # When the first ends (however it ends), the standby takes over.
    first.kill()
    first.wait(timeout=30)
    _queue_steps(app, range(5, 10))
    _until(lambda: "scheduler lock taken" in second_log.read_text(), "the standby takes over")
    _until(lambda: "job deliver_pending_sms done" in second_log.read_text(), "the standby runs jobs")
    _until(lambda: _none_queued(app), "the standby's sequencer moves the steps queued since into the log")
    assert second.poll() is None
    assert ledger_verifies(app) == 10
