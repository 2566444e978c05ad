"""R01's payroll half, table-driven: people paid on a current sheet for a month no signed contract covers on any
day, and not on the roster that month. Violation, compliant and inconclusive, with month ends, a contract that
starts mid-month, a roster entry after the month, and a re-imported month."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import World
from tests.risk.people_support import Line, sheet
from tests.risk.support import KNOWN, contract, enrol, open_findings, project_in, run
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport
from wage_guard.risk.models import Finding

FEB = date(2026, 2, 1)
TODAY = date(2026, 3, 20)
#: (outcome, severity) of the one payroll-half finding for February, or None for none.
Expect = tuple[str, str | None] | None


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Project, Project], None]  # (project, another project of the county)
    expect: Expect
    evidence: dict[str, Any] = field(default_factory=dict)
    today: date = TODAY


def _elsewhere(project: Project, other: Project) -> None:
    """A worker on another project's roster (with its own contract there), paid on this project's February sheet."""
    row = enrol(other, date(2026, 1, 5))
    contract(row, start_date=date(2026, 1, 5), end_date=date(2026, 12, 31))
    sheet(project, FEB, Line(row, on_roster=False))


def _stranger(project: Project, _other: Project) -> None:
    sheet(project, FEB, Line(None))


def _roster_after(*, contract_from: date | None, raw: bool = False) -> Callable[[Project, Project], None]:
    """On this project's roster from 1 March (after February), a contract from ``contract_from`` if any."""

    def build(project: Project, _other: Project) -> None:
        row = enrol(project, date(2026, 3, 1))
        if contract_from is not None or raw:
            contract(
                row, start_date=contract_from or date(2026, 3, 1), end_date=date(2026, 12, 31), raw_terms="{x" if raw else None
            )
        sheet(project, FEB, Line(row))

    return build


def _on_roster_without_contract(project: Project, _other: Project) -> None:
    """On the roster in February with no contract: the roster half names it, not this one."""
    sheet(project, FEB, Line(enrol(project, date(2026, 2, 10))))


def _superseded(project: Project, _other: Project) -> None:
    sheet(project, FEB, Line(None), superseded=True)


CASES = [
    Case("a worker of another project paid here", _elsewhere, ("violation", "red"), {"known_person": True, "month": "2026-02"}),
    Case("someone the platform does not know", _stranger, ("violation", "red"), {"known_person": False}),
    Case("on the roster only from 1 March, no contract", _roster_after(contract_from=None), ("violation", "red")),
    Case("a contract from 28 February covers the month's last day", _roster_after(contract_from=date(2026, 2, 28)), None),
    Case("a contract from 1 March does not cover February", _roster_after(contract_from=date(2026, 3, 1)), ("violation", "red")),
    Case(
        "a contract whose terms cannot be read",
        _roster_after(contract_from=None, raw=True),
        ("inconclusive", None),
        {"inconclusive_because": "contract_terms_unreadable"},
    ),
    Case("on the roster that month: the roster half's finding", _on_roster_without_contract, None),
    Case("a superseded sheet does not count", _superseded, None),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_r01_paid_without_contract(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        project, other = project_in(KNOWN, world.users), project_in(KNOWN, world.users)
        case.setup(project, other)
        run(case.today, county=KNOWN)
        found: list[Finding] = [
            f for f in open_findings("R01") if f.project_id == project.id and not f.subject.startswith("enrollment:")
        ]
        if case.expect is None:
            assert found == []
            return
        [item] = found
        assert (item.outcome.value, item.severity.value if item.severity else None, item.period) == (*case.expect, "2026-02")
        assert item.county_code == KNOWN
        assert {k: item.evidence[k] for k in case.evidence} == case.evidence


def test_the_roster_half_still_names_a_february_stretch(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        _on_roster_without_contract(project, project)
        run(TODAY, county=KNOWN)
        assert [(f.subject.split(":")[0], f.period) for f in open_findings("R01") if f.project_id == project.id] == [
            ("enrollment", "2026-02-10")
        ]


def test_a_new_version_of_the_month_without_the_line_closes_it(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        _stranger(project, project)
        run(TODAY, county=KNOWN)
        [opened] = [f for f in open_findings("R01") if f.project_id == project.id]
        for old in db.session.scalars(sa.select(PayrollImport).where(PayrollImport.project_id == project.id)):
            old.superseded_at = old.imported_at
        keeper = enrol(project, date(2026, 1, 5))
        contract(keeper, start_date=date(2026, 1, 5), end_date=date(2026, 12, 31))
        sheet(project, FEB, Line(keeper), version=2)
        run(TODAY, county=KNOWN)
        assert [f for f in open_findings("R01") if f.project_id == project.id] == []
        assert opened.status.value == "closed"
