"""Issuing, revoking and checking API tokens; the scope a token gives.

A token narrows the scope of the staff account that holds it: an employer administrator's token covers their
employer, an inspector's token one county of their area, an administrator's token any one employer or county. So
every read goes through the account's own scope (``organisations.visible_projects_query``,
``inspector.services.findings_in_scope``) and then the token's, and a token can never see more than its holder.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from wage_guard.accounts.models import Role, User
from wage_guard.api.models import ApiToken
from wage_guard.clock import as_utc
from wage_guard.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.inspector import services as inspector
from wage_guard.ledger import services as ledger
from wage_guard.organisations import services as organisations
from wage_guard.organisations.codes import scope_prefix
from wage_guard.organisations.models import County, Employer, Project
from wage_guard.risk.models import Finding

#: Every secret starts with this, so a leaked one is easy to recognise (and to search for in a repository).
SECRET_PREFIX = "wgt_"  # noqa: S105 - a marker, not a secret
NAME_LIMIT = 64
#: How long a token may live, in days: a year by default, two at most (then issue a new one).
DEFAULT_DAYS, MAX_DAYS = 365, 730


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    #: Shown once, never stored.
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    admin: User,
    *,
    holder_id: int | None,
    name: str,
    employer_id: int | None,
    county_code: str | None,
    now: datetime,
    valid_days: int = DEFAULT_DAYS,
) -> Issued:
    """Issue a token for ``holder_id`` narrowed to one employer or one county that the holder may see.

    :raises ValidationFailed: naming the field that is wrong."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_LIMIT:
        raise ValidationFailed(_("Give the token a name of at most 64 characters."), field="name")
    holder = db.session.get(User, holder_id) if holder_id else None
    if holder is None or not holder.is_enabled:
        raise ValidationFailed(_("Choose an active staff account to hold the token."), field="holder_id")
    if not 1 <= valid_days <= MAX_DAYS:
        raise ValidationFailed(_("A token is valid for 1 to 730 days."), field="valid_days")
    if (employer_id is None) == (not county_code):
        raise ValidationFailed(_("Choose either one employer or one county."), field="scope")
    if employer_id is not None:
        _check_employer(holder, employer_id)
    else:
        _check_county(holder, county_code or "")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        token_hash=token_hash(secret),
        user_id=holder.id,
        employer_id=employer_id,
        county_code=county_code or None,
        created_by_id=admin.id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    db.session.add(token)
    db.session.flush()
    scope = f"employer:{employer_id}" if employer_id is not None else f"county:{county_code}"
    payload = {"by": admin.id, "holder": holder.id, "scope": scope, "expires_at": token.expires_at.isoformat()}
    ledger.append("api_token_issued", f"api_token:{token.id}", payload, now=now)
    return Issued(token, secret)


def _check_employer(holder: User, employer_id: int) -> None:
    if db.session.get(Employer, employer_id) is None:
        raise ValidationFailed(_("There is no such employer."), field="employer_id")
    if holder.role is Role.ADMIN or (holder.role is Role.EMPLOYER_ADMIN and holder.employer_id == employer_id):
        return
    raise ValidationFailed(_("An employer token is held by an administrator of that employer."), field="holder_id")


def _check_county(holder: User, county_code: str) -> None:
    if db.session.get(County, county_code) is None:
        raise ValidationFailed(_("There is no such county."), field="county_code")
    if holder.role is Role.ADMIN:
        return
    if holder.role is Role.INSPECTOR and holder.area_code and county_code.startswith(scope_prefix(holder.area_code)):
        return
    raise ValidationFailed(_("A county token is held by an inspector whose area covers that county."), field="holder_id")


def revoke(admin: User, token_id: int, *, now: datetime) -> ApiToken:
    """:raises NotFound: no such token."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = now
        ledger.append("api_token_revoked", f"api_token:{token.id}", {"by": admin.id}, now=now)
    return token


def eligible_holders() -> list[User]:
    """Active accounts that may hold a token: administrators, employer administrators and inspectors."""
    roles = [Role.ADMIN, Role.EMPLOYER_ADMIN, Role.INSPECTOR]
    query = sa.select(User).where(User.is_enabled.is_(True), User.role.in_(roles)).order_by(User.role, User.username)
    return list(db.session.scalars(query))


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def authenticate(authorization: str | None, *, now: datetime) -> ApiToken:
    """The token of an ``Authorization: Bearer …`` header.

    :raises Unauthenticated: no header, not a bearer token, unknown, revoked, expired, or held by a disabled account."""
    scheme, _space, secret = (authorization or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(SECRET_PREFIX) or len(secret) > 128:
        raise Unauthenticated(_("Send an API token as 'Authorization: Bearer <token>'."))
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_enabled:
        raise Unauthenticated(_("This API token is unknown or has been revoked."))
    if as_utc(token.expires_at) <= now:
        raise Unauthenticated(_("This API token has expired: ask the administrator for a new one."))
    return token


def projects_query(token: ApiToken) -> sa.Select[Any]:
    """The projects a token may see: its holder's, narrowed to the token's employer or county."""
    query = organisations.visible_projects_query(token.user)
    if token.employer_id is not None:
        return query.where(Project.employer_id == token.employer_id)
    return query.where(Project.county_code == token.county_code)


def get_project(token: ApiToken, project_id: int) -> Project:
    """:raises NotFound: outside the token's scope (no existence leak)."""
    project = db.session.scalar(projects_query(token).where(Project.id == project_id))
    if project is None:
        raise NotFound(_("This project does not exist or is not in this token's scope."))
    return project


def findings_query(token: ApiToken) -> sa.Select[Any]:
    """Risk flags (as on the inspector's list): for county tokens of inspectors (and administrators), in the county.

    :raises PermissionDenied: an employer token (flags are the inspectors' work)."""
    if token.county_code is None:
        raise PermissionDenied(_("Risk flags are open to county tokens only."))
    in_county = inspector.findings_in_scope(token.user).where(Finding.county_code == token.county_code)
    return in_county.where(Finding.severity.is_not(None))  # violations: inconclusive results are not flags


def get_finding(token: ApiToken, finding_id: int) -> Finding:
    finding = db.session.scalar(findings_query(token).where(Finding.id == finding_id))
    if finding is None:
        raise NotFound(_("This flag does not exist or is not in this token's scope."))
    return finding
