"""Enrolment links: the QR code a site's poster carries, issued, found and revoked by the foreman.

Only the SHA-256 of a link's token is stored, so the database alone cannot be used to enrol.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.enrollment.models import EnrollmentLink
from wage_guard.errors import Gone, NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations.models import Project
from wage_guard.settings import settings


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(actor: User | None, project: Project, *, now: datetime) -> EnrollmentLink:
    """Create a new QR link for ``project`` and revoke the previous ones, so old posters stop working."""
    for old in _active_links(project, now):
        old.revoked_at = now
    token = secrets.token_urlsafe(24)
    link = EnrollmentLink(
        project=project,
        token=token,
        token_hash=token_hash(token),
        created_at=now,
        created_by_id=actor.id if actor else None,
        expires_at=now + settings().enrollment_link_ttl,
    )
    db.session.add(link)
    db.session.flush()
    return link


def current_link(project: Project, *, now: datetime) -> EnrollmentLink | None:
    links = _active_links(project, now)
    return links[-1] if links else None


def revoke_link(project: Project, link_id: int, *, now: datetime) -> None:
    """Stop a QR link from working.

    :raises NotFound: when the link is not one of this project's.
    """
    link = db.session.get(EnrollmentLink, link_id)
    if link is None or link.project_id != project.id:
        raise NotFound(_("This QR code does not belong to this project."))
    link.revoked_at = link.revoked_at or now


def resolve_link(token: str, *, now: datetime) -> EnrollmentLink:
    """Find the link behind a scanned token.

    :raises NotFound: for an unknown token. :raises Gone: for a revoked or expired one.
    """
    link = db.session.scalar(sa.select(EnrollmentLink).where(EnrollmentLink.token_hash == token_hash(token)))
    if link is None:
        raise NotFound(_("This QR code is not valid. Please scan the code on the site poster again."))
    if link.revoked_at is not None:
        raise Gone(_("This QR code has been withdrawn. Please ask the site office for the current poster."))
    if clock.as_utc(link.expires_at) <= now:
        raise Gone(_("This QR code has expired. Please ask the site office for the current poster."))
    return link


def _active_links(project: Project, now: datetime) -> list[EnrollmentLink]:
    query = (
        sa.select(EnrollmentLink)
        .where(EnrollmentLink.project_id == project.id, EnrollmentLink.revoked_at.is_(None), EnrollmentLink.expires_at > now)
        .order_by(EnrollmentLink.id)
    )
    return list(db.session.scalars(query))
