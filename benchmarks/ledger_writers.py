"""Evidence-log entries per second from concurrent writers, each request committing once (issue #12, part 3).

Run from the repository root::

    .venv/bin/python -m benchmarks.ledger_writers [--writers 16] [--seconds 10] [--rounds 3]
        [--database postgresql|sqlite]

``benchmarks.ledger`` measures one writer committing every 50 appends; a request commits once, and many run at
the same time. Here ``--writers`` processes (spawned, each with its own app and connection, released together
by a barrier) repeat what a request that logs one step does: one append to the evidence log and one commit, for
``--seconds``. The baseline in the same run is the same processes inserting the same row into a plain table
with one commit each (what the database does without the log's lock and tree). The table gives entries per
second (median and range over ``--rounds``), the ratio to the baseline and the latency of a request's append and
commit (median, p10–p90, p99). After the last round the log is checked: sequence numbers 0..n-1 with no gap or
duplicate, and every leaf hash recomputed. Goal of issue #12 on PostgreSQL: at least 2,000 entries per second
from 16 writers; today every append takes the log's state row until commit, so the writers queue on it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from benchmarks.databases import own_database

GOAL = 2000.0
PLAIN = "bench_plain_entry"


@dataclass(frozen=True)
class Round:
    per_second: float
    latencies_ms: list[float]


def _writer(url: str, kind: str, seconds: float, start: Any, results: Any) -> None:
    from benchmarks.databases import bench_app
    from wage_guard import clock
    from wage_guard.extensions import db
    from wage_guard.ledger import services

    app = bench_app(url)
    with app.app_context():
        plain = sa.Table(PLAIN, sa.MetaData(), sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("payload", sa.Text))
        db.session.connection()  # connect before the start, so the rounds time requests, not connecting
        db.session.commit()
        latencies, count = [], 0
        start.wait()
        began = time.perf_counter()
        stop = began + seconds
        while time.perf_counter() < stop:
            started = time.perf_counter()
            payload = {"n": count, "document_sha256_after": "ab" * 32}
            if kind == "ledger":
                services.append("bench", f"contract:WG-{count % 97}", payload, now=clock.utcnow())
            else:
                db.session.execute(plain.insert().values(payload=services.canonical(payload).decode()))
            db.session.commit()
            latencies.append((time.perf_counter() - started) * 1000)
            count += 1
        results.put((count, time.perf_counter() - began, latencies))
        db.session.remove()
        db.engine.dispose()


def one_round(url: str, kind: str, writers: int, seconds: float) -> Round:
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(writers), context.Queue()
    processes = [context.Process(target=_writer, args=(url, kind, seconds, start, results)) for _ in range(writers)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    total = sum(count for count, _, _ in outcomes)
    elapsed = max(took for _, took, _ in outcomes)
    return Round(total / elapsed, [ms for _, _, latencies in outcomes for ms in latencies])


def check_log(url: str) -> tuple[int, bool]:
    """(entries, whether the sequence is 0..n-1 and every leaf hash recomputes)."""
    from benchmarks.databases import bench_app
    from wage_guard.extensions import db
    from wage_guard.ledger import merkle, services
    from wage_guard.ledger.models import LedgerEntry

    app = bench_app(url)
    with app.app_context():
        entries = list(db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)))
        contiguous = [entry.seq for entry in entries] == list(range(len(entries)))
        hashes = all(merkle.leaf_hash(services.entry_bytes(entry)).hex() == entry.leaf_hash for entry in entries)
        contiguous &= services.size() == len(entries)
        db.session.remove()
        db.engine.dispose()
    return len(entries), contiguous and hashes


def _prepare(url: str) -> None:
    from benchmarks.databases import bench_app
    from wage_guard.extensions import db

    app = bench_app(url)
    with app.app_context():
        db.create_all()
        plain = sa.Table(PLAIN, sa.MetaData(), sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("payload", sa.Text))
        plain.create(db.engine)
        db.engine.dispose()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _row(name: str, rounds: list[Round], baseline: float | None) -> str:
    rates = sorted(r.per_second for r in rounds)
    rate = statistics.median(rates)
    latencies = [ms for r in rounds for ms in r.latencies_ms]
    ratio = f"{rate / baseline:.2f}x" if baseline else "1.00x"
    spread = (
        f"{percentile(latencies, 0.5):.1f} ms ({percentile(latencies, 0.1):.1f}–{percentile(latencies, 0.9):.1f}), "
        f"p99 {percentile(latencies, 0.99):.1f} ms"
    )
    return f"| {name} | {rate:,.0f}/s ({rates[0]:,.0f}–{rates[-1]:,.0f}) | {ratio} | {spread} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="evidence-log entries per second from concurrent writers")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    with own_database(args.database, "ledger_writers") as url:
        _prepare(url)
        plain = [one_round(url, "plain", args.writers, args.seconds) for _ in range(args.rounds)]
        ledger = [one_round(url, "ledger", args.writers, args.seconds) for _ in range(args.rounds)]
        entries, intact = check_log(url)
    baseline = statistics.median(r.per_second for r in plain)
    rate = statistics.median(r.per_second for r in ledger)
    print(
        f"{args.writers} writers on {args.database}, one append and one commit per request, "
        f"{args.rounds} rounds of {args.seconds:.0f} s"
    )
    print("| measurement | per second (min–max of rounds) | vs baseline | request latency median (p10–p90), p99 |")
    print("|---|---|---|---|")
    print(_row("plain INSERT and commit (baseline)", plain, None))
    print(_row("evidence-log append and commit", ledger, baseline))
    met = rate >= GOAL
    print(f"log after the run: {entries:,} entries, {'no gap, no duplicate, leaf hashes recomputed' if intact else 'BROKEN'}")
    print(f"goal: >= {GOAL:,.0f} entries/s: {'met' if met else 'MISSED'}")
    return 1 if (args.check and not met) or not intact else 0


if __name__ == "__main__":
    sys.exit(main())
