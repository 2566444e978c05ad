"""``python -m jobs``: the scheduler process, separate from the web workers."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from jobs.registry import job_definitions
from jobs.runner import run_job
from wage_guard import create_app


def build_scheduler(app: Flask | None = None) -> BlockingScheduler:
    """One interval job per registry entry; never two runs of a job at once, missed runs coalesced."""
    app = app or create_app()
    scheduler = BlockingScheduler(timezone="UTC")
    for job in job_definitions(app):
        scheduler.add_job(
            run_job,
            "interval",
            args=(app, job.function),
            id=job.id,
            name=job.id,
            seconds=job.seconds,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
    return scheduler


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    build_scheduler().start()


if __name__ == "__main__":
    main()
