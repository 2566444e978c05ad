"""What a county inspector sees: the counties in scope, their projects and roster coverage, and identity checks.

One read model for the dashboard page and, later, the API and the risk views: a view renders it, nothing else
computes it. Everything is limited to the user's own scope (``organisations.visible_projects`` and
``counties_in_scope``), so an inspector never sees another county's project here.
"""

from __future__ import annotations

from dataclasses import dataclass

from wage_guard.accounts.models import Role, User
from wage_guard.enrollment import queries as enrollment_queries
from wage_guard.identity import queries as identity_queries
from wage_guard.identity.models import IdentityCheck
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import County, Project

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
    )
