"""The reminder job: after exactly 3 and 7 days, once each, never for answered or superseded requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from jobs.confirmations import purge_unverified_complaints, remind_wage_confirmations
from jobs.registry import job_definitions
from tests.confirmations.support import Row, import_month, messages_to
from tests.factories import World
from wage_guard import boundary, clock
from wage_guard.codes.services import Requester
from wage_guard.confirmations import services
from wage_guard.confirmations.models import WageConfirmation
from wage_guard.extensions import db

PHONE = "+8613700000001"
SECOND = timedelta(seconds=1)


def _run(at: timedelta) -> int:
    result = remind_wage_confirmations(now=clock.utcnow() + at)
    boundary.commit()
    return result


@pytest.mark.parametrize(
    ("runs", "texts"),
    [
        ([timedelta(days=3) - SECOND], 0),
        ([timedelta(days=3)], 1),
        ([timedelta(days=3), timedelta(days=3, hours=1)], 1),
        ([timedelta(days=3), timedelta(days=7) - SECOND], 1),
        ([timedelta(days=3), timedelta(days=7)], 2),
        ([timedelta(days=7)], 1),  # the job was down for a week: one reminder, counted as both
        ([timedelta(days=7), timedelta(days=30)], 1),
        ([timedelta(days=3), timedelta(days=7), timedelta(days=8), timedelta(days=60)], 2),
    ],
)
def test_reminders_at_the_boundaries(app: Flask, world: World, runs: list[timedelta], texts: int) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        boundary.commit()
        for at in runs:
            _run(at)
    assert len(messages_to(app, PHONE)) == 1 + texts
    if texts:
        assert "提醒" in messages_to(app, PHONE)[-1]


def test_no_reminder_once_answered(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        confirmation = db.session.scalars(db.select(WageConfirmation)).one()
        services.answer(confirmation, "received", via="link", now=clock.utcnow(), requester=Requester())
        boundary.commit()
        assert _run(timedelta(days=3)) == 0
        assert _run(timedelta(days=7)) == 0
    assert len(messages_to(app, PHONE)) == 1


def test_no_reminder_for_a_superseded_request(app: Flask, world: World) -> None:
    with app.app_context():
        import_month(world.project_b, [Row(world.enrollment_b)])
        import_month(world.project_b, [Row(None)])
        boundary.commit()
        assert _run(timedelta(days=3)) == 0


def test_the_jobs_are_registered(app: Flask) -> None:
    functions = {d.id: d.function for d in job_definitions(app)}
    assert functions["remind_wage_confirmations"] is remind_wage_confirmations
    assert functions["purge_unverified_complaints"] is purge_unverified_complaints
