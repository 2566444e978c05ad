"""The county inspector's dashboard: projects and roster coverage in the inspector's own area only."""

from __future__ import annotations

from flask import Blueprint, render_template

from wage_guard.accounts.models import Role
from wage_guard.inspector import queries
from wage_guard.security import actor, role_required

bp = Blueprint("inspector", __name__, url_prefix="/inspector")


@bp.get("/")
@role_required(Role.INSPECTOR, Role.ADMIN)
def dashboard():  # type: ignore[no-untyped-def]
    """Counties in scope, each with its projects and the workers on their rosters."""
    return render_template("inspector/dashboard.html", **vars(queries.dashboard(actor())))
