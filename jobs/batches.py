"""Batch work for the people who started it: issuing and sealing many contracts (``wage_guard.batches``)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime

from wage_guard import boundary, clock
from wage_guard.batches import kinds, services

#: How long one run of the job keeps working before it hands back to the scheduler (which runs it again at once
#: when its interval has passed); each contract is committed on its own as it is done.
BUDGET_SECONDS = 30.0


def run_contract_batches(*, now: datetime) -> dict[str, int]:
    """Work due batch items one at a time, committing each (a contract is the unit of work: what is committed is
    never done again, and a run killed half way resumes with the next item)."""
    del now  # each item takes the clock when it is worked: a long run's contracts carry their own times
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + BUDGET_SECONDS
    while time.monotonic() < deadline:
        outcome = services.work_next(kinds.KINDS, now=clock.utcnow())
        if outcome is None:
            break
        boundary.commit()
        counts[outcome] += 1
    return dict(counts)
