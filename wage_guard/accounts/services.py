"""Staff accounts: creation with a password policy, password login with lock-out, and the second factor.

Level-3 protection (等保三级) asks staff to combine two factors: the password here plus either a TOTP
authenticator or an SMS code to the account's verified phone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from wage_guard import clock
from wage_guard.accounts.models import Role, User
from wage_guard.codes import services as codes
from wage_guard.errors import RecordedFailure, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations import codes as org_codes
from wage_guard.organisations.models import Employer
from wage_guard.sms.phones import InvalidPhoneNumber, parse_mobile

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106 low-memory profile); tests may configure cheaper costs."""
    options = current_app.config.get("ARGON2_OPTIONS") or {}
    return PasswordHasher(**options)


def _dummy_hash() -> str:
    """A hash to verify against when the username is unknown, so both paths cost the same time."""
    cached: str | None = current_app.extensions.get("wage_guard.dummy_hash")
    if cached is None:
        cached = current_app.extensions["wage_guard.dummy_hash"] = _hasher().hash("wage-guard-dummy-password")
    return cached


def check_password_policy(password: str) -> None:
    """Require at least 10 characters from at least three of: lower case, upper case, digits, symbols.

    :raises ValidationFailed: naming the rule that is not met.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password")
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        raise ValidationFailed(_("The password needs three of: lower-case letters, capitals, digits, symbols."), field="password")


def create_user(
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    phone: str | None = None,
    employer: Employer | None = None,
    area_code: str | None = None,
    totp_secret: str | None = None,
) -> User:
    """Create a staff account after checking its role's scope and the password policy."""
    username = username.strip().lower()
    if not username:
        raise ValidationFailed(_("This field is required."), field="username")
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(_("This username is taken."), field="username")
    check_password_policy(password)
    if role in (Role.EMPLOYER_ADMIN, Role.FOREMAN) and employer is None:
        raise ValidationFailed(_("Employer administrators and foremen must belong to an employer."), field="employer")
    if role is Role.INSPECTOR:
        try:
            area_code = org_codes.parse_division_code(area_code or "")
        except org_codes.InvalidCode as exc:
            raise ValidationFailed(str(exc), field="area_code") from exc
    if phone is None and totp_secret is None:
        raise ValidationFailed(
            _("Staff accounts need a mobile phone or an authenticator app for the second factor."), field="phone"
        )
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        employer=employer if role in (Role.EMPLOYER_ADMIN, Role.FOREMAN) else None,
        area_code=area_code if role is Role.INSPECTOR else None,
        password_hash=_hasher().hash(password),
        phone=_parse_phone(phone) if phone else None,
        totp_secret=totp_secret,
    )
    db.session.add(user)
    db.session.flush()
    return user


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="wage_guard")


def authenticate(username: str, password: str, *, now: datetime) -> User:
    """Check a password; after 5 failures in a row the account is locked for 15 minutes.

    :raises RecordedFailure: with one message for unknown user and wrong password alike.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    wrong = RecordedFailure(_("Wrong username or password."), status=401, field="password")
    if user is None:
        _verify_hash(_dummy_hash(), password)
        raise wrong
    if user.locked_until is not None and clock.as_utc(user.locked_until) > now:
        raise RecordedFailure(_("This account is locked for 15 minutes after too many failed logins."), status=429)
    if not user.is_enabled or not _verify_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
        raise wrong
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.failed_logins = 0
    return user


def start_second_factor(user: User, *, now: datetime, requester: codes.Requester) -> str:
    """Send an SMS code unless the user has TOTP; returns the method, ``"totp"`` or ``"sms"``."""
    if user.totp_secret:
        return "totp"
    if not user.phone:
        raise ValidationFailed(_("This account has no second factor. Ask an administrator to add a phone number."))
    codes.send_code(f"login:{user.id}", user.phone, now=now, requester=requester, sms_template="login_code")
    return "sms"


def finish_second_factor(user: User, code: str, *, now: datetime, requester: codes.Requester) -> None:
    """Accept the second factor and record the login.

    :raises RecordedFailure: for a wrong, expired or locked code.
    """
    if user.totp_secret:
        if not pyotp.TOTP(user.totp_secret).verify(code.strip(), for_time=now, valid_window=1):
            raise RecordedFailure(_("Wrong code from the authenticator app."), field="code")
    else:
        assert user.phone is not None
        codes.check_code(f"login:{user.id}", user.phone, code, now=now, requester=requester)
    user.last_login_at = now


def visible_users(actor: User) -> list[User]:
    """Accounts an administrator manages: all of them, or an employer administrator's own employer's."""
    query = sa.select(User).order_by(User.role, User.username)
    if actor.role is not Role.ADMIN:
        query = query.where(User.employer_id == actor.employer_id)
    return list(db.session.scalars(query))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _verify_hash(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _parse_phone(phone: str) -> str:
    try:
        return parse_mobile(phone)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), field="phone") from exc
