"""Read side of identity checks: what a foreman must decide and what an inspector may see, scoped by project."""

from __future__ import annotations

import sqlalchemy as sa

from wage_guard.accounts.models import Role, User
from wage_guard.errors import NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.identity.models import OPEN_STATUSES, IdentityCheck
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Project


def _visible(actor: User) -> sa.Select[IdentityCheck]:  # type: ignore[type-var]
    projects = organisations.visible_projects_query(actor).with_only_columns(Project.id)
    return sa.select(IdentityCheck).where(IdentityCheck.project_id.in_(projects.scalar_subquery()))


def open_checks(actor: User) -> list[IdentityCheck]:
    """Checks waiting for a decision or a hold, in the actor's projects (an inspector's: the county's)."""
    query = _visible(actor).where(IdentityCheck.status.in_(OPEN_STATUSES)).order_by(IdentityCheck.requested_at)
    return list(db.session.scalars(query))


def recent_decided(actor: User, limit: int = 50) -> list[IdentityCheck]:
    """Decided checks, newest first: inspectors see every in-person confirmation in their area."""
    query = _visible(actor).where(IdentityCheck.status.not_in(OPEN_STATUSES)).order_by(IdentityCheck.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_check(actor: User, check_id: int) -> IdentityCheck:
    """:raises NotFound: outside the actor's projects (no existence leak)."""
    check = db.session.scalar(_visible(actor).where(IdentityCheck.id == check_id))
    if check is None:
        raise NotFound(_("This identity check does not exist or is not yours to see."))
    return check


def may_decide(actor: User) -> bool:
    return actor.role in (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)
