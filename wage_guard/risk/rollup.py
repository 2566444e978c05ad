"""The roll-up of open findings per project and per county, stored for cheap dashboard reads.

Why stored: an inspector's county page is read far more often than the cross-check runs, and at province scale
counting findings and covered roster entries on each page view would scan the largest tables. Each run
recomputes the figures of the counties it evaluated with a few grouped statements and writes only the rows whose
figures changed, so a second run on the same data writes nothing.

Figures (risk-rules.md "Roll-up"): a project's tier is its highest open severity, and two or more open reds put
it first (``priority``). A county has its projects by tier, contract coverage (roster entries active today that
a signed contract covers today), open flags by rule and severity, the workers affected, and:

- the estimated amount owed: the shortfalls of the open R03/R05/R06 violations, the largest per person and month
  (an R05 and an R06 finding about the same wages owe the larger shortfall, not both);
- open complaints: verified and not yet closed, on the county's projects;
- flags closed this China month (findings with a closing transition in it) and the median days to close (from
  the opening or reopening of the episode that closed; the latest closure of a finding that closed twice);
- the trend: per China month of the last 12, findings opened or reopened, findings closed, and the amount owed of
  those opened (their current estimate, the largest per person and month).

Months are China months; their bounds are turned into UTC instants in Python and joined as a small literal table,
so that SQLite and PostgreSQL group events by month the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wage_guard import clock
from wage_guard.complaints.models import Complaint, ComplaintStatus
from wage_guard.contracts.terms import add_months
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk.models import (
    ContractFact,
    CountyRollup,
    CountyRuleCount,
    CountyTrend,
    Finding,
    FindingEvent,
    FindingStatus,
    Outcome,
    ProjectRollup,
    Severity,
    Transition,
)
from wage_guard.risk.rule import Scope
from wage_guard.risk.rules.roster import covers

Row = dict[str, Any]
CENT = Decimal("0.01")
#: The transitions that start an episode of a finding.
OPENING = (Transition.OPENED, Transition.REOPENED)
TREND_MONTHS = 12


def refresh(scope: Scope) -> None:
    """Recompute the figures of the scope's counties (a project's run recomputes its county)."""
    county = scope.county
    if county is None and scope.project is not None:
        county = db.session.scalar(sa.select(Project.county_code).where(Project.id == scope.project))
    projects = _project_rows(county)
    _sync(ProjectRollup, ("project_id",), dict(projects), county)
    counties = _county_rows(county, projects, scope.today)
    trend = _trend_rows(county, [key[0] for key in counties], scope.today)
    _sync(CountyRollup, ("county_code",), counties, county)
    _sync(CountyRuleCount, ("county_code", "rule_code", "severity"), _rule_rows(county), county)
    _sync(CountyTrend, ("county_code", "month"), trend, county)
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
    for code, figures in _figures(county, today).items():
        rows.setdefault((code,), _empty_county(code)).update(figures)
    return rows


def _empty_county(code: str) -> Row:
    names = [f"projects_{name}" for name in ("red", "orange", "yellow", "clear", "priority")]
    names += ["roster_workers", "covered_workers", "open_flags", "inconclusive", "workers_affected"]
    names += ["open_complaints", "closed_this_month"]
    empty = {"coverage_pct": None, "amount_owed": Decimal("0.00"), "median_days_to_close": None}
    return {"county_code": code, **empty, **dict.fromkeys(names, 0)}


def _coverage(county: str | None, today: date) -> list[Any]:
    """Per county: roster entries active today, and those a signed contract covers today."""
    fact = aliased(ContractFact)
    entry = Enrollment
    # The covered people as a set joined once (a hash join), not a look-up per roster entry: a province has a
    # million entries, and the look-ups cost ten times the join (``benchmarks.province``).
    covering = sa.select(fact.project_id, fact.worker_id).where(covers(fact, today))
    if county is not None:
        covering = covering.where(fact.county_code == county)
    people = covering.distinct().subquery("covering")
    query = (
        sa.select(Project.county_code, sa.func.count(entry.id), sa.func.count(people.c.worker_id))
        .join(Project, Project.id == entry.project_id)
        .outerjoin(people, sa.and_(people.c.project_id == entry.project_id, people.c.worker_id == entry.worker_id))
        .where(entry.entry_date <= today, sa.or_(entry.exit_date.is_(None), entry.exit_date >= today))
        .group_by(Project.county_code)
    )
    if county is not None:
        query = query.where(Project.county_code == county)
    return list(db.session.execute(query))


def _figures(county: str | None, today: date) -> dict[str, Row]:
    """Per county: the amount owed, open complaints, and this month's closures with the median days to close."""
    figures: dict[str, Row] = defaultdict(dict)
    per_wage = (
        sa.select(Finding.county_code, sa.func.max(Finding.amount_owed).label("owed"))
        .where(_open(Finding.outcome == Outcome.VIOLATION, Finding.amount_owed.is_not(None)))
        .group_by(Finding.county_code, Finding.subject, Finding.period)
    )
    complaints = (
        sa.select(Project.county_code, sa.func.count(Complaint.id))
        .join(Project, Project.id == Complaint.project_id)
        .where(Complaint.status == ComplaintStatus.OPEN)
    )
    if county is not None:
        per_wage = per_wage.where(Finding.county_code == county)
        complaints = complaints.where(Project.county_code == county)
    owed = per_wage.subquery("owed")
    for code, amount in db.session.execute(sa.select(owed.c.county_code, sa.func.sum(owed.c.owed)).group_by(owed.c.county_code)):
        figures[code]["amount_owed"] = _cents(amount)
    for code, count in db.session.execute(complaints.group_by(Project.county_code)):
        figures[code]["open_complaints"] = count
    month = today.replace(day=1)
    for code, days in _closures(county, _china_start(month), _china_start(add_months(month, 1))).items():
        figures[code].update(closed_this_month=len(days), median_days_to_close=_median_days(days.values()))
    return figures


def _closures(county: str | None, start: datetime, end: datetime) -> dict[str, dict[int, Decimal]]:
    """Per county, the findings closed in [start, end) and the days from their episode's opening to the closure."""
    opening = aliased(FindingEvent)
    opened_at = (
        sa.select(sa.func.max(opening.at))
        .where(opening.finding_id == FindingEvent.finding_id, opening.kind.in_(OPENING), opening.id < FindingEvent.id)
        .scalar_subquery()
    )
    query = (
        sa.select(Finding.county_code, FindingEvent.finding_id, FindingEvent.at, opened_at.label("opened_at"))
        .select_from(FindingEvent)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .where(FindingEvent.kind == Transition.CLOSED, FindingEvent.at >= start, FindingEvent.at < end)
        .order_by(FindingEvent.id)
    )
    if county is not None:
        query = query.where(Finding.county_code == county)
    days: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for row in db.session.execute(query):  # a finding closed twice this month: its latest closure
        took = clock.as_utc(row.at) - clock.as_utc(row.opened_at or row.at)
        days[row.county_code][row.finding_id] = Decimal(took.days) + Decimal(took.seconds) / 86400
    return days


def _median_days(days: Iterable[Decimal]) -> Decimal | None:
    values = list(days)
    return Decimal(median(values)).quantize(Decimal("0.1"), ROUND_HALF_UP) if values else None


def _trend_rows(county: str | None, counties: list[str], today: date) -> dict[tuple[Any, ...], Row]:
    """Per county and China month of the last 12: findings opened or reopened, closed, and the amount owed opened."""
    first = add_months(today.replace(day=1), 1 - TREND_MONTHS)
    months = [add_months(first, n) for n in range(TREND_MONTHS)]
    rows = {(code, m): _empty_month(code, m) for code in counties for m in months}
    table = _months_table(months)
    in_month = sa.and_(FindingEvent.at >= table.c.starts, FindingEvent.at < table.c.ends)
    events = (
        sa.select(Finding.county_code, table.c.month)
        .select_from(FindingEvent)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .join(table, in_month)
    )
    if county is not None:
        events = events.where(Finding.county_code == county)
    opening = FindingEvent.kind.in_(OPENING)
    counts = events.add_columns(
        sa.func.count(sa.distinct(sa.case((opening, FindingEvent.finding_id)))).label("opened"),
        sa.func.count(sa.distinct(sa.case((FindingEvent.kind == Transition.CLOSED, FindingEvent.finding_id)))).label("closed"),
    ).group_by(Finding.county_code, table.c.month)
    for r in db.session.execute(counts):
        rows.setdefault((r.county_code, r.month), _empty_month(r.county_code, r.month)).update(opened=r.opened, closed=r.closed)
    per_wage = (
        events.add_columns(sa.func.max(Finding.amount_owed).label("owed"))
        .where(opening, Finding.amount_owed.is_not(None))
        .group_by(Finding.county_code, table.c.month, Finding.subject, Finding.period)
        .subquery("owed")
    )
    owed = sa.select(per_wage.c.county_code, per_wage.c.month, sa.func.sum(per_wage.c.owed).label("owed"))
    for r in db.session.execute(owed.group_by(per_wage.c.county_code, per_wage.c.month)):
        rows.setdefault((r.county_code, r.month), _empty_month(r.county_code, r.month))["amount_owed_opened"] = _cents(r.owed)
    return rows


def _empty_month(code: str, month: date) -> Row:
    return {"county_code": code, "month": month, "opened": 0, "closed": 0, "amount_owed_opened": Decimal("0.00")}


def _months_table(months: list[date]) -> sa.Subquery:
    """The months with their bounds as UTC instants (first day 00:00 China time, inclusive, to the next)."""
    selects = [
        sa.select(
            sa.literal(m, sa.Date).label("month"),
            sa.literal(_china_start(m), sa.DateTime(timezone=True)).label("starts"),
            sa.literal(_china_start(add_months(m, 1)), sa.DateTime(timezone=True)).label("ends"),
        )
        for m in months
    ]
    return sa.union_all(*selects).subquery("m")


def _china_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.CHINA).astimezone(UTC)


def _cents(value: Any) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


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
