"""What a county inspector sees: the counties in scope, their projects and roster coverage, and identity checks.

One read model for the dashboard page and, later, the API and the risk views: a view renders it, nothing else
computes it. Everything is limited to the user's own scope (``organisations.visible_projects`` and
``counties_in_scope``), so an inspector never sees another county's project here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from wage_guard.accounts.models import Role, User
from wage_guard.clock import CHINA
from wage_guard.enrollment import queries as enrollment_queries
from wage_guard.extensions import db
from wage_guard.identity import queries as identity_queries
from wage_guard.identity.models import IdentityCheck
from wage_guard.inspector import charts, figures
from wage_guard.inspector import services as inspector_services
from wage_guard.inspector.models import FlagAction, FlagAssignment
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import County, Employer, Project
from wage_guard.risk.models import Finding, Severity
from wage_guard.risk.rule import Rule
from wage_guard.risk.rules import BY_CODE

RECENT_IDENTITY_DECISIONS = 10


@dataclass(frozen=True)
class Dashboard:
    counties: list[County]
    by_county: dict[str, list[Project]]
    #: Workers currently on each project's roster, by project id.
    counts: dict[int, int]
    #: Workers on the rosters of each county's projects, by county code.
    totals: dict[str, int]
    identity_open: int
    identity_decided: list[IdentityCheck]
    #: The risk roll-up per county (``inspector.figures``) and its two charts, ``trend`` and ``rules``.
    figures: dict[str, figures.CountyFigures]
    charts: dict[str, dict[str, charts.Chart]]


def dashboard(user: User) -> Dashboard:
    """Counties in scope, each with its projects and the workers on their rosters (inspectors see empty counties
    of their area too; administrators only counties with projects)."""
    projects = organisations.visible_projects(user)
    counts = enrollment_queries.roster_counts([p.id for p in projects])
    in_scope = organisations.counties_in_scope(user)
    by_county = {c.code: [p for p in projects if p.county_code == c.code] for c in in_scope}
    return Dashboard(
        counties=[c for c in in_scope if by_county[c.code] or user.role is Role.INSPECTOR],
        by_county=by_county,
        counts=counts,
        totals={code: sum(counts.get(p.id, 0) for p in items) for code, items in by_county.items()},
        identity_open=len(identity_queries.open_checks(user)),
        identity_decided=identity_queries.recent_decided(user, limit=RECENT_IDENTITY_DECISIONS),
        figures=(county_figures := figures.county_figures([c.code for c in in_scope])),
        charts={code: _charts(found) for code, found in county_figures.items()},
    )


def _charts(found: figures.CountyFigures) -> dict[str, charts.Chart]:
    """Flags opened and closed per month; open flags per rule by severity."""
    months = [t.month.strftime("%y-%m") for t in found.trend]
    trend = charts.grouped(months, [("opened", [t.opened for t in found.trend]), ("closed", [t.closed for t in found.trend])])
    codes = sorted({r.rule_code for r in found.rules})
    by = {(r.rule_code, r.severity): r.findings for r in found.rules}
    series = [(severity, [by.get((code, severity), 0) for code in codes]) for severity in ("red", "orange", "yellow")]
    return {"trend": trend, "rules": charts.stacked(codes, series)}


#: The filters of the flag list, and the values each accepts.
FLAG_FILTERS = {
    "severity": ("red", "orange", "yellow"),
    "workflow": ("open", "acknowledged", "investigating", "resolved", "dismissed"),
}
FLAG_LIST_LIMIT = 500


@dataclass(frozen=True)
class FlagFilter:
    severity: str | None = None
    rule: str | None = None
    workflow: str | None = None
    project_id: int | None = None
    employer_id: int | None = None
    #: A month, "YYYY-MM": the flag's own period, or for flags without one, the month it was opened in (China time).
    period: str | None = None


@dataclass(frozen=True)
class FlagRow:
    finding: Finding
    project: Project
    assignee: User | None


def filtered(query: sa.Select[Any], chosen: FlagFilter) -> sa.Select[Any]:
    """``query`` over flags narrowed to the chosen severity, rule, workflow state and project (the list, its exports
    and the API filter the same way)."""
    if chosen.severity:
        query = query.where(Finding.severity == Severity(chosen.severity))
    if chosen.rule:
        query = query.where(Finding.rule_code == chosen.rule)
    if chosen.workflow:
        query = query.where(Finding.workflow_status == chosen.workflow)
    if chosen.project_id:
        query = query.where(Finding.project_id == chosen.project_id)
    if chosen.employer_id:
        query = query.where(Finding.project_id.in_(sa.select(Project.id).where(Project.employer_id == chosen.employer_id)))
    if chosen.period:
        query = query.where(_in_period(chosen.period))
    return query


def _in_period(month: str) -> sa.ColumnElement[bool]:
    first = datetime.strptime(month, "%Y-%m").replace(tzinfo=CHINA)
    following = (first + timedelta(days=32)).replace(day=1)
    opened_then = sa.and_(Finding.opened_at >= first.astimezone(UTC), Finding.opened_at < following.astimezone(UTC))
    return sa.or_(Finding.period == month, sa.and_(Finding.period == "", opened_then))


@dataclass(frozen=True)
class FilteredRank:
    project: Project
    reds: int
    oranges: int
    yellows: int
    workers: int


def ranked_by_flags(user: User, chosen: FlagFilter) -> list[FilteredRank]:
    """The area's projects ranked by their open flags that match the filter (reds, then oranges, then yellows):
    the dashboard's ranking when a filter is set (without one it reads the roll-up)."""
    open_flags = filtered(
        inspector_services.findings_in_scope(user).where(Finding.severity.is_not(None), Finding.workflow_status.in_(OPEN_STATES)),
        chosen,
    ).subquery()
    query = (
        sa.select(open_flags.c.project_id, *(c.label(s.value) for s, c in _severity_sums(open_flags).items()))
        .add_columns(sa.func.count(sa.distinct(open_flags.c.worker_id)))
        .group_by(open_flags.c.project_id)
    )
    rows = db.session.execute(query).all()
    projects = {p.id: p for p in db.session.scalars(sa.select(Project).where(Project.id.in_([r[0] for r in rows])))}
    ranked = [FilteredRank(projects[r[0]], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]
    return sorted(ranked, key=lambda r: (-r.reds, -r.oranges, -r.yellows, r.project.name))


#: Workflow states of a flag still to be worked.
OPEN_STATES = ("open", "acknowledged", "investigating")


def _severity_sums(flags: sa.Subquery) -> dict[Severity, sa.ColumnElement[Any]]:
    severities = (Severity.RED, Severity.ORANGE, Severity.YELLOW)
    return {s: sa.func.sum(sa.case((flags.c.severity == s, 1), else_=0)) for s in severities}


def filter_choices(user: User) -> tuple[list[Project], list[Employer]]:
    """The projects and employers of the user's area, for the flag list's filters."""
    projects = organisations.visible_projects(user)
    employers = {p.employer_id: p.employer for p in projects}
    return projects, sorted(employers.values(), key=lambda e: e.name)


def flag_list(user: User, chosen: FlagFilter) -> list[FlagRow]:
    """The flags in the user's area that match the filter, the most severe and newest first (violations only;
    inconclusive results are shown on the project, not as flags)."""
    query = (
        inspector_services.findings_in_scope(user)
        .add_columns(Project, User)
        .join(Project, Project.id == Finding.project_id)
        .outerjoin(FlagAssignment, FlagAssignment.finding_id == Finding.id)
        .outerjoin(User, User.id == FlagAssignment.assignee_id)
        .where(Finding.severity.is_not(None))
    )
    query = filtered(query, chosen)
    order = sa.case({Severity.RED: 0, Severity.ORANGE: 1, Severity.YELLOW: 2}, value=Finding.severity, else_=3)
    rows = db.session.execute(query.order_by(order, Finding.opened_at.desc(), Finding.id.desc()).limit(FLAG_LIST_LIMIT))
    return [FlagRow(finding, project, assignee) for finding, project, assignee in rows]


@dataclass(frozen=True)
class FlagDetail:
    finding: Finding
    project: Project
    rule: Rule | None
    actions: list[FlagAction]
    actors: dict[int, User]
    assignee: User | None


def flag_detail(user: User, finding_id: int) -> FlagDetail:
    """One flag with its rule (law and next action), the engine's transitions and the inspectors' steps.

    :raises NotFound: outside the user's area."""
    finding = inspector_services.get_flag(user, finding_id)
    actions = list(db.session.scalars(sa.select(FlagAction).where(FlagAction.finding_id == finding.id).order_by(FlagAction.id)))
    people = {a.actor_id for a in actions} | {a.assignee_id for a in actions if a.assignee_id}
    actors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(people)))} if people else {}
    assignment = db.session.get(FlagAssignment, finding.id)
    project = db.session.get(Project, finding.project_id)
    assert project is not None
    return FlagDetail(
        finding=finding,
        project=project,
        rule=BY_CODE.get(finding.rule_code),
        actions=actions,
        actors=actors,
        assignee=db.session.get(User, assignment.assignee_id) if assignment else None,
    )
