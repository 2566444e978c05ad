"""Evidence-log appends per second through the real service, on SQLite and (if reachable) PostgreSQL.

Run: ``.venv/bin/python -m benchmarks.ledger [--count N] [--check]``. Goal (issue #4): >= 2,000 appends/s.
Each append happens inside a business transaction, so the figure is taken as a run of appends committed in
batches of 50 (a request logs a handful of steps; jobs log many). The baseline in the same run is a plain
INSERT of the same rows into a table without the Merkle tree, so the ratio shows what the tree costs.
Inclusion-proof time at a million entries is measured by ``python -m benchmarks.merkle``.
"""

from __future__ import annotations

import argparse
import sys
import time

import sqlalchemy as sa

from benchmarks.databases import bench_app, own_database
from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.ledger import services

GOAL = 2000.0
BATCH = 50


def _appends(count: int) -> float:
    now = clock.utcnow()
    started = time.perf_counter()
    for n in range(count):
        services.append("bench", f"contract:WG-{n % 97}", {"n": n, "document_sha256_after": "ab" * 32}, now=now)
        if (n + 1) % BATCH == 0:
            db.session.commit()
    db.session.commit()
    return count / (time.perf_counter() - started)


def _baseline(count: int) -> float:
    table = sa.Table(
        "bench_plain", sa.MetaData(), sa.Column("seq", sa.BigInteger, primary_key=True), sa.Column("payload", sa.Text)
    )
    table.create(db.engine, checkfirst=True)
    started = time.perf_counter()
    for n in range(count):
        db.session.execute(table.insert().values(seq=n, payload=services.canonical({"n": n}).decode()))
        if (n + 1) % BATCH == 0:
            db.session.commit()
    db.session.commit()
    rate = count / (time.perf_counter() - started)
    table.drop(db.engine)
    return rate


def measure(kind: str, count: int) -> tuple[float, float]:
    """Appends per second and the plain-INSERT baseline, in a database created for this run and dropped after."""
    with own_database(kind, "ledger") as url:
        app = bench_app(url)
        with app.app_context():
            db.create_all()
            try:
                baseline = _baseline(count)
                rate = _appends(count)
            finally:
                db.session.remove()
                db.engine.dispose()
    return rate, baseline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="evidence-log appends per second")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    targets = [("SQLite (file)", "sqlite"), ("PostgreSQL", "postgresql")]
    rows, failed = [], False
    for name, kind in targets:
        try:
            rate, baseline = measure(kind, args.count)
        except sa.exc.OperationalError as exc:
            rows.append(f"| {name} | unavailable: {str(exc).splitlines()[0][:60]} | | | |")
            continue
        passed = rate >= GOAL
        failed |= not passed
        verdict = f"{'PASS' if passed else 'FAIL'} (>= {GOAL:,.0f}/s)"
        rows.append(f"| {name} | {rate:,.0f}/s | {baseline:,.0f}/s | {rate / baseline:.2f}x | {verdict} |")
    print(f"{args.count} appends, committed every {BATCH}")
    print("| database | ledger appends | plain INSERT baseline | ratio | goal |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
