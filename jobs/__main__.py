"""``python -m jobs``: the scheduler process, separate from the web workers."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from jobs.lock import SchedulerLock
from jobs.registry import job_definitions
from jobs.runner import run_job
from wage_guard import create_app
from wage_guard.extensions import db

log = logging.getLogger("jobs")


def build_scheduler(app: Flask | None = None) -> BlockingScheduler:
    """One interval job per registry entry; never two runs of a job at once, missed runs coalesced."""
    app = app or create_app()
    scheduler = BlockingScheduler(timezone="UTC")
    for job in job_definitions(app):
        scheduler.add_job(
            run_job,
            "interval",
            args=(app, job.function, job.quiet),
            id=job.id,
            name=job.id,
            seconds=job.seconds,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            **({"next_run_time": datetime.now(UTC)} if job.at_start else {}),
        )
    return scheduler


def main() -> None:
    """Run the scheduler once this process holds the scheduler lock; until then, stand by and run nothing."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    with app.app_context():
        lock = SchedulerLock(db.engine)
        if not lock.acquire():
            log.info("another scheduler holds the lock: standing by, running no job")
            while not lock.acquire():
                time.sleep(app.config["SCHEDULER_STANDBY_POLL_SECONDS"])
        log.info("scheduler lock taken: running the jobs")
    build_scheduler(app).start()


if __name__ == "__main__":
    main()
