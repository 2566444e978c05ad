"""``python -m benchmarks``: run every benchmark, each printing its own table."""

import sys

from benchmarks import contracts, enrolment_lcp


def main() -> int:
    status = contracts.main([])
    print()
    return status or enrolment_lcp.main([])


if __name__ == "__main__":
    sys.exit(main())
