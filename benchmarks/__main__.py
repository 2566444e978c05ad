"""``python -m benchmarks``: run every benchmark, each printing its own table."""

import sys

from benchmarks import (
    batch_contracts,
    contracts,
    enrolment_lcp,
    ledger,
    ledger_writers,
    merkle,
    payroll,
    province,
    signing_lcp,
    signing_request,
    signing_throughput,
    verification_throughput,
)


def main() -> int:
    statuses = []
    first = (contracts, signing_request, batch_contracts, signing_throughput, verification_throughput)
    benchmarks = (*first, ledger, ledger_writers, merkle)
    for benchmark in (*benchmarks, enrolment_lcp, signing_lcp, payroll):
        statuses.append(benchmark.main([]))
        print()
    # The province at a tenth of its default size (about 5 minutes); run ``-m benchmarks.province`` for 1 M workers.
    statuses.append(province.main(["--workers", "100000"]))
    return max(statuses)


if __name__ == "__main__":
    sys.exit(main())
