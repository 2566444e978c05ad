"""Staff accounts (administrators, employer administrators, foremen and inspectors) and login state kept on the
server: failed-login counters for staff and the worker portal's pending logins, so that no cookie carries them."""

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
    #: Part of every session's login token (:meth:`get_id`): raising it ends every session of this person
    #: (logout, password change, deactivation, phone change), wherever a copy of the cookie is.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login_at: Mapped[datetime | None]

    employer: Mapped[Employer | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def get_id(self) -> str:
        """The login token Flask-Login keeps in the session: id and session version, checked on every request."""
        return f"{self.id}:{self.session_version or 0}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role}>"


class LoginThrottle(db.Model):  # type: ignore[name-defined,misc]
    """Failed password logins, counted per (username, client) and per username, under keyed hashes only.

    A row exists for unknown usernames exactly as for known ones, so the throttle answers both alike. Pair rows
    (``blocked_until``) slow down one client guessing one username; account rows (``alerted_at``) count the
    failures from every client for the SMS notice to the account holder. See ``accounts.throttle``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC of ``pair`` + username + client network, or ``account`` + username, under ``BLIND_INDEX_KEY``.
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    #: Start of the counting window (account rows count the failures within it; pair rows start over after a
    #: whole window without failures).
    window_started_at: Mapped[datetime]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    #: Pair rows: no password is checked for this username from this client before this time.
    blocked_until: Mapped[datetime | None]
    #: Account rows: when the account holder was last told by SMS (at most one notice per window).
    alerted_at: Mapped[datetime | None]


class PortalLogin(db.Model):  # type: ignore[name-defined,misc]
    """A worker-portal login waiting for its SMS code. The browser keeps only a random handle, never the phone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random handle kept in the browser session.
    handle_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The phone number the code went to (E.164); encrypted at rest.
    phone: Mapped[str] = mapped_column(EncryptedString("portal_login.phone"))
    created_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:  # no personal data in reprs
        return f"<PortalLogin {self.id}>"
