"""``python -m benchmarks``: run every benchmark, each printing its own table."""

import sys

from benchmarks import contracts, enrolment_lcp, ledger, merkle, payroll, signing_lcp


def main() -> int:
    statuses = []
    for benchmark in (contracts, ledger, merkle, enrolment_lcp, signing_lcp, payroll):
        statuses.append(benchmark.main([]))
        print()
    return max(statuses)


if __name__ == "__main__":
    sys.exit(main())
