"""The shared pass over the payroll lines (``risk.line_pass``) with the stored bounds (``risk.line_bounds``) finds
exactly what each rule's own statement over every line finds: on random projects, with the bounds computed,
never computed, or made stale by a contract that changed after they were computed.

A test that can fail: each example builds contracts, sheets and confirmations first and only then compares, and
``test_the_comparison_catches_a_pass_that_drops_candidates`` plants a wrong narrowing and sees it caught.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import World
from tests.payroll import files
from tests.risk.payroll_support import Pay, sheet
from tests.risk.people_support import sheet_row
from tests.risk.support import KNOWN, at, contract, enrol, project_in
from wage_guard.confirmations.models import Answer, Kind, WageConfirmation
from wage_guard.confirmations.models import Status as ConfirmationStatus
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import PayForm, add_months
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll import services as payroll
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.risk import facts, line_bounds, line_pass, services, stale_lines
from wage_guard.risk.models import ContractFact
from wage_guard.risk.rule import Result
from wage_guard.risk.rules.paid_without_contract import paid_without_contract
from wage_guard.risk.rules.payroll_amounts import below_minimum_wage, outsized_pay, underpaid
from wage_guard.risk.rules.payroll_timing import paid_late, payroll_missing
from wage_guard.risk.rules.worker_voice import missing_confirmations

TODAY = date(2026, 8, 20)
MONTHS = [date(2026, m, 1) for m in range(1, 7)]
CHANGED = datetime(2026, 8, 19, tzinfo=UTC)
LINE_RULES = (
    paid_without_contract,
    payroll_missing,
    paid_late,
    underpaid,
    below_minimum_wage,
    outsized_pay,
    missing_confirmations,
)
#: When the rules run: after the bounds were computed; before they ever were; after a contract changed or a line
#: got a new open confirmation (what ``confirmations.services`` does for a corrected sheet) since; or after a
#: month's sheet was replaced by one without its first line (what ``payroll.services`` does on a re-import).
STAGES = ("computed", "never", "contract_changed", "confirmation_reopened", "sheet_replaced")
STATUSES = (Status.IN_FORCE, Status.EXPIRED, Status.RESCINDED, Status.AWAITING_WORKER)


@dataclass(frozen=True)
class Terms:
    status: Status
    pay_form: PayForm
    amount: str
    pay_day: int
    start: int
    months: int | None
    readable: bool


@dataclass(frozen=True)
class Month:
    gross: str
    days: str
    overtime: str | None
    paid_day: int | None
    answer: str


terms = st.builds(
    Terms,
    status=st.sampled_from(STATUSES),
    pay_form=st.sampled_from((PayForm.DAILY, PayForm.MONTHLY, PayForm.PIECE)),
    amount=st.sampled_from(("100", "350", "6000")),
    pay_day=st.sampled_from((1, 10, 15, 28, 31)),
    start=st.integers(0, 6),
    months=st.one_of(st.none(), st.integers(1, 6)),
    readable=st.sampled_from((True, True, True, False)),
)
months = st.builds(
    Month,
    gross=st.sampled_from(("0.00", "1000.00", "2500.00", "7700.00", "60000.00")),
    days=st.sampled_from(("5", "22", "26")),
    overtime=st.sampled_from((None, "20")),
    paid_day=st.sampled_from((None, 5, 16, 40, 80)),
    answer=st.sampled_from(("none", "pending", "answered")),
)
#: on the roster from January, on it only from 15 July (after the sheets' months), or a stranger to the platform
ROSTER = ("roster", "late", "stranger")
person = st.tuples(
    st.lists(terms, max_size=2), st.lists(st.one_of(st.none(), months), min_size=6, max_size=6), st.sampled_from(ROSTER)
)


#: A month paid in full on the 5th of the next month and answered "received".
PAID = Month("7700.00", "22", None, 5, "answered")


def signed(
    *, form: PayForm = PayForm.DAILY, amount: str = "350", pay_day: int = 10, start: int = 0, months: int | None = None
) -> Terms:
    """A signed, readable contract from the ``start``-th sheet month, for ``months`` months (None: open-ended)."""
    return Terms(Status.IN_FORCE, form, amount, pay_day, start, months, True)


def one(
    *contracts: Terms, month: Month | None = PAID, months: list[Month | None] | None = None, roster: str = "roster"
) -> list[Any]:
    """One person with ``contracts`` and ``months`` on the six sheets (by default the same ``month`` on each)."""
    return [(list(contracts), months if months is not None else [month] * 6, roster)]


def _build(world: World, people: list[Any]) -> int:
    project = project_in(KNOWN, world.users)
    built = []
    for contracts, paid, roster in people:
        entry = enrol(project, MONTHS[0] if roster == "roster" else date(2026, 7, 15))
        for item in contracts:
            start = MONTHS[item.start] if item.start < 6 else date(2026, 7, 1)
            end = None if item.months is None else date(2026, min(start.month + item.months, 12), 1)
            term_changes: dict[str, Any] = {
                "start_date": start,
                "end_date": end if end is not None else date(2027, 12, 31),
                "pay_form": item.pay_form,
                "pay_amount": Decimal(item.amount),
                "pay_day": item.pay_day,
            }
            if item.pay_form is PayForm.PIECE:
                term_changes["piece_unit"] = "平方米"
            contract(entry, status=item.status, raw_terms=None if item.readable else "{not json", **term_changes)
        built.append((None if roster == "stranger" else entry, entry, paid))
    for index, month in enumerate(MONTHS):
        lines = []
        for listed, entry, paid in built:
            item = paid[index]
            if item is None:
                continue
            pay_date = None if item.paid_day is None else date.fromordinal(month.toordinal() + 30 + item.paid_day)
            lines.append((entry, item, Pay(listed, gross=item.gross, days=item.days, overtime=item.overtime, pay_date=pay_date)))
        if lines:
            row = sheet(project, month, *(pay for _, _, pay in lines))
            _confirm(row.id, [(entry, item) for entry, item, _ in lines])
    return project.id


def _confirm(import_id: int, lines: list[Any]) -> None:
    stored = db.session.scalars(sa.select(PayrollLine).where(PayrollLine.import_id == import_id).order_by(PayrollLine.row_number))
    for line, (entry, item) in zip(stored, lines, strict=True):
        if item.answer == "none" or line.worker_id is None:
            continue
        answered = item.answer == "answered"
        db.session.add(
            WageConfirmation(
                kind=Kind.MONTHLY,
                project_id=entry.project_id,
                worker_id=entry.worker_id,
                month=line.payroll_import.month,
                line_id=line.id,
                status=ConfirmationStatus.ANSWERED if answered else ConfirmationStatus.PENDING,
                answer=Answer.RECEIVED if answered else None,
                answered_at=datetime(2026, 7, 1, tzinfo=UTC) if answered else None,
                created_at=datetime(2026, 6, 1, tzinfo=UTC),
                reminders_sent=0,
            )
        )
    db.session.flush()


def _reopen_answered(project_id: int) -> None:
    answered = list(
        db.session.scalars(
            sa.select(WageConfirmation).where(
                WageConfirmation.project_id == project_id, WageConfirmation.status == ConfirmationStatus.ANSWERED
            )
        )
    )
    for old in answered:
        db.session.add(
            WageConfirmation(
                kind=Kind.MONTHLY,
                project_id=project_id,
                worker_id=old.worker_id,
                month=old.month,
                line_id=old.line_id,
                status=ConfirmationStatus.HELD,
                is_correction=True,
                created_at=CHANGED,
                reminders_sent=0,
            )
        )
    db.session.flush()
    stale_lines.lines(old.line_id for old in answered)


def _replace_a_sheet(project_id: int) -> None:
    """Supersede the first month's sheet with a copy without its first line, as a corrected import would."""
    old = db.session.scalars(
        sa.select(PayrollImport).where(PayrollImport.project_id == project_id).order_by(PayrollImport.month).limit(1)
    ).first()
    if old is None:
        return
    lines = list(
        db.session.scalars(sa.select(PayrollLine).where(PayrollLine.import_id == old.id).order_by(PayrollLine.row_number))
    )
    old.superseded_at = CHANGED
    db.session.flush()
    new = sheet_row(old.project, old.month, len(lines) - 1, old.total_net, old.version + 1, False)
    for kept in lines[1:]:
        columns = {c.key: getattr(kept, c.key) for c in sa.inspect(PayrollLine).column_attrs if c.key not in ("id", "import_id")}
        db.session.add(PayrollLine(**{**columns, "import_id": new.id, "bounds_stale": True}))
    db.session.flush()
    stale_lines.project_facts(project_id)


def people_contracts(people: list[Any]) -> list[Terms]:
    return [item for contracts, _, _ in people for item in contracts]


def _seen(results: list[Result]) -> list[tuple[str, str, str, str | None, str]]:
    return sorted(
        (r.subject, r.period, r.outcome.value, r.severity.value if r.severity else None, json.dumps(r.evidence, sort_keys=True))
        for r in results
    )


def _compare(project_id: int) -> None:
    for rule in LINE_RULES:
        with_pass = services.make_scope(project=project_id, now=at(TODAY))
        reference = services.make_scope(project=project_id, now=at(TODAY))
        reference.shared_pass = False
        assert _seen(rule(with_pass)) == _seen(rule(reference)), rule.__name__


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(person, min_size=1, max_size=4), stage=st.sampled_from(STAGES))
@example(  # two contracts with different pay days: the earlier one applies to a month paid between the two
    people=one(signed(pay_day=1, months=3), signed(pay_day=28, start=3)), stage="computed"
)
@example(  # a contract ending on 1 March: March is covered for a day and has no line
    people=one(signed(months=2), months=[PAID] * 2 + [None] * 4), stage="computed"
)
@example(  # the project's only month without a sheet is the first month its contracts cover
    people=one(signed(start=2, months=3), months=[None] * 3 + [PAID] * 3), stage="computed"
)
@example(  # a piece rate: inconclusive, whatever the amount
    people=one(signed(form=PayForm.PIECE, amount="100")), stage="computed"
)
@example(  # answered lines that get a new, open confirmation after the bounds were computed
    people=one(signed()), stage="confirmation_reopened"
)
@example(  # someone off the roster whose only contract loses its signature after the bounds said "covered"
    people=one(signed(pay_day=15), month=Month("7700.00", "22", None, 5, "none"), roster="late"), stage="contract_changed"
)
def test_each_line_rule_finds_the_same_with_and_without_the_shared_pass(
    app: Flask, world: World, people: Any, stage: str
) -> None:
    with app.app_context():
        project_id = _build(world, people)
        scope = services.make_scope(project=project_id, now=at(TODAY))
        facts.refresh(scope)
        if stage != "never":
            line_bounds.refresh(scope)
        if stage == "contract_changed":  # after the bounds: signed ones lose their signature, the others gain one
            for fact_contract in db.session.scalars(sa.select(Contract).where(Contract.project_id == project_id)):
                fact_contract.status = Status.AWAITING_WORKER if fact_contract.status is Status.IN_FORCE else Status.IN_FORCE
                fact_contract.updated_at = CHANGED
            db.session.flush()
            assert facts.refresh(scope) == len(people_contracts(people))
        if stage == "sheet_replaced":
            _replace_a_sheet(project_id)
        if stage == "confirmation_reopened":
            _reopen_answered(project_id)
        _compare(project_id)
        db.session.rollback()


def test_the_comparison_catches_a_pass_that_drops_candidates(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A narrowing that forgets stale lines (R05 without ``bounds_stale``) loses a finding the reference keeps."""
    with app.app_context():
        people = one(signed(pay_day=15), month=Month("1000.00", "22", None, 5, "none"))
        project_id = _build(world, people)
        scope = services.make_scope(project=project_id, now=at(TODAY))
        facts.refresh(scope)
        _compare(project_id)  # never computed: every line is stale, and the honest pass lets them all through
        monkeypatch.setitem(line_pass.CONDITIONS, "R05", lambda scope: PayrollLine.promised_max > PayrollLine.gross)
        with pytest.raises(AssertionError, match="underpaid"):
            _compare(project_id)
        db.session.rollback()


def test_a_run_computes_the_bounds_and_later_changes_mark_them_stale(app: Flask, world: World) -> None:
    with app.app_context():
        people = one(signed(form=PayForm.MONTHLY, amount="6000"), month=Month("6000.00", "22", None, 5, "pending"))
        project_id = _build(world, people)
        counts = services.run(project=project_id, now=at(TODAY))
        assert counts.line_bounds_refreshed == 6
        line = PayrollLine
        bounds = sa.select(line.bounds_stale, line.covered, line.promised_max, line.piece_rate, line.answered)
        assert set(db.session.execute(bounds)) == {(False, True, Decimal("6000.00"), False, False)}
        due = sa.select(PayrollImport.month, line.earliest_due).join(line.payroll_import).order_by(PayrollImport.month)
        assert [tuple(row) for row in db.session.execute(due)] == [(m, add_months(m, 1).replace(day=10)) for m in MONTHS]
        assert services.run(project=project_id, now=at(TODAY)).line_bounds_refreshed == 0  # nothing changed
        contract_row = db.session.scalars(sa.select(Contract).where(Contract.project_id == project_id)).one()
        contract_row.status, contract_row.updated_at = Status.RESCINDED, CHANGED
        db.session.flush()
        assert services.run(project=project_id, now=at(TODAY)).line_bounds_refreshed == 6
        db.session.rollback()


def test_an_import_leaves_the_projects_contracts_to_be_checked_again_for_missing_months(app: Flask, world: World) -> None:
    """R03's stored first month without a line is recomputed after the project's sheets change."""
    with app.app_context():
        project_id = _build(world, one(signed(), month=None))
        services.run(project=project_id, now=at(TODAY))
        stale = sa.select(ContractFact.lines_stale, ContractFact.unlined_from).where(ContractFact.project_id == project_id)
        assert list(db.session.execute(stale)) == [(False, MONTHS[0])]  # no line at all: missing from January
        project = db.session.get(Project, project_id)
        assert project is not None
        data = files.xlsx(files.sheet([files.wage_line("张三", pay_date="2026-02-10")], title=None))
        payroll.import_payroll(None, project, MONTHS[0], "一月.xlsx", data, source="cli", now=at(TODAY))
        assert list(db.session.execute(stale)) == [(True, MONTHS[0])]
        db.session.rollback()
