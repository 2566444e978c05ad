"""Issuing and sealing a large batch as the foreman and the signatory feel it: no request may take a second.

Run from the repository root::

    .venv/bin/python -m benchmarks.batch_contracts [--contracts 500] [--database sqlite|postgresql]

The foreman POSTs the issue form for ``--contracts`` workers, then watches the progress page (the page and its
JSON, polled every half second) while the scheduler's ``run_contract_batches`` job, in a process of its own as
``python -m jobs`` runs it, issues the contracts. Then the signatory confirms a code, opens the seal page, drops
the seal (one POST) and watches the job apply it to every contract. Every HTTP request is timed (Flask test
client, in process); the goal (issue #12) is that none takes more than a second.

**Baseline (1.00x):** the old design, where the one request issued (or sealed) the whole batch. Its cost per
contract is measured in the same run on a batch of ``--baseline`` contracts issued and sealed inside the request
(``BATCH_INLINE_MAX`` raised), and multiplied out to the batch size: what a single request would have taken.
The app runs on a database the benchmark creates and drops (``benchmarks.databases``).
"""

from __future__ import annotations

import argparse
import base64
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

from benchmarks.databases import bench_app, own_database
from benchmarks.table import Row, print_table

POLL_SECONDS = 0.5
#: The batch journey's time: an hour after the baseline's (a new login and sealing code each), the same day.
LATER = timedelta(hours=1)


def _config(url: str) -> dict[str, Any]:
    """One set of keys and one document store for every process of the run."""
    key = base64.b64encode(os.urandom(32)).decode()
    keys = ("FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "CODE_HASH_KEY", "KEY_ENCRYPTION_KEY")
    return {
        **dict.fromkeys(keys, key),
        "DOCUMENT_STORE_DIR": tempfile.mkdtemp(prefix="wage_guard_bench_documents_"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "_URL": url,
    }


def _app(config: dict[str, Any], **extra: Any) -> Any:
    settings = {k: v for k, v in config.items() if k != "_URL"}
    return bench_app(config["_URL"], **settings, **extra)


def _scheduler(config: dict[str, Any], stop: Any) -> None:
    """The scheduler process: the batch job, as often as ``python -m jobs`` would run it, until told to stop."""
    from jobs.batches import run_contract_batches
    from jobs.runner import run_job
    from tests.conftest import START
    from wage_guard import clock

    app = _app(config)
    logging.getLogger().setLevel(logging.WARNING)
    clock.freeze(START + LATER)
    while not stop.is_set():
        if not run_job(app, run_contract_batches):
            stop.wait(app.config["SCHEDULER_BATCH_INTERVAL_SECONDS"])


class Timer:
    """Every request of the run, by what it was."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    def request(self, what: str, call: Any, *expected: int) -> Any:
        started = time.perf_counter()
        response = call()
        self.times.setdefault(what, []).append(time.perf_counter() - started)
        assert response.status_code in expected, (what, response.status_code, response.get_data(as_text=True)[:300])
        return response


def _watch(timer: Timer, client: Any, page: str, status: str, label: str) -> float:
    """Poll the progress page and its JSON until the newest run is finished; returns the seconds it took."""
    started = time.perf_counter()
    while True:
        timer.request(f"{label} progress page", lambda: client.get(page), 200)
        runs = timer.request(f"{label} progress JSON", lambda: client.get(status), 200).get_json()
        if runs and runs[-1]["finished"]:
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)


def _issue_form(enrollments: list[int]) -> dict[str, Any]:
    from tests.journeys.conftest import ISSUE_FORM

    return {**ISSUE_FORM, "enrollment_ids": [str(e) for e in enrollments]}


def _journey(app: Any, timer: Timer, project: int, enrollments: list[int], label: str) -> dict[str, float]:
    """Issue to ``enrollments`` and seal them, through HTTP; the job (if any) runs in the scheduler process."""
    from tests.factories import login
    from tests.journeys.conftest import SIGNATORY_PHONE, default_placement, link_in_sms

    foreman = app.test_client()
    login(foreman, "foreman_a")  # untimed: not part of the batch
    issued = timer.request(
        f"{label} issue POST", lambda: foreman.post(f"/projects/{project}/contracts/new", data=_issue_form(enrollments)), 302
    )
    location = issued.headers["Location"]
    seconds = {"issuing": 0.0, "sealing": 0.0}
    if "/batches/" in location:
        seconds["issuing"] = _watch(timer, foreman, location, location + "/progress.json", label)
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    signatory = app.test_client()
    timer.request(f"{label} signatory: code", lambda: signatory.post(f"/seal/{token}/code"), 302)
    code = _latest_code(app, SIGNATORY_PHONE)
    timer.request(f"{label} signatory: verify", lambda: signatory.post(f"/seal/{token}/verify", data={"code": code}), 302)
    html = timer.request(f"{label} signatory: seal page", lambda: signatory.get(f"/seal/{token}/seal"), 200).get_data(
        as_text=True
    )
    sealed = timer.request(
        f"{label} seal POST", lambda: signatory.post(f"/seal/{token}/seal", data=default_placement(html)), 200, 302
    )
    if sealed.status_code == 302:
        seconds["sealing"] = _watch(timer, signatory, f"/seal/{token}/progress", f"/seal/{token}/progress.json", label)
    return seconds


def _latest_code(app: Any, phone: str) -> str:
    from tests.factories import latest_code

    return latest_code(app, phone)


def measure(config: dict[str, Any], contracts: int, baseline: int) -> tuple[Timer, dict[str, float]]:
    from benchmarks.signing_request import signing_world_with_workers
    from tests.conftest import START
    from wage_guard import clock

    app = _app(config)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    clock.freeze(START)
    sw, _people = signing_world_with_workers(app, contracts + baseline)
    enrollments = [e for name, e in sw.enrollments.items() if name.startswith("工人")]
    timer = Timer()
    # The old design: the whole batch in the request (only the job is kept out of it, as it has no work).
    old = _app(config, BATCH_INLINE_MAX=10**9)
    clock.freeze(START)
    _journey(old, timer, sw.base.project_a, enrollments[:baseline], "baseline")
    clock.freeze(START + LATER)
    stop = multiprocessing.get_context("spawn").Event()
    scheduler = multiprocessing.get_context("spawn").Process(target=_scheduler, args=(config, stop))
    scheduler.start()
    try:
        seconds = _journey(app, timer, sw.base.project_a, enrollments[baseline:], "batch")
    finally:
        stop.set()
        scheduler.join(timeout=60)
        clock.freeze(None)
    return timer, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a large batch issued and sealed: the slowest request")
    parser.add_argument("--contracts", type=int, default=500)
    parser.add_argument("--baseline", type=int, default=25, help="contracts issued and sealed in one request")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    with own_database(args.database, "batch_contracts") as url:
        timer, seconds = measure(_config(url), args.contracts, args.baseline)
    n, b = args.contracts, args.baseline
    per_issue = timer.times["baseline issue POST"][0] / b
    per_seal = timer.times["baseline seal POST"][0] / b
    batch = {k: v for k, v in timer.times.items() if k.startswith("batch ")}
    slowest = max(max(v) for v in batch.values())
    print(f"a batch of {n} contracts issued and sealed ({args.database}); baseline per contract from one request of {b}")
    rows = [
        Row(
            f"baseline: one request issuing {n} (measured {per_issue * 1000:.0f} ms a contract x {n})",
            f"{per_issue * n:.1f} s",
            "1.00x",
        ),
        Row(
            f"baseline: one request sealing {n} (measured {per_seal * 1000:.0f} ms a contract x {n})",
            f"{per_seal * n:.1f} s",
            "1.00x",
        ),
    ]
    for what, times in sorted(batch.items()):
        median = statistics.median(times)
        rows.append(Row(f"{what} ({len(times)} requests, median; max)", f"{median * 1000:.0f} ms; {max(times) * 1000:.0f} ms"))
    rows += [
        Row(
            "issue POST vs the baseline request",
            f"{timer.times['batch issue POST'][0] * 1000:.0f} ms",
            f"{timer.times['batch issue POST'][0] / (per_issue * n):.3f}x",
        ),
        Row(
            "seal POST vs the baseline request",
            f"{timer.times['batch seal POST'][0] * 1000:.0f} ms",
            f"{timer.times['batch seal POST'][0] / (per_seal * n):.3f}x",
        ),
        Row(
            f"issuing by the job, {n} contracts (seen on the progress page)",
            f"{seconds['issuing']:.1f} s",
            f"{seconds['issuing'] / (per_issue * n):.2f}x",
        ),
        Row(
            f"sealing by the job, {n} contracts (seen on the progress page)",
            f"{seconds['sealing']:.1f} s",
            f"{seconds['sealing'] / (per_seal * n):.2f}x",
        ),
        Row("slowest HTTP request of the batch journey", f"{slowest * 1000:.0f} ms", "", "<= 1 s", slowest <= 1.0),
    ]
    print_table(rows, ("measurement", "value", "vs baseline", "goal", "result"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
