"""The roll-up of open findings per project and per county, stored for cheap dashboard reads.

Why stored: an inspector's county page is read far more often than the cross-check runs, and at province scale
counting findings and covered roster entries on each page view would scan the largest tables. Each run
recomputes the figures of the counties it evaluated with a few grouped statements and writes only the rows whose
figures changed, so a second run on the same data writes nothing.

Figures (risk-rules.md "Roll-up"): a project's tier is its highest open severity, and two or more open reds put
it first (``priority``). A county has its projects by tier, contract coverage (roster entries active today that
a signed contract covers today), open flags by rule and severity, and the workers affected. Amounts owed, open
complaints, closures and the monthly trend come with the payroll rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk.models import (
    ContractFact,
    CountyRollup,
    CountyRuleCount,
    Finding,
    FindingStatus,
    Outcome,
    ProjectRollup,
    Severity,
)
from wage_guard.risk.rule import Scope
from wage_guard.risk.rules.roster import covers

Row = dict[str, Any]


def refresh(scope: Scope) -> None:
    """Recompute the figures of the scope's counties (a project's run recomputes its county)."""
    county = scope.county
    if county is None and scope.project is not None:
        county = db.session.scalar(sa.select(Project.county_code).where(Project.id == scope.project))
    projects = _project_rows(county)
    _sync(ProjectRollup, ("project_id",), dict(projects), county)
    _sync(CountyRollup, ("county_code",), _county_rows(county, projects, scope.today), county)
    _sync(CountyRuleCount, ("county_code", "rule_code", "severity"), _rule_rows(county), county)
    db.session.flush()


def _open(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.and_(Finding.status == FindingStatus.OPEN, *conditions)


def _count_if(condition: sa.ColumnElement[bool]) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _project_rows(county: str | None) -> dict[tuple[Any, ...], Row]:
    violation = Finding.outcome == Outcome.VIOLATION
    query = (
        sa.select(
            Project.id,
            Project.county_code,
            _count_if(sa.and_(violation, Finding.severity == Severity.RED)).label("reds"),
            _count_if(sa.and_(violation, Finding.severity == Severity.ORANGE)).label("oranges"),
            _count_if(sa.and_(violation, Finding.severity == Severity.YELLOW)).label("yellows"),
            _count_if(Finding.outcome == Outcome.INCONCLUSIVE).label("inconclusive"),
            sa.func.count(sa.distinct(sa.case((violation, Finding.worker_id)))).label("workers"),
        )
        .outerjoin(Finding, _open(Finding.project_id == Project.id))
        .group_by(Project.id, Project.county_code)
    )
    if county is not None:
        query = query.where(Project.county_code == county)
    rows = {}
    for r in db.session.execute(query):
        tier = Severity.RED if r.reds else Severity.ORANGE if r.oranges else Severity.YELLOW if r.yellows else None
        rows[(r.id,)] = {
            "project_id": r.id,
            "county_code": r.county_code,
            "tier": tier,
            "priority": r.reds >= 2,
            "reds": r.reds,
            "oranges": r.oranges,
            "yellows": r.yellows,
            "inconclusive": r.inconclusive,
            "workers_affected": r.workers,
        }
    return rows


def _county_rows(county: str | None, projects: dict[tuple[Any, ...], Row], today: date) -> dict[tuple[Any, ...], Row]:
    rows: dict[tuple[Any, ...], Row] = {}
    for project in projects.values():
        row = rows.setdefault((project["county_code"],), _empty_county(project["county_code"]))
        tier = project["tier"]
        row[f"projects_{tier.value}" if tier else "projects_clear"] += 1
        row["projects_priority"] += int(project["priority"])
    for code, roster, covered in _coverage(county, today):
        row = rows.setdefault((code,), _empty_county(code))
        row["roster_workers"], row["covered_workers"] = roster, covered
        row["coverage_pct"] = (Decimal(covered) * 100 / roster).quantize(Decimal("0.1")) if roster else None
    violation = Finding.outcome == Outcome.VIOLATION
    query = sa.select(
        Finding.county_code,
        _count_if(violation).label("flags"),
        _count_if(Finding.outcome == Outcome.INCONCLUSIVE).label("inconclusive"),
        sa.func.count(sa.distinct(sa.case((violation, Finding.worker_id)))).label("workers"),
    ).where(_open())
    if county is not None:
        query = query.where(Finding.county_code == county)
    for r in db.session.execute(query.group_by(Finding.county_code)):
        row = rows.setdefault((r.county_code,), _empty_county(r.county_code))
        row.update(open_flags=r.flags, inconclusive=r.inconclusive, workers_affected=r.workers)
    return rows


def _empty_county(code: str) -> Row:
    names = [f"projects_{name}" for name in ("red", "orange", "yellow", "clear", "priority")]
    names += ["roster_workers", "covered_workers", "open_flags", "inconclusive", "workers_affected"]
    return {"county_code": code, "coverage_pct": None, **dict.fromkeys(names, 0)}


def _coverage(county: str | None, today: date) -> list[Any]:
    """Per county: roster entries active today, and those a signed contract covers today."""
    fact = aliased(ContractFact)
    entry = Enrollment
    covered = sa.exists().where(fact.project_id == entry.project_id, fact.worker_id == entry.worker_id, covers(fact, today))
    query = (
        sa.select(Project.county_code, sa.func.count(entry.id), _count_if(covered))
        .join(Project, Project.id == entry.project_id)
        .where(entry.entry_date <= today, sa.or_(entry.exit_date.is_(None), entry.exit_date >= today))
        .group_by(Project.county_code)
    )
    if county is not None:
        query = query.where(Project.county_code == county)
    return list(db.session.execute(query))


def _rule_rows(county: str | None) -> dict[tuple[Any, ...], Row]:
    query = sa.select(
        Finding.county_code,
        Finding.rule_code,
        Finding.severity,
        sa.func.count().label("findings"),
        sa.func.count(sa.distinct(Finding.worker_id)).label("workers"),
    ).where(_open())
    if county is not None:
        query = query.where(Finding.county_code == county)
    rows = {}
    for r in db.session.execute(query.group_by(Finding.county_code, Finding.rule_code, Finding.severity)):
        severity = r.severity.value if r.severity else "none"  # grouped by the column: portable GROUP BY
        key = (r.county_code, r.rule_code, severity)
        rows[key] = {
            "county_code": key[0],
            "rule_code": key[1],
            "severity": severity,
            "findings": r.findings,
            "workers": r.workers,
        }
    return rows


def _sync(model: Any, keys: tuple[str, ...], rows: dict[tuple[Any, ...], Row], county: str | None) -> None:
    """Make the table's rows for ``county`` (or all) equal ``rows``, touching only those that differ."""
    query = sa.select(model)
    if county is not None:
        query = query.where(model.county_code == county)
    for current in db.session.scalars(query):
        wanted = rows.pop(tuple(getattr(current, k) for k in keys), None)
        if wanted is None:
            db.session.delete(current)
            continue
        for name, value in wanted.items():
            if getattr(current, name) != value:
                setattr(current, name, value)
    for wanted in rows.values():
        db.session.add(model(**wanted))
