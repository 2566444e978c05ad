"""Run one job: in an app context, with the clock, committing on success and rolling back on failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from wage_guard import boundary, clock

log = logging.getLogger(__name__)


def run_job(app: Flask, job: Callable[..., object], quiet: bool = False) -> object:
    """Call ``job(now=...)`` once; a failure is logged and rolled back so the next run starts clean."""
    with app.app_context():
        now: datetime = clock.utcnow()
        try:
            result = job(now=now)
            boundary.commit()
        except Exception:
            boundary.rollback()
            log.exception("job %s failed", getattr(job, "__name__", job))
            raise
        # A quiet job (the evidence log's sequencer, every second) reports its runs at debug level only.
        log.log(logging.DEBUG if quiet else logging.INFO, "job %s done: %s", getattr(job, "__name__", job), result)
        return result
