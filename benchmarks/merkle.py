"""Merkle tree benchmark: the ledger's proofs must stay fast at millions of entries, without a database.

Run: ``.venv/bin/python -m benchmarks.merkle [--size N] [--runs N] [--check]``. Builds a ``MemoryNodes`` of
``--size`` leaves (default 1,000,000; pure hashing, no database), then times, for random leaves and sizes,
``inclusion_proof`` + ``verify_inclusion`` (goal: median <= 20 ms), ``consistency_proof`` +
``verify_consistency`` (held to the same budget) and ``root`` at a random earlier size. Baseline in the same
run: RFC 6962's PATH and PROOF computed naively from MTH on a 2**14-leaf tree (what a store without subtree
hashes would do); the ratio column is stored-subtree time / naive time. Exit 0 unless ``--check`` and a goal
is missed.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks import table
from benchmarks.table import Row
from wage_guard.ledger import merkle

PROOF_GOAL_MS = 20.0
SEED = 6962


def entry(index: int) -> bytes:
    """A 64-byte stand-in for a canonical ledger entry."""
    return index.to_bytes(8, "big") * 8


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def build(size: int) -> tuple[merkle.MemoryNodes, float]:
    """The tree of ``size`` leaves and the seconds it took."""
    nodes = merkle.MemoryNodes()
    append = nodes.append
    started = time.perf_counter()
    for index in range(size):
        append(entry(index))
    return nodes, time.perf_counter() - started


def hashing_floor(size: int) -> float:
    """Seconds for the hashes alone: one leaf hash and (about) one node hash per entry."""
    leaf_hash, node_hash = merkle.leaf_hash, merkle.node_hash
    started = time.perf_counter()
    previous = merkle.EMPTY_ROOT
    for index in range(size):
        previous = node_hash(previous, leaf_hash(entry(index)))
    return time.perf_counter() - started


def inclusion_samples(nodes: merkle.MemoryNodes, runs: int, rng: random.Random) -> list[float]:
    size, root = nodes.size, nodes.root()
    samples = []
    for _ in range(runs):
        index = rng.randrange(size)
        leaf = merkle.leaf_hash(entry(index))
        started = time.perf_counter()
        ok = merkle.verify_inclusion(leaf, index, size, merkle.inclusion_proof(nodes, index, size), root)
        samples.append(time.perf_counter() - started)
        assert ok, f"inclusion proof for {index} did not verify"
    return samples


def consistency_samples(nodes: merkle.MemoryNodes, runs: int, rng: random.Random) -> list[float]:
    size, root = nodes.size, nodes.root()
    samples = []
    for _ in range(runs):
        old = rng.randrange(1, size)
        old_root = nodes.root(old)
        started = time.perf_counter()
        ok = merkle.verify_consistency(old, size, old_root, root, merkle.consistency_proof(nodes, old, size))
        samples.append(time.perf_counter() - started)
        assert ok, f"consistency proof from {old} did not verify"
    return samples


def root_samples(nodes: merkle.MemoryNodes, runs: int, rng: random.Random) -> list[float]:
    return [timed(lambda: nodes.root(rng.randrange(1, nodes.size + 1))) for _ in range(runs)]


# --- the naive baseline: RFC 6962 §2.1 recomputed from the entries on every call ----------------------------


def naive_mth(d: list[bytes]) -> bytes:
    if len(d) == 1:
        return merkle.leaf_hash(d[0])
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return merkle.node_hash(naive_mth(d[:k]), naive_mth(d[k:]))


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1 << ((len(d) - 1).bit_length() - 1)
    if m < k:
        return naive_path(m, d[:k]) + [naive_mth(d[k:])]
    return naive_path(m - k, d[k:]) + [naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], complete: bool) -> list[bytes]:
    if m == len(d):
        return [] if complete else [naive_mth(d)]
    k = 1 << ((len(d) - 1).bit_length() - 1)
    if m <= k:
        return naive_subproof(m, d[:k], complete) + [naive_mth(d[k:])]
    return naive_subproof(m - k, d[k:], False) + [naive_mth(d[:k])]


def naive_samples(size: int, runs: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """Timings of naive inclusion (+ verify) and consistency (+ verify) proofs on ``size`` leaves."""
    d = [entry(index) for index in range(size)]
    root = naive_mth(d)
    inclusion, consistency = [], []
    for _ in range(runs):
        index, old = rng.randrange(size), rng.randrange(1, size)
        leaf, old_root = merkle.leaf_hash(d[index]), naive_mth(d[:old])
        started = time.perf_counter()
        ok = merkle.verify_inclusion(leaf, index, size, naive_path(index, d), root)
        inclusion.append(time.perf_counter() - started)
        started = time.perf_counter()
        ok = ok and merkle.verify_consistency(old, size, old_root, root, naive_subproof(old, d, True))
        consistency.append(time.perf_counter() - started)
        assert ok, "naive baseline proof did not verify"
    return inclusion, consistency


# --- table ---------------------------------------------------------------------------------------------------


def proof_row(name: str, samples: list[float], baseline: list[float], baseline_size: int) -> Row:
    value, naive = median_ms(samples), median_ms(baseline)
    ratio = f"{value / naive:.4f}x of {naive:.1f} ms"
    return Row(name, f"{value:.3f} ms", ratio, f"<= {PROOF_GOAL_MS:.0f} ms", value <= PROOF_GOAL_MS)


def measure(size: int, runs: int, baseline_size: int) -> list[Row]:
    rng = random.Random(SEED)
    nodes, seconds = build(size)
    floor = hashing_floor(size)
    stored = nodes.node_count
    naive_inclusion, naive_consistency = naive_samples(baseline_size, min(runs, 20), rng)
    return [
        Row(f"build MemoryNodes, {size:,} leaves", f"{seconds:.2f} s", f"{size / seconds:,.0f} appends/s"),
        Row("  SHA-256 alone, same 2 hashes/leaf, no store", f"{floor:.2f} s", f"{floor / seconds:.2f}x of build"),
        Row("  stored subtree hashes", f"{stored:,} nodes", f"{stored * merkle.HASH_SIZE / 2**20:.1f} MiB"),
        proof_row(f"inclusion_proof + verify @ {size:,}", inclusion_samples(nodes, runs, rng), naive_inclusion, baseline_size),
        proof_row(
            f"consistency_proof + verify @ {size:,}", consistency_samples(nodes, runs, rng), naive_consistency, baseline_size
        ),
        Row(f"root at a random size <= {size:,}", f"{median_ms(root_samples(nodes, runs, rng)):.3f} ms"),
        Row(f"naive PATH + verify @ 2^{baseline_size.bit_length() - 1}", f"{median_ms(naive_inclusion):.1f} ms", "(baseline)"),
        Row(f"naive PROOF + verify @ 2^{baseline_size.bit_length() - 1}", f"{median_ms(naive_consistency):.1f} ms", "(baseline)"),
    ]


def print_table(rows: list[Row]) -> None:
    table.print_table(rows, ("benchmark", "median / total", "ratio", "goal", "result"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=1_000_000, help="leaves in the tree (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=200, help="random proofs per row (median); naive rows use at most 20")
    parser.add_argument("--baseline-size", type=int, default=2**14, help="leaves of the naive baseline tree")
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args(argv)
    if args.size < 2 or args.baseline_size < 2 or args.runs < 1:
        parser.error("--size and --baseline-size must be at least 2, --runs at least 1")
    rows = measure(args.size, args.runs, args.baseline_size)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.runs} random proofs per row (seed {SEED}); peak RSS {peak_mib:.0f} MiB; Python {sys.version.split()[0]}")
    print_table(rows)
    missed = [row.name for row in rows if row.passed is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
