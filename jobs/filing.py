"""The filing push to the employment-filing system (``wage_guard.filing``)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime

from flask import current_app

from wage_guard import boundary, clock
from wage_guard.filing import services

#: How long one run keeps sending before it hands back to the scheduler.
BUDGET_SECONDS = 20.0


def push_filings(*, now: datetime) -> dict[str, int]:
    """Send the due filing records, one commit each (a delivered record is never sent again by the job); with no
    receiver configured they stay queued."""
    del now
    config = current_app.config
    if not config["FILING_PUSH_URL"]:
        return {}
    receiver = services.Receiver(config["FILING_PUSH_URL"], config["FILING_PUSH_SECRET"], config["FILING_PUSH_TIMEOUT_SECONDS"])
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + BUDGET_SECONDS
    while time.monotonic() < deadline:
        outcome = services.push_next(receiver, now=clock.utcnow())
        if outcome is None:
            break
        boundary.commit()
        counts[outcome] += 1
    return dict(counts)
