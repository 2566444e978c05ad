"""Evidence-log entries per second from concurrent writers, each request committing once (issue #12, part 3).

Run from the repository root::

    .venv/bin/python -m benchmarks.ledger_writers [--writers 16] [--seconds 10] [--rounds 3]
        [--database postgresql|sqlite]

``benchmarks.ledger`` measures one writer committing every 50 appends; a request commits once, and many run at
the same time. Here ``--writers`` processes (spawned, each with its own app and connection, released together
by a barrier) repeat what a request that logs one step does: one append to the evidence log and one commit, for
``--seconds``. The baseline in the same run is the same processes inserting the same row into a plain table
with one commit each (what the database does without the log). Two ways of running the sequencer are measured:
right after each commit (the default, ``LEDGER_INTEGRATE_AFTER_COMMIT``) and only from the scheduler (a process
running ``integrate_queued`` once a second, as ``jobs.ledger.integrate_ledger`` does, which also runs beside the
first way, as in production). The table gives entries per
second (median and range over ``--rounds``), the ratio to the baseline, the latency of a request's append and
commit (median, p10–p90, p99), and the integration delay: from a request's commit to its entry being in the log,
as a watcher polling the log every 20 ms sees it (p50, p95, max). After the last round the log is checked:
sequence numbers 0..n-1 with no gap or duplicate, and every leaf hash recomputed. Goals of issue #12 on
PostgreSQL: at least 2,000 entries per second from 16 writers, integration delay p95 at most 2 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from benchmarks.databases import own_database

GOAL = 2000.0
DELAY_GOAL_S = 2.0
PLAIN = "bench_plain_entry"


def _plain_table() -> sa.Table:
    key = sa.BigInteger().with_variant(sa.Integer, "sqlite")  # SQLite numbers only an INTEGER key by itself
    return sa.Table(PLAIN, sa.MetaData(), sa.Column("id", key, primary_key=True), sa.Column("payload", sa.Text))


@dataclass(frozen=True)
class Round:
    per_second: float
    latencies_ms: list[float]
    #: Seconds from each request's commit to its entry being seen in the log (ledger rounds only).
    delays_s: list[float]


#: The ways of running: the plain baseline, the sequencer after each commit, the sequencer from the scheduler only.
KINDS = ("plain", "after_commit", "scheduler")


def _writer(url: str, kind: str, seconds: float, start: Any, results: Any) -> None:
    from benchmarks.databases import bench_app
    from wage_guard import clock
    from wage_guard.extensions import db
    from wage_guard.ledger import services

    app = bench_app(url, LEDGER_INTEGRATE_AFTER_COMMIT=kind != "scheduler")
    with app.app_context():
        plain = _plain_table()
        db.session.connection()  # connect before the start, so the rounds time requests, not connecting
        db.session.commit()
        latencies, committed, count = [], [], 0
        start.wait()
        began = time.perf_counter()
        stop = began + seconds
        while time.perf_counter() < stop:
            started = time.perf_counter()
            payload = {"n": count, "document_sha256_after": "ab" * 32}
            if kind == "plain":
                db.session.execute(plain.insert().values(payload=services.canonical(payload).decode()))
            else:
                entry_id = services.append("bench", f"contract:WG-{count % 97}", payload, now=clock.utcnow()).entry_id
                committed.append((entry_id, time.time()))
            db.session.commit()
            latencies.append((time.perf_counter() - started) * 1000)
            count += 1
        results.put((count, time.perf_counter() - began, latencies, committed))
        db.session.remove()
        db.engine.dispose()


def _scheduler(url: str, stop: Any) -> None:
    """What ``jobs.ledger.integrate_ledger`` does every second."""
    from benchmarks.databases import bench_app
    from wage_guard.ledger import sequencer

    app = bench_app(url)
    with app.app_context():
        while not stop.is_set():
            sequencer.integrate_queued(wait=True)
            stop.wait(1.0)
        sequencer.integrate_queued(wait=True)


class Watcher(threading.Thread):
    """Polls the log every 20 ms and notes when each entry is first seen."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url)
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        next_seq = 0
        with self.engine.connect() as connection:
            next_seq = int(connection.scalar(sa.text("SELECT coalesce(max(seq) + 1, 0) FROM ledger_entry")) or 0)
            connection.rollback()
            while not self.stop.is_set():
                query = sa.text("SELECT seq, entry_id FROM ledger_entry WHERE seq >= :next ORDER BY seq")
                rows = connection.execute(query, {"next": next_seq}).all()
                connection.rollback()
                now = time.time()
                for seq, entry_id in rows:
                    self.seen.setdefault(int(entry_id), now)
                    next_seq = max(next_seq, int(seq) + 1)
                self.stop.wait(0.02)
        self.engine.dispose()


def one_round(url: str, kind: str, writers: int, seconds: float) -> Round:
    context = multiprocessing.get_context("spawn")
    start, results, stop = context.Barrier(writers), context.Queue(), context.Event()
    processes = [context.Process(target=_writer, args=(url, kind, seconds, start, results)) for _ in range(writers)]
    # The scheduler's sequencer runs in both ledger modes, as in production: it takes what a commit's own
    # sequencing left when another sequencer was at work.
    helpers = [context.Process(target=_scheduler, args=(url, stop))] if kind != "plain" else []
    watcher = Watcher(url)
    if kind != "plain":
        watcher.start()
    for process in [*helpers, *processes]:
        process.start()
    outcomes = [results.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    stop.set()
    for helper in helpers:
        helper.join()
    delays = []
    if kind != "plain":
        committed = [pair for *_, pairs in outcomes for pair in pairs]
        deadline = time.time() + 60  # the stragglers of the last sequencing (a wait, not a measurement)
        while len(watcher.seen) < len(committed) and time.time() < deadline:
            time.sleep(0.05)
        watcher.stop.set()
        watcher.join()
        delays = [watcher.seen[entry_id] - at for entry_id, at in committed if entry_id in watcher.seen]
        assert len(delays) == len(committed), "some committed steps never reached the log"
    total = sum(count for count, *_ in outcomes)
    elapsed = max(took for _, took, *_ in outcomes)
    return Round(total / elapsed, [ms for _, _, latencies, _ in outcomes for ms in latencies], delays)


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
        plain = _plain_table()
        plain.create(db.engine)
        db.engine.dispose()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _row(name: str, rounds: list[Round], baseline: float | None) -> str:
    rates = sorted(r.per_second for r in rounds)
    rate = statistics.median(rates)
    latencies = [ms for r in rounds for ms in r.latencies_ms]
    delays = [s for r in rounds for s in r.delays_s]
    ratio = f"{rate / baseline:.2f}x" if baseline else "1.00x"
    latency = (
        f"{percentile(latencies, 0.5):.1f} ms ({percentile(latencies, 0.1):.1f}–{percentile(latencies, 0.9):.1f}), "
        f"p99 {percentile(latencies, 0.99):.1f} ms"
    )
    delay = (
        f"p50 {percentile(delays, 0.5):.2f} s, p95 {percentile(delays, 0.95):.2f} s, max {max(delays):.2f} s" if delays else ""
    )
    return f"| {name} | {rate:,.0f}/s ({rates[0]:,.0f}–{rates[-1]:,.0f}) | {ratio} | {latency} | {delay} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="evidence-log entries per second from concurrent writers")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    with own_database(args.database, "ledger_writers") as url:
        _prepare(url)
        rounds = {kind: [one_round(url, kind, args.writers, args.seconds) for _ in range(args.rounds)] for kind in KINDS}
        entries, intact = check_log(url)
    baseline = statistics.median(r.per_second for r in rounds["plain"])
    print(
        f"{args.writers} writers on {args.database}, one step and one commit per request, "
        f"{args.rounds} rounds of {args.seconds:.0f} s each"
    )
    print("| measurement | per second (min–max of rounds) | vs baseline | request latency median (p10–p90), p99 | integration |")
    print("|---|---|---|---|---|")
    print(_row("plain INSERT and commit (baseline)", rounds["plain"], None))
    print(_row("evidence-log step and commit, sequencer after each commit", rounds["after_commit"], baseline))
    print(_row("evidence-log step and commit, sequencer from the scheduler only", rounds["scheduler"], baseline))
    print(f"log after the run: {entries:,} entries, {'no gap, no duplicate, leaf hashes recomputed' if intact else 'BROKEN'}")
    met = True
    for kind in ("after_commit", "scheduler"):
        rate = statistics.median(r.per_second for r in rounds[kind])
        p95 = percentile([s for r in rounds[kind] for s in r.delays_s], 0.95)
        ok = rate >= GOAL and p95 <= DELAY_GOAL_S
        met &= ok
        print(f"goals ({kind}): >= {GOAL:,.0f} entries/s, delay p95 <= {DELAY_GOAL_S:.0f} s: {'met' if ok else 'MISSED'}")
    return 1 if (args.check and not met) or not intact else 0


if __name__ == "__main__":
    sys.exit(main())
