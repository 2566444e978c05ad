"""The county inspector's dashboard: projects and roster coverage in the inspector's own area only."""

from __future__ import annotations

from flask import Blueprint, render_template

from wage_guard.accounts.models import Role
from wage_guard.enrollment import services as enrollment
from wage_guard.identity import queries as identity_queries
from wage_guard.organisations import services as organisations
from wage_guard.security import actor, role_required

bp = Blueprint("inspector", __name__, url_prefix="/inspector")


@bp.get("/")
@role_required(Role.INSPECTOR, Role.ADMIN)
def dashboard():  # type: ignore[no-untyped-def]
    """Counties in scope, each with its projects and the workers on their rosters."""
    user = actor()
    projects = organisations.visible_projects(user)
    counts = enrollment.roster_counts([p.id for p in projects])
    in_scope = organisations.counties_in_scope(user)
    by_county = {c.code: [p for p in projects if p.county_code == c.code] for c in in_scope}
    counties = [c for c in in_scope if by_county[c.code] or user.role is Role.INSPECTOR]
    totals = {code: sum(counts.get(p.id, 0) for p in items) for code, items in by_county.items()}
    return render_template(
        "inspector/dashboard.html",
        counties=counties,
        by_county=by_county,
        counts=counts,
        totals=totals,
        identity_open=len(identity_queries.open_checks(user)),
        identity_decided=identity_queries.recent_decided(user, limit=10),
    )
