"""R10 Worker disputes pay, R11 Confirmation missing, R12 Left without settlement and R13 Complaint, table-driven:
violation, compliant and inconclusive, with the grace boundary, month ends, February and mid-month exits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask

from tests.factories import World
from tests.risk.people_support import Line, complaint, confirmation, line_of, settlement, sheet
from tests.risk.support import KNOWN, enrol, open_findings, project_in, run
from wage_guard.complaints.models import ComplaintStatus
from wage_guard.confirmations.models import Answer, Status
from wage_guard.organisations.models import Project

FEB = date(2026, 2, 1)
JAN = date(2026, 1, 1)


@dataclass(frozen=True)
class Case:
    name: str
    today: date
    setup: Callable[[Project], None]
    #: None: compliant; else (outcome, severity, period) of the one finding of the rule on the project
    expect: tuple[str, str | None, str] | None
    evidence: dict[str, Any] = field(default_factory=dict)


def _check(rule: str, case: Case, world: World) -> None:
    project = project_in(KNOWN, world.users)
    case.setup(project)
    run(case.today, county=KNOWN)
    found = [f for f in open_findings(rule) if f.project_id == project.id]
    if case.expect is None:
        assert found == []
        return
    severities = {(f.outcome.value, f.severity.value if f.severity else None, f.period) for f in found}
    assert severities == {case.expect}
    assert all({k: f.evidence[k] for k in case.evidence} == case.evidence for f in found)


def _answered(
    status: Status, answer: Answer | None = None, claimed: str | None = None, *, superseded: bool = False
) -> Callable[[Project], None]:
    def build(project: Project) -> None:
        row = enrol(project, date(2026, 1, 1))
        payroll = sheet(project, FEB, Line(row, pay_date=date(2026, 3, 10)), superseded=superseded)
        confirmation(line_of(payroll), status, answer, claimed)

    return build


R10_CASES = [
    Case(
        "not received",
        date(2026, 3, 20),
        _answered(Status.ANSWERED, Answer.NOT_RECEIVED),
        ("violation", "red", "2026-02"),
        {"actual": "0.00"},
    ),
    Case(
        "amount wrong: got 4,200 of 5,000",
        date(2026, 3, 20),
        _answered(Status.ANSWERED, Answer.WRONG_AMOUNT, "4200.00"),
        ("violation", "red", "2026-02"),
        {"expected": "5000.00", "actual": "4200.00"},
    ),
    Case("received", date(2026, 3, 20), _answered(Status.ANSWERED, Answer.RECEIVED), None),
    Case(
        "dispute about a superseded sheet",
        date(2026, 3, 20),
        _answered(Status.ANSWERED, Answer.NOT_RECEIVED, superseded=True),
        None,
    ),
    Case(
        "amount wrong but claims the full amount",
        date(2026, 3, 20),
        _answered(Status.ANSWERED, Answer.WRONG_AMOUNT, "5000.00"),
        ("inconclusive", None, "2026-02"),
        {"inconclusive_because": "claimed_amount_not_below_the_sheet"},
    ),
]


@pytest.mark.parametrize("case", R10_CASES, ids=[c.name for c in R10_CASES])
def test_r10_disputes(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        _check("R10", case, world)


def _unanswered(pay_date: date, statuses: list[Status | None], month: date = FEB) -> Callable[[Project], None]:
    """A sheet with one line per status (None: no confirmation requested), all paid on ``pay_date``."""

    def build(project: Project) -> None:
        entries = [enrol(project, date(2026, 1, 1)) for _ in statuses]
        payroll = sheet(project, month, *(Line(e, pay_date=pay_date) for e in entries))
        for entry, status in zip(entries, statuses, strict=True):
            if status is not None:
                answer = Answer.RECEIVED if status is Status.ANSWERED else None
                confirmation(line_of(payroll, entry), status, answer)

    return build


ANSWERED_7 = [Status.ANSWERED] * 7
R11_CASES = [
    Case(
        "paid 28 Feb, 7 days later: not yet",
        date(2026, 3, 7),
        _unanswered(date(2026, 2, 28), [Status.PENDING] + ANSWERED_7),
        None,
    ),
    Case(
        "paid 28 Feb, 8 days later: yellow",
        date(2026, 3, 8),
        _unanswered(date(2026, 2, 28), [Status.PENDING] + ANSWERED_7),
        ("violation", "yellow", "2026-02"),
        {"answer_due_by": "2026-03-07", "month_lines": 8, "month_unconfirmed": 1},
    ),
    Case(
        "paid 31 Jan: due 7 Feb, checked 8 Feb",
        date(2026, 2, 8),
        _unanswered(date(2026, 1, 31), [Status.PENDING, Status.PENDING] + ANSWERED_7, month=JAN),
        ("violation", "yellow", "2026-01"),
        {"answer_due_by": "2026-02-07"},
    ),
    Case(
        "3 of 10 unconfirmed is 30%: not over",
        date(2026, 3, 20),
        _unanswered(date(2026, 3, 10), [Status.PENDING] * 3 + ANSWERED_7),
        ("violation", "yellow", "2026-02"),
    ),
    Case(
        "2 of 4 unconfirmed: orange",
        date(2026, 3, 20),
        _unanswered(date(2026, 3, 10), [Status.PENDING, Status.PENDING, Status.ANSWERED, Status.ANSWERED]),
        ("violation", "orange", "2026-02"),
        {"most_of_the_month_unconfirmed": True},
    ),
    Case("all answered", date(2026, 3, 20), _unanswered(date(2026, 3, 10), [Status.ANSWERED]), None),
    Case(
        "held for an identity check",
        date(2026, 3, 20),
        _unanswered(date(2026, 3, 10), [Status.HELD]),
        ("inconclusive", None, "2026-02"),
        {"inconclusive_because": "confirmation_held_for_identity_check"},
    ),
    Case(
        "never requested",
        date(2026, 3, 20),
        _unanswered(date(2026, 3, 10), [None]),
        ("inconclusive", None, "2026-02"),
        {"inconclusive_because": "confirmation_not_requested", "actual": "not_requested"},
    ),
]


@pytest.mark.parametrize("case", R11_CASES, ids=[c.name for c in R11_CASES])
def test_r11_confirmation_missing(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        _check("R11", case, world)


def _left(
    exit_date: date, *, line: tuple[date, date] | None = None, answer: Answer | None = None, recorded: bool = False
) -> Callable[[Project], None]:
    """A worker who left on ``exit_date``; optionally a line (month, pay date) and a settlement (answered or not)."""

    def build(project: Project) -> None:
        entry = enrol(project, date(2026, 1, 1), exit_date)
        if line is not None:
            sheet(project, line[0], Line(entry, pay_date=line[1]))
        if answer is not None or recorded:
            settlement(entry, answer)

    return build


MID_FEB = date(2026, 2, 14)
R12_CASES = [
    Case("left 14 Feb, 30 days later: not yet", date(2026, 3, 16), _left(MID_FEB), None),
    Case(
        "left 14 Feb, 31 days later",
        date(2026, 3, 17),
        _left(MID_FEB),
        ("violation", "red", "2026-02-14"),
        {"actual": "no_settlement", "days_since_exit": 31},
    ),
    Case(
        "left 28 Feb, February paid on 5 March", date(2026, 4, 30), _left(date(2026, 2, 28), line=(FEB, date(2026, 3, 5))), None
    ),
    Case(
        "left 28 Feb, only January paid after the exit",
        date(2026, 4, 30),
        _left(date(2026, 2, 28), line=(JAN, date(2026, 3, 5))),
        ("violation", "red", "2026-02-28"),
    ),
    Case(
        "left 31 Jan, January paid before the exit: not a settlement",
        date(2026, 3, 31),
        _left(date(2026, 1, 31), line=(JAN, date(2026, 1, 30))),
        ("violation", "red", "2026-01-31"),
    ),
    Case("worker confirmed 结清", date(2026, 4, 30), _left(MID_FEB, answer=Answer.SETTLED), None),
    Case(
        "settlement disputed",
        date(2026, 4, 30),
        _left(MID_FEB, answer=Answer.SETTLEMENT_DISPUTED),
        ("violation", "red", "2026-02-14"),
        {"actual": "settlement_disputed"},
    ),
    Case(
        "settlement recorded, worker has not answered",
        date(2026, 4, 30),
        _left(MID_FEB, recorded=True),
        ("inconclusive", None, "2026-02-14"),
        {"inconclusive_because": "worker_has_not_answered_the_settlement"},
    ),
]


@pytest.mark.parametrize("case", R12_CASES, ids=[c.name for c in R12_CASES])
def test_r12_left_without_settlement(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        _check("R12", case, world)


R13_CASES = [
    Case(
        "open complaint",
        date(2026, 3, 1),
        lambda p: complaint(p, ComplaintStatus.OPEN) and None,
        ("violation", "red", ""),
        {"months": ["2026-01", "2026-02"], "on_roster": False},
    ),
    Case("closed complaint", date(2026, 3, 1), lambda p: complaint(p, ComplaintStatus.CLOSED) and None, None),
    Case("phone not yet confirmed", date(2026, 3, 1), lambda p: complaint(p, ComplaintStatus.UNVERIFIED) and None, None),
]


@pytest.mark.parametrize("case", R13_CASES, ids=[c.name for c in R13_CASES])
def test_r13_complaint(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        _check("R13", case, world)


def test_r13_closing_the_complaint_closes_the_finding(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        row = complaint(project, ComplaintStatus.OPEN)
        run(date(2026, 3, 1), county=KNOWN)
        assert [f.subject for f in open_findings("R13") if f.project_id == project.id] == [f"complaint:{row.id}"]
        row.status = ComplaintStatus.CLOSED
        run(date(2026, 3, 2), county=KNOWN)
        assert [f for f in open_findings("R13") if f.project_id == project.id] == []
