"""Staff accounts: creation with a password policy, password login, the second factor, password changes and
deactivation.

Level-3 protection (等保三级) asks staff to combine two factors: the password here plus either a TOTP
authenticator or an SMS code to the account's verified phone. Wrong passwords slow down the guesser, not the
account (``accounts.throttle``), and answer an unknown username exactly like a known one. A password change or a
deactivation ends every session of the person (``accounts.sessions``).
"""

from __future__ import annotations

from datetime import datetime

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from wage_guard.accounts import sessions, throttle
from wage_guard.accounts.models import Role, User
from wage_guard.codes import services as codes
from wage_guard.errors import Conflict, NotFound, PermissionDenied, RecordedFailure, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger
from wage_guard.organisations import codes as org_codes
from wage_guard.organisations.models import Employer
from wage_guard.settings import settings
from wage_guard.sms.phones import InvalidPhoneNumber, parse_mobile

MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106 low-memory profile); tests may configure cheaper costs."""
    options = settings().argon2_options
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


def authenticate(username: str, password: str, *, now: datetime, requester: codes.Requester) -> User:
    """Check a password, throttled per (username, client) (``accounts.throttle``).

    Known and unknown usernames take the same path: the same throttle reads and writes, one argon2 verification
    (against a dummy hash when there is no such user), and the same answers.

    :raises TooManyRequests: while this username must wait on this client.
    :raises RecordedFailure: with one message for unknown user, disabled account and wrong password alike.
    """
    name = username.strip().lower()
    attempt = throttle.begin(name, requester.ip_address, now=now)
    user = db.session.scalar(sa.select(User).where(User.username == name))
    valid = _verify_hash(user.password_hash if user is not None else _dummy_hash(), password)
    if user is None or not valid or not user.is_enabled:
        throttle.failed(attempt, user, now=now)
        raise RecordedFailure(_("Wrong username or password."), status=401, field="password")
    throttle.succeeded(attempt)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return user


def change_password(user: User, current: str, new: str, *, now: datetime, requester: codes.Requester) -> None:
    """Replace the password after checking the current one (throttled like a login) and the policy.

    Every session of the user ends, copies of this one included; the view logs this browser in again.

    :raises TooManyRequests: while this username must wait on this client.
    :raises RecordedFailure: for a wrong current password (counted like a failed login).
    :raises ValidationFailed: when the new password breaks the policy or equals the current one.
    """
    attempt = throttle.begin(user.username, requester.ip_address, now=now)
    if not _verify_hash(user.password_hash, current):
        throttle.failed(attempt, user, now=now)
        raise RecordedFailure(_("Your current password is wrong."), field="current_password")
    throttle.succeeded(attempt)
    if new == current:
        raise ValidationFailed(_("The new password must be different from the current one."), field="password")
    check_password_policy(new)
    user.password_hash = _hasher().hash(new)
    sessions.end_user_sessions(user)
    ledger.append("staff_password_changed", f"staff:{user.id}", {"by": user.id}, now=now)


def set_enabled(actor: User, user_id: int, enabled: bool, *, now: datetime) -> User:
    """Deactivate or reactivate an account in the actor's scope; either way every session of it ends at once.

    Platform administrators manage every account, employer administrators the foremen of their own employer.

    :raises NotFound: for an account outside the actor's scope.
    :raises PermissionDenied: for an employer administrator and an account that is not their foreman.
    :raises Conflict: for the actor's own account (nobody locks themselves out).
    """
    user = db.session.get(User, user_id)
    if user is None or (actor.role is not Role.ADMIN and user.employer_id != actor.employer_id):
        raise NotFound(_("There is no such account."))
    if actor.role is not Role.ADMIN and (actor.role is not Role.EMPLOYER_ADMIN or user.role is not Role.FOREMAN):
        raise PermissionDenied(_("Employer administrators can only manage foremen of their own employer."))
    if user.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account."))
    if user.is_enabled != enabled:
        user.is_enabled = enabled
        ledger.append("staff_reactivated" if enabled else "staff_deactivated", f"staff:{user.id}", {"by": actor.id}, now=now)
    sessions.end_user_sessions(user)
    return user


def unlock_codes(actor: User, user_id: int, *, now: datetime) -> User:
    """A platform administrator lifts the cumulative code lock of a staff account (after checking who asks).

    :raises NotFound: for an unknown account. :raises PermissionDenied: for anyone but a platform administrator.
    """
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(_("Only a platform administrator can unlock the codes of a staff account."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such account."))
    codes.unlock(phone=user.phone, person=f"staff:{user.id}", by=actor, now=now)
    return user


def start_second_factor(user: User, *, now: datetime, requester: codes.Requester) -> str:
    """Send an SMS code unless the user has TOTP; returns the method, ``"totp"`` or ``"sms"``."""
    if user.totp_secret:
        return "totp"
    if not user.phone:
        raise ValidationFailed(_("This account has no second factor. Ask an administrator to add a phone number."))
    codes.send_code(
        f"login:{user.id}", user.phone, now=now, requester=requester, person=f"staff:{user.id}", sms_template="login_code"
    )
    return "sms"


def finish_second_factor(user: User, code: str, *, now: datetime, requester: codes.Requester) -> None:
    """Accept the second factor and record the login.

    :raises RecordedFailure: for a wrong, expired or locked code.
    """
    person = f"staff:{user.id}"
    if user.totp_secret:
        if codes.locked_until(None, person, now=now) is not None or not pyotp.TOTP(user.totp_secret).verify(
            code.strip(), for_time=now, valid_window=1
        ):
            codes.record_wrong(f"login:{user.id}", person=person, now=now, requester=requester)
            raise RecordedFailure(_("Wrong code from the authenticator app."), field="code")
    else:
        assert user.phone is not None
        codes.check_code(f"login:{user.id}", user.phone, code, now=now, requester=requester, person=person)
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
