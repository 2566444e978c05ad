"""API tokens: a bearer secret held by a staff account and narrowed to one employer or one county."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.accounts.models import User
from wage_guard.extensions import db
from wage_guard.organisations.models import County, Employer


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """One token. The secret is shown once when issued; only its SHA-256 is kept (it is 256 random bits, so a fast
    hash is enough: there is nothing to guess). Exactly one of ``employer_id`` and ``county_code`` is set."""

    __tablename__ = "api_token"
    __table_args__ = (sa.CheckConstraint("(employer_id IS NULL) <> (county_code IS NULL)", name="one_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    #: The first characters of the secret, shown in lists so an administrator can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The account whose scope the token narrows; a disabled account's tokens stop working.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"))
    county_code: Mapped[str | None] = mapped_column(sa.ForeignKey("county.code"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime]
    #: A token works until then (a year by default): a forgotten token stops by itself.
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    employer: Mapped[Employer | None] = relationship()
    county: Mapped[County | None] = relationship()
