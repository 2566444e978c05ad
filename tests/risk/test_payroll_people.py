"""R07 Unknown payee, R08 Not paid to the worker's own account and R17 Bank result differs, table-driven:
violation, compliant and inconclusive, with February, month ends, re-imported months and mid-month rosters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask

from tests.factories import World
from tests.risk.people_support import Line, bank, line_of, sheet
from tests.risk.support import KNOWN, enrol, open_findings, project_in, run
from wage_guard.organisations.models import Project
from wage_guard.risk.models import Finding

FEB = date(2026, 2, 1)
TODAY = date(2026, 3, 20)


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Project], None]
    #: None: compliant (no finding of the rule on the project); else (outcome, severity, period)
    expect: tuple[str, str | None, str] | None
    evidence: dict[str, Any] = field(default_factory=dict)
    today: date = TODAY


def _check(rule: str, case: Case, world: World) -> list[Finding]:
    project = project_in(KNOWN, world.users)
    case.setup(project)
    run(case.today, county=KNOWN)
    found = [f for f in open_findings(rule) if f.project_id == project.id]
    if case.expect is None:
        assert found == []
        return found
    [item] = found
    outcome, severity, period = case.expect
    assert (item.outcome.value, item.severity.value if item.severity else None, item.period) == (outcome, severity, period)
    assert item.county_code == KNOWN
    assert {k: item.evidence[k] for k in case.evidence} == case.evidence
    return found


def _stranger(project: Project) -> None:
    sheet(project, FEB, Line(enrol(project, date(2026, 1, 5))), Line(None, pay_date=date(2026, 2, 28)))


def _roster_late(entry: date) -> Callable[[Project], None]:
    def build(project: Project) -> None:
        row = enrol(project, entry)
        sheet(project, FEB, Line(row, on_roster=False))

    return build


def _only_old_version(project: Project) -> None:
    row = enrol(project, date(2026, 1, 5))
    sheet(project, FEB, Line(row), Line(None), version=1, superseded=True)
    sheet(project, FEB, Line(row), version=2)


R07_CASES = [
    Case(
        "a line for someone unknown on a February sheet", _stranger, ("violation", "orange", "2026-02"), {"known_person": False}
    ),
    Case("everyone on the sheet is on the roster", lambda p: sheet(p, FEB, Line(enrol(p, date(2026, 2, 1)))), None),
    Case("enrolled on the last day of February, after the import", _roster_late(date(2026, 2, 28)), None),
    Case(
        "enrolled only from 1 March, paid for February",
        _roster_late(date(2026, 3, 1)),
        ("inconclusive", None, "2026-02"),
        {"inconclusive_because": "on_roster_only_after_the_month", "entry_date": "2026-03-01"},
    ),
    Case("the stranger was only on a superseded version", _only_old_version, None),
]


@pytest.mark.parametrize("case", R07_CASES, ids=[c.name for c in R07_CASES])
def test_r07_unknown_payee(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        for item in _check("R07", case, world):
            kind = "worker" if item.evidence["known_person"] else "person"
            assert item.subject.startswith(f"project:{item.project_id}:{kind}:")
            assert (item.worker_id is not None) == item.evidence["known_person"]


def _paid(**line: Any) -> Callable[[Project], None]:
    return lambda project: sheet(project, FEB, Line(enrol(project, date(2026, 1, 31)), **line)) and None


R08_CASES = [
    Case("cash", _paid(channel="cash"), ("violation", "red", "2026-02"), {"actual": "cash", "channel": "cash"}),
    Case(
        "cash even without a payee name", _paid(channel="cash", payee=None), ("violation", "red", "2026-02"), {"actual": "cash"}
    ),
    Case(
        "a bank transfer to a crew boss's account",
        _paid(payee="包工头"),
        ("violation", "red", "2026-02"),
        {"actual": "payee_not_the_worker"},
    ),
    Case("to the worker's own account", _paid(), None),
    Case("no payee name on the sheet", _paid(payee=""), ("inconclusive", None, "2026-02"), {"actual": "no_payee_name"}),
    Case("no channel and no payee name", _paid(channel=None, payee=None), ("inconclusive", None, "2026-02")),
]


@pytest.mark.parametrize("case", R08_CASES, ids=[c.name for c in R08_CASES])
def test_r08_not_own_account(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        for item in _check("R08", case, world):
            assert item.worker_id is not None
            assert item.subject == f"project:{item.project_id}:worker:{item.worker_id}"


def test_r08_names_compare_without_spaces_or_width(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        row = enrol(project, date(2026, 1, 31))
        spaced = " ".join(row.worker.name)
        sheet(project, FEB, Line(row, payee=spaced))
        run(TODAY, county=KNOWN)
        assert [f for f in open_findings("R08") if f.project_id == project.id] == []


def test_r08_reads_the_comparison_the_import_stored(app: Flask, world: World) -> None:
    """Lines imported with ``payee_differs`` are not decrypted: the stored comparison decides (a province's lines
    never travel to Python); lines without it (imported before) are still compared by name."""
    with app.app_context():
        project = project_in(KNOWN, world.users)
        flagged, cleared, legacy = (enrol(project, date(2026, 1, 31)) for _ in range(3))
        sheet(
            project,
            FEB,
            Line(flagged, payee="worker", payee_differs=True),
            Line(cleared, payee="包工头", payee_differs=False),
            Line(legacy, payee="包工头", payee_differs=None),
        )
        run(TODAY, county=KNOWN)
        found = {f.worker_id: f.evidence["actual"] for f in open_findings("R08") if f.project_id == project.id}
        assert found == {flagged.worker_id: "payee_not_the_worker", legacy.worker_id: "payee_not_the_worker"}


def _bank(
    *transfers: tuple[str, str, str], net: str = "5000.00", channel: str = "bank", stranger: str | None = None
) -> Callable[[Project], None]:
    """A February sheet with one line and a bank result with ``transfers`` (amount, status, outcome) for it."""

    def build(project: Project) -> None:
        payroll = sheet(
            project, FEB, Line(enrol(project, date(2026, 2, 15)), net=net, channel=channel, pay_date=date(2026, 3, 15))
        )
        line = line_of(payroll)
        rows: list[tuple[Any, str, str, str]] = [(line, a, s, o) for a, s, o in transfers]
        if stranger:
            rows.append((None, stranger, "success", "not_on_payroll"))
        bank(payroll, *rows)

    return build


def _reimported_after_bank(project: Project) -> None:
    row = enrol(project, date(2026, 2, 1))
    first = sheet(project, FEB, Line(row), superseded=True)
    bank(first, (line_of(first), "5000.00", "success", "paid"))
    sheet(project, FEB, Line(row, net="5200.00"), version=2)


R17_CASES = [
    Case("paid in full", _bank(("5000.00", "success", "paid")), None),
    Case("paid 0.80 short: within 1 yuan", _bank(("4999.20", "success", "amount_differs")), None),
    Case("paid exactly 1 yuan short: within", _bank(("4999.00", "success", "amount_differs")), None),
    Case(
        "paid 1.01 yuan short",
        _bank(("4998.99", "success", "amount_differs")),
        ("violation", "red", "2026-02"),
        {"problem": "amount_differs", "expected": "5000.00", "actual": "4998.99", "difference": "-1.01"},
    ),
    Case(
        "transfer failed", _bank(("5000.00", "failed", "failed")), ("violation", "red", "2026-02"), {"problem": "transfer_failed"}
    ),
    Case("failed, then retried successfully", _bank(("5000.00", "failed", "failed"), ("5000.00", "success", "paid")), None),
    Case(
        "paid in two parts that add up",
        _bank(("3000.00", "success", "amount_differs"), ("2000.00", "success", "amount_differs")),
        None,
    ),
    Case(
        "no transfer in the worker's name (paid to another name)",
        _bank(stranger="5000.00"),
        ("violation", "red", "2026-02"),
        {"problem": "no_transfer_in_the_worker's_name", "transfers": 0},
    ),
    Case("cash line: not expected in the bank file", _bank(channel="cash"), None),
    Case(
        "payroll re-imported after the bank result",
        _reimported_after_bank,
        ("inconclusive", None, "2026-02"),
        {"inconclusive_because": "bank_result_reconciled_with_another_payroll_version"},
    ),
]


@pytest.mark.parametrize("case", R17_CASES, ids=[c.name for c in R17_CASES])
def test_r17_bank_result_differs(app: Flask, world: World, case: Case) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        case.setup(project)
        run(case.today, county=KNOWN)
        found = [f for f in open_findings("R17") if f.project_id == project.id and not f.subject.endswith("not_on_payroll")]
        if case.expect is None:
            assert found == []
            return
        [item] = found
        outcome, severity, period = case.expect
        assert (item.outcome.value, item.severity.value if item.severity else None, item.period) == (outcome, severity, period)
        assert {k: item.evidence[k] for k in case.evidence} == case.evidence


def test_r17_transfers_not_on_the_payroll(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in(KNOWN, world.users)
        _bank(("5000.00", "success", "paid"), stranger="2000.00")(project)
        run(TODAY, county=KNOWN)
        [item] = [f for f in open_findings("R17") if f.project_id == project.id]
        assert (item.subject, item.period, item.severity.value if item.severity else None) == (
            f"project:{project.id}:not_on_payroll",
            "2026-02",
            "red",
        )
        assert (item.evidence["transfers"], item.evidence["total"], item.evidence["bank_rows"]) == (1, "2000.00", [2])


def test_r17_bank_file_of_another_county_is_out_of_scope(app: Flask, world: World) -> None:
    with app.app_context():
        project = project_in("370322", world.users)
        _bank(("5000.00", "failed", "failed"))(project)
        run(TODAY, county=KNOWN)
        assert [f for f in open_findings("R17") if f.project_id == project.id] == []
        run(TODAY, county="370322")
        assert [f.evidence["problem"] for f in open_findings("R17") if f.project_id == project.id] == ["transfer_failed"]
