"""The load test's scenario, short (issue #14, part 3): CI runs ``python -m benchmarks.load`` for 30 seconds with
10 users against the same set-up as the named 5-minute run (gunicorn with three workers, PostgreSQL, Redis and
the scheduler, production settings) and requires no error, and no signing or wage confirmation that found the
seed's work used up (the seed follows the run's length and users: ``benchmarks.load_mix``). Latency is printed,
never asserted."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from benchmarks.stack import ROOT, StackUnavailable, check_available
from tests.deploy.support import unavailable

SECONDS = 30
USERS = 10
#: Start, seed, run and stop on a busy two-core machine (a deadline for the subprocess, not a measurement).
DEADLINE_SECONDS = 1200


def test_the_load_scenario_runs_for_thirty_seconds_without_an_error() -> None:
    if importlib.util.find_spec("locust") is None:
        unavailable("locust is not installed (requirements-dev.txt)")
    try:
        check_available()
    except StackUnavailable as missing:
        unavailable(str(missing))
    command = [sys.executable, "-m", "benchmarks.load", "--seconds", str(SECONDS), "--users", str(USERS)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE_SECONDS, check=False)
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-6000:]
    assert "errors: 0 (goal: 0)" in done.stdout
    assert "tasks that found no work left: 0 (goal: 0)" in done.stdout
    assert "| all requests" in done.stdout
    assert "| all tasks" in done.stdout
