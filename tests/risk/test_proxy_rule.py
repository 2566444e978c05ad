"""R15 Proxy signing suspected: one phone, device or address verifying codes for several workers in the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from flask import Flask

from tests.factories import World
from tests.risk.support import KNOWN, at, enrol, open_findings, project_in, run
from wage_guard.codes.models import CodeEvent, CodeEventKind
from wage_guard.extensions import db
from wage_guard.organisations.models import Project

TODAY = date(2026, 3, 10)
NOW = at(TODAY)


def verified(person: str, *, phone: str = "shared-phone", device: str | None = None, when: datetime = NOW) -> None:
    db.session.add(
        CodeEvent(
            purpose="sign",
            phone_index=phone,
            kind=CodeEventKind.VERIFIED,
            person_key=person,
            device_hash=device,
            created_at=when - timedelta(hours=1),
        )
    )


def _workers(project: Project, n: int) -> list[str]:
    return [f"worker:{enrol(project, date(2026, 3, 1)).worker_id}" for _ in range(n)]


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Project], None]
    expect: tuple[str, str | None] | None


def _three_workers(project: Project) -> None:
    for person in _workers(project, 3):
        verified(person)


def _two_workers(project: Project) -> None:
    for person in _workers(project, 2):
        verified(person)


def _one_here_two_elsewhere(project: Project) -> None:
    [person] = _workers(project, 1)
    for other in (person, "id:aaaa", "id:bbbb"):
        verified(other)


def _old(project: Project) -> None:
    for person in _workers(project, 3):
        verified(person, when=NOW - timedelta(hours=72))


def _own_phones(project: Project) -> None:
    for n, person in enumerate(_workers(project, 4)):
        verified(person, phone=f"own-{n}")


def _one_device(project: Project) -> None:
    for n, person in enumerate(_workers(project, 3)):
        verified(person, phone=f"own-{n}", device="device-1")


CASES = [
    Case("one phone verifies for three workers of the project", _three_workers, ("violation", "orange")),
    Case("one device for three workers on their own phones", _one_device, ("violation", "orange")),
    Case("two workers share a phone (allowed, e.g. a couple)", _two_workers, None),
    Case("each worker on their own phone", _own_phones, None),
    Case("events older than the 72-hour window", _old, None),
    Case("one worker here, the other people not enrolled here", _one_here_two_elsewhere, ("inconclusive", None)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_r15_proxy_signing(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        case.setup(project)
        run(TODAY, county=KNOWN)
        found = [f for f in open_findings("R15") if f.project_id == project.id]
        if case.expect is None:
            assert found == []
            return
        [item] = found
        assert (item.outcome.value, item.severity.value if item.severity else None) == case.expect
        assert item.subject == f"project:{project.id}"
        assert "shared-phone" not in item.period
        assert "device-1" not in item.period
        assert item.evidence["people_overall"] >= 3


def test_r15_clears_when_the_window_has_passed(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        _three_workers(project)
        run(TODAY, county=KNOWN)
        [item] = open_findings("R15")
        run(TODAY + timedelta(days=4), county=KNOWN)
        assert item.status.value == "closed"
