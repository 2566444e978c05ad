"""R01 No contract and R14 Working on an expired contract: the roster against the signed contracts.

Both are a few SQL statements over a county's roster and contract facts. R01 looks for the first day of each
stretch of roster time that no signed contract covers: the entry date when nothing covers it, and the day after
each signed contract's last day when nothing covers that. Each stretch is one finding (period = its first day),
with the double-wage exposure of 劳动合同法 Art. 82 (from the day after one month, at most eleven months).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import add_months
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.risk.facts import SIGNED
from wage_guard.risk.models import ContractFact, Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope, iso, unless_unreadable
from wage_guard.risk.rules.paid_without_contract import paid_without_contract

SIGNED_VALUES = [s.value for s in SIGNED]
AWAITING = (Status.AWAITING_EMPLOYER, Status.AWAITING_WORKER)
#: 劳动合同法 Art. 82: double wages from the second month, until the contract is signed, for at most eleven months.
DOUBLE_WAGE_LAST_MONTH = 12


def covers(fact: Any, day: Any) -> sa.ColumnElement[bool]:
    """A signed, readable contract whose covered days include ``day``."""
    return sa.and_(
        fact.readable.is_(True),
        fact.status.in_(SIGNED_VALUES),
        fact.cover_from <= day,
        sa.or_(fact.cover_to.is_(None), fact.cover_to >= day),
    )


def _same_person(fact: Any, project_id: Any, worker_id: Any) -> sa.ColumnElement[bool]:
    return sa.and_(fact.project_id == project_id, fact.worker_id == worker_id)


def _gap_starts(scope: Scope, limit: date) -> sa.Subquery:
    """Each (roster entry, first uncovered day) up to ``limit``: at entry, or the day after a contract ended."""
    entry, ended, other = Enrollment, aliased(ContractFact), aliased(ContractFact)
    columns = (
        entry.id.label("enrollment_id"),
        entry.project_id,
        entry.worker_id,
        Project.county_code,
        entry.entry_date,
        entry.exit_date,
    )
    at_entry = (
        sa.select(*columns, entry.entry_date.label("gap_start"))
        .join(Project, Project.id == entry.project_id)
        .where(
            entry.entry_date <= limit,
            ~sa.exists().where(_same_person(other, entry.project_id, entry.worker_id), covers(other, entry.entry_date)),
        )
    )
    after_end = (
        sa.select(*columns, ended.cover_after.label("gap_start"))
        .join(Project, Project.id == entry.project_id)
        .join(ended, _same_person(ended, entry.project_id, entry.worker_id))
        .where(
            ended.status.in_(SIGNED_VALUES),
            ended.cover_after.is_not(None),
            ended.cover_after >= entry.entry_date,
            ended.cover_after <= limit,
            sa.or_(entry.exit_date.is_(None), ended.cover_after <= entry.exit_date),
            ~sa.exists().where(_same_person(other, entry.project_id, entry.worker_id), covers(other, ended.cover_after)),
        )
    )
    at_entry = scope.where(at_entry, Project.county_code, entry.project_id)
    after_end = scope.where(after_end, Project.county_code, entry.project_id)
    return sa.union(at_entry, after_end).subquery("gap")


def no_contract(scope: Scope) -> list[Result]:
    """R01: every stretch of roster time without a signed contract, with the Art. 82 exposure, and every month
    someone off the roster was paid with no signed contract (``paid_without_contract``)."""
    gap = _gap_starts(scope, scope.today - timedelta(days=scope.settings.risk_r01_grace_days))
    later, unreadable = aliased(ContractFact), aliased(ContractFact)
    next_cover = (
        sa.select(sa.func.min(later.cover_from))
        .where(
            _same_person(later, gap.c.project_id, gap.c.worker_id),
            later.readable.is_(True),
            later.status.in_(SIGNED_VALUES),
            later.cover_from > gap.c.gap_start,
        )
        .scalar_subquery()
    )
    has_unreadable = sa.exists().where(
        _same_person(unreadable, gap.c.project_id, gap.c.worker_id), unreadable.readable.is_(False)
    )
    pending = sa.exists().where(
        Contract.project_id == gap.c.project_id,
        Contract.worker_id == gap.c.worker_id,
        Contract.kind.in_((Kind.ORIGINAL, Kind.RENEWAL)),
        Contract.status.in_(AWAITING),
    )
    query = sa.select(gap, next_cover.label("next_cover"), has_unreadable.label("unreadable"), pending.label("pending"))
    on_roster = [_no_contract_result(row, scope.today) for row in db.session.execute(query)]
    return on_roster + paid_without_contract(scope)


def _no_contract_result(row: Any, today: date) -> Result:
    start: date = row.gap_start
    gap_end = row.next_cover - timedelta(days=1) if row.next_cover else None
    last_day = min(d for d in (gap_end, row.exit_date, today) if d is not None)
    double_from = add_months(start, 1)
    double_until = min(last_day, add_months(start, DOUBLE_WAGE_LAST_MONTH) - timedelta(days=1))
    evidence = {
        "roster_entry": row.enrollment_id,
        "entry_date": iso(row.entry_date),
        "exit_date": iso(row.exit_date),
        "uncovered_from": iso(start),
        "uncovered_until": iso(last_day),
        "ongoing": last_day == today and (gap_end is None or gap_end >= today),
        "uncovered_days": (last_day - start).days + 1,
        "next_contract_from": iso(row.next_cover),
        "contract_awaiting_signature": bool(row.pending),
        "double_wage_from": iso(double_from),
        "double_wage_days": max(0, (double_until - double_from).days + 1),
        "expected": "signed_contract_covering_each_day",
        "actual": "no_signed_contract",
    }
    outcome, severity = unless_unreadable(Severity.RED, bool(row.unreadable), evidence)
    return Result(
        f"enrollment:{row.enrollment_id}",
        start.isoformat(),
        row.project_id,
        row.county_code,
        row.worker_id,
        outcome,
        severity,
        evidence,
    )


def expired_contract(scope: Scope) -> list[Result]:
    """R14: an expired contract, the worker still on the roster after its end, and no signed contract covering today."""
    fact, entry, other = ContractFact, Enrollment, aliased(ContractFact)
    limit = scope.today - timedelta(days=scope.settings.risk_r14_grace_days)
    query = (
        sa.select(fact, entry.id.label("enrollment_id"), entry.entry_date, entry.exit_date)
        .join(entry, _same_person(fact, entry.project_id, entry.worker_id))
        .where(
            fact.status == Status.EXPIRED.value,
            sa.or_(fact.end_date.is_(None), fact.end_date < limit),
            entry.entry_date <= scope.today,
            sa.or_(entry.exit_date.is_(None), entry.exit_date >= scope.today, entry.exit_date > fact.end_date),
            ~sa.exists().where(_same_person(other, fact.project_id, fact.worker_id), covers(other, scope.today)),
        )
    )
    query = scope.where(query, fact.county_code, fact.project_id)
    return [_expired_result(row, scope.today) for row in db.session.execute(query)]


def _expired_result(row: Any, today: date) -> Result:
    fact: ContractFact = row.ContractFact
    evidence: dict[str, Any] = {
        "contract": fact.contract_id,
        "roster_entry": row.enrollment_id,
        "end_date": iso(fact.end_date),
        "exit_date": iso(row.exit_date),
        "expected": "renewal_or_termination_by_end_date",
        "actual": "still_on_roster",
    }
    outcome: Outcome = Outcome.VIOLATION
    severity: Severity | None = Severity.ORANGE
    if fact.end_date is None or not fact.readable:
        outcome, severity = Outcome.INCONCLUSIVE, None
        evidence["inconclusive_because"] = "contract_terms_unreadable"
    else:
        evidence["days_since_end"] = (today - fact.end_date).days
        evidence["working_on_since"] = iso(fact.end_date + timedelta(days=1))
    return Result(
        f"contract:{fact.contract_id}", "", fact.project_id, fact.county_code, fact.worker_id, outcome, severity, evidence
    )


RULES = (
    Rule(
        "R01",
        _l("No contract"),
        "条例 Art. 28; LCL Art. 10, 82",
        _l(
            "Red: a worker on the roster on a day no signed contract covers, or paid on the wage sheet for a month "
            "no signed contract covers."
        ),
        _l("Have the contract issued and signed before any further work; work out the double wages owed under Art. 82."),
        no_contract,
    ),
    Rule(
        "R14",
        _l("Working on an expired contract"),
        "LCL Art. 14, 82; 山东省劳动合同条例",
        _l("Orange: the contract's end date has passed and the worker is still on the roster without a renewal."),
        _l("Have the employer renew the contract or serve a termination notice and record the exit date."),
        expired_contract,
    ),
)
