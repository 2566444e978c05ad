"""Load on the production set-up (issue #14, part 3): simulated users against gunicorn + PostgreSQL + Redis +
the scheduler, all started here (``benchmarks.stack``).

Run from the repository root::

    .venv/bin/python -m benchmarks.load --minutes 5 --users 50      # the named run (about 6 minutes in all)
    .venv/bin/python -m benchmarks.load --seconds 30 --users 10     # what CI runs (tests/deploy/test_load_smoke.py)

The users are ``benchmarks/load_users.py`` (locust, headless, in a process of its own: locust patches the
standard library with gevent): enrolment, contract signing, wage confirmation, payroll import, the public
verification page (upload and QR landing page), the inspector dashboard and the API, with 3 to 8 seconds between
a user's tasks. The seed prepares what each task needs (``benchmarks.stack_seed``), as much as the run's length
and users call for (``benchmarks.load_mix``). The per-address rate limits are raised for the run
(``benchmarks.stack.LOAD_LIMITS``): the users all come from 127.0.0.1, and a 429 is not counted as a success.
The first table gives, per request, the count, the throughput over the run, p50/p95/p99 latency and the errors
(HTTP statuses other than expected, and exceptions in the tasks); the second, per task, how many ran against
the share its weight gives, and how many found none of the seed's work left. The exit code is 1 when there is
any error or any work missing. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load_mix import PREPARED, WEIGHTS, prepared
from benchmarks.stack import ROOT, Stack, running_stack
from benchmarks.table import Row, print_table


@dataclass(frozen=True)
class Result:
    """A finished run: the rows of locust's statistics, its exceptions, its exit code and the users' tally."""

    stats: list[dict[str, str]]
    exceptions: list[dict[str, str]]
    failures: list[dict[str, str]]
    returncode: int
    seconds: float
    #: ``tasks.json`` of ``load_users.py``: {"ran": {task: count}, "no_work_left": {task: count}}; None if missing.
    tally: dict[str, dict[str, int]] | None = None
    #: The work the seed prepared, by task (``benchmarks.load_mix.PREPARED``).
    pools: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        total = next((row for row in self.stats if row["Name"] == "Aggregated"), None)
        failed = int(total["Failure Count"]) if total else 0
        return failed + sum(int(row["Count"]) for row in self.exceptions)

    @property
    def work_missing(self) -> int | None:
        """Tasks that found none of the seed's work left; None (not known) when the users wrote no tally."""
        return None if self.tally is None else sum(self.tally["no_work_left"].values())


def run_locust(stack: Stack, users: int, seconds: float, folder: Path) -> Result:
    """locust, headless, for ``seconds`` with ``users`` users spawned over the first 10 seconds (at most)."""
    prefix = folder / "load"
    rate = max(1.0, users / 10)
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "load_users.py"), "--headless"]
    command += ["--users", str(users), "--spawn-rate", str(rate), "--run-time", f"{int(seconds)}s", "--stop-timeout", "60"]
    command += ["--host", stack.base_url, "--only-summary", "--loglevel", "WARNING"]  # the CSV files: load_users.py
    env = stack.environment() | {"WAGE_GUARD_LOAD_PLAN": str(folder / "plan.json")}
    with (folder / "locust.log").open("wb") as log:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    tally = folder / "tasks.json"
    return Result(
        _read(Path(f"{prefix}_stats.csv")),
        _read(Path(f"{prefix}_exceptions.csv")),
        _read(Path(f"{prefix}_failures.csv")),
        done.returncode,
        seconds,
        json.loads(tally.read_text()) if tally.exists() else None,
        {"contract signing": len(stack.plan["signings"]), "wage confirmation": len(stack.plan["wage_links"])},
    )


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def load(users: int, seconds: float) -> tuple[Result, Path]:
    """Start the stack with the load's seed and limits, run the users, stop it all; the result and the log folder."""
    signings, confirmations = (str(prepared(kind, users, seconds)) for kind in PREPARED)
    with running_stack(load=True, seed_args=("--signings", signings, "--confirmations", confirmations)) as stack:
        folder = stack.logs
        (folder / "plan.json").write_text(json.dumps(stack.plan, ensure_ascii=False))
        result = run_locust(stack, users, seconds, folder)
        verified = stack.flask("ledger", "verify")
        if verified.returncode != 0:
            raise RuntimeError(f"flask ledger verify failed after the load:\n{verified.stdout}{verified.stderr}")
    return result, folder


def rows(result: Result) -> list[Row]:
    """One row per request name, the total last: count, throughput, p50 / p95 / p99 and errors (PASS at 0)."""
    table = []
    for stat in result.stats:
        name = "all requests" if stat["Name"] == "Aggregated" else stat["Name"]
        failures = int(stat["Failure Count"])
        table.append(
            Row(
                name,
                stat["Request Count"],
                f"{float(stat['Request Count']) / result.seconds:.2f}/s",
                f"{stat['50%']} / {stat['95%']} / {stat['99%']} ms",
                failures == 0,
            )
        )
    return table


def task_rows(result: Result) -> list[Row]:
    """One row per task: weight, how many ran (share of all tasks), the seed's work for it, and PASS when none
    of its tasks found the work used up."""
    tally = result.tally or {"ran": {}, "no_work_left": {}}
    ran, missing = tally["ran"], tally["no_work_left"]
    total_ran, total_weight = sum(ran.values()), sum(WEIGHTS.values())
    table = []
    for kind, weight in WEIGHTS.items():
        count = ran.get(kind, 0)
        share = f"{100 * count / total_ran:.1f} % (weight {100 * weight / total_weight:.1f} %)" if total_ran else "-"
        pool = str(result.pools[kind]) if kind in result.pools else "-"
        passed = result.tally is not None and not missing.get(kind)
        table.append(Row(kind, str(count), share, f"{pool} / {missing.get(kind, 0)}", passed))
    table.append(Row("all tasks", str(total_ran), "", f"- / {sum(missing.values())}", result.work_missing == 0))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="simulated users against gunicorn + PostgreSQL + Redis + the scheduler")
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else 60 * (args.minutes if args.minutes is not None else 5)
    before = os.getloadavg()
    result, folder = load(args.users, seconds)
    after = os.getloadavg()
    print(f"load: {args.users} users for {seconds:.0f} s against gunicorn (3 workers) + PostgreSQL + Redis + the scheduler")
    print(f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}; logs in {folder}")
    print(f"load average (1 min) before the stack started {before[0]:.2f}, after it stopped {after[0]:.2f}")
    print_table(rows(result), ("request", "requests", "throughput", "p50 / p95 / p99", "0 errors"))
    print()
    print_table(task_rows(result), ("task", "ran", "share of tasks (of weights)", "work prepared / missing", "0 missing"))
    for failure in result.failures:
        print(f"FAILURE {failure['Method']} {failure['Name']}: {failure['Error']} ({failure['Occurrences']}x)")
    for exception in result.exceptions:
        print(f"EXCEPTION ({exception['Count']}x): {exception['Message']}")
    print(f"errors: {result.errors} (goal: 0)")
    missing = "not known: the users wrote no tasks.json" if result.work_missing is None else result.work_missing
    print(f"tasks that found no work left: {missing} (goal: 0)")
    return 0 if result.errors == 0 and result.work_missing == 0 and result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
