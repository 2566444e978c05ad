"""Staff accounts: administrators, employer administrators, foremen and inspectors."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.db import TimestampMixin
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.i18n import _l
from wage_guard.organisations.models import Employer


class Role(enum.StrEnum):
    ADMIN = "admin"
    EMPLOYER_ADMIN = "employer_admin"
    FOREMAN = "foreman"
    INSPECTOR = "inspector"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Platform administrator"),
    Role.EMPLOYER_ADMIN: _l("Employer administrator"),
    Role.FOREMAN: _l("Project manager / foreman"),
    Role.INSPECTOR: _l("Labour inspector"),
}


class User(UserMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A staff member who logs in with a password and a second factor."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64))
    #: argon2id hash (argon2-cffi).
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])
    )
    #: Employer administrators and foremen belong to one employer.
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    #: Inspectors: the division code of the area they oversee (a county, or a city/province for its counties).
    area_code: Mapped[str | None] = mapped_column(sa.String(6))
    #: Verified mobile number (E.164) for SMS second-factor codes; encrypted at rest.
    phone: Mapped[str | None] = mapped_column(EncryptedString("user.phone"))
    #: Base32 TOTP secret when the user enrolled an authenticator app; encrypted at rest.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString("user.totp_secret"))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: Employer administrators authorised to apply the company seal (an SMS code to their phone confirms it).
    can_seal: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    employer: Mapped[Employer | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role}>"
