"""A crowd on project A: the signing world plus enough workers for a batch the scheduler works (``crowd``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import enrol_directly, id_number
from tests.journeys.conftest import SigningWorld, offer
from wage_guard import boundary, clock
from wage_guard.accounts.models import User
from wage_guard.batches import kinds
from wage_guard.batches.models import BatchRun
from wage_guard.extensions import db
from wage_guard.organisations.models import Project

SURNAMES = "赵钱孙李周吴郑王冯陈"
GIVEN = "建国明华志强海军伟杰"


@dataclass
class Crowd:
    world: SigningWorld
    #: Roster entries of project A, in order (the signing world's two workers first).
    enrollments: list[int]


def make_crowd(app: Flask, signing_world: SigningWorld, size: int) -> Crowd:
    """``size`` workers on project A's roster, with distinct names, ID numbers and phones."""
    with app.app_context():
        project = db.session.get(Project, signing_world.base.project_a)
        assert project is not None
        entries = list(signing_world.enrollments.values())
        for n in range(size - len(entries)):
            name = SURNAMES[n % 10] + GIVEN[(n // 10) % 10] + GIVEN[(n + 3) % 10]
            born = (date(1985, 1, 1) + timedelta(days=n)).strftime("%Y%m%d")
            entry = enrol_directly(project, name, id_number(f"370322{born}{n % 1000:03d}"), f"+86137{n:08d}")
            entry.worker.address = "山东省淄博市高青县田镇街道青城路1号"
            entries.append(entry.id)
        boundary.commit()
    return Crowd(signing_world, entries)


@pytest.fixture
def crowd(app: Flask, signing_world: SigningWorld, monkeypatch: pytest.MonkeyPatch) -> Crowd:
    """Six workers, with batches of more than two left to the scheduler."""
    monkeypatch.setitem(app.config, "BATCH_INLINE_MAX", 2)
    return make_crowd(app, signing_world, 6)


def start_issuing(app: Flask, crowd: Crowd, count: int | None = None) -> int:
    """Foreman A starts issuing to the first ``count`` workers (all by default); returns the run's id."""
    with app.test_request_context():
        foreman = db.session.get(User, crowd.world.base.users["foreman_a"])
        project = db.session.get(Project, crowd.world.base.project_a)
        assert foreman is not None
        assert project is not None
        chosen = crowd.enrollments[: count or len(crowd.enrollments)]
        run = kinds.start_issuing(
            foreman, project, chosen, offer(), now=clock.utcnow(), inline_max=app.config["BATCH_INLINE_MAX"]
        )
        boundary.commit()
        return run.id


def run_state(app: Flask, run_id: int) -> BatchRun:
    with app.app_context():
        run = db.session.scalar(sa.select(BatchRun).where(BatchRun.id == run_id))
        assert run is not None
        db.session.expunge(run)
        return run
