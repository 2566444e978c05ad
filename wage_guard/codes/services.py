"""Issue and check one-time SMS codes: 6 digits, keyed hash only, 5 minutes, 5 tries, a cool-down per purpose.

On top of each code's own 5 tries, two cumulative limits hold across every purpose (enrolment, signing,
portal, staff login), counted in the database so that every web process and every resend path shares them:

- **sends per phone**: at most ``CODE_SEND_QUOTAS`` codes per phone per hour and per day, whatever the page;
- **wrong codes per phone and per account**: ``CODE_LOCKOUT_WRONG`` wrong codes within ``CODE_LOCKOUT_WINDOW``
  lock further sends and checks for that phone and that person, with a message saying how to unlock: the
  foreman in person for a worker, an administrator for staff (:func:`unlock`).

Every send and every check leaves a :class:`CodeEvent` (time, purpose, phone, person, keyed device and address;
never the code) and refusals are :class:`RecordedFailure` so the boundary commits the counters instead of
rolling back. The events are also what the proxy-signing rule reads (``codes.queries``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.codes.models import CodeEvent, CodeEventKind, CodeUnlock, VerificationCode
from wage_guard.errors import RecordedFailure
from wage_guard.extensions import db
from wage_guard.fieldcrypt import blind_index
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger
from wage_guard.settings import settings
from wage_guard.sms import services as sms

STAFF_PREFIX = "staff:"


@dataclass(frozen=True)
class Requester:
    """Where a request came from, for the audit trail: address, browser and the device cookie's random id."""

    ip_address: str | None = None
    user_agent: str | None = None
    device_id: str | None = None


def phone_index(phone: str) -> str:
    """Blind index of an E.164 phone number (shared by codes, workers and rate limits)."""
    return blind_index(phone, "phone")


def id_person_key(id_number: str) -> str:
    """The person key of someone known only by their ID number (an enrolment before the roster entry exists)."""
    return "id:" + ledger.keyed(id_number, "person")


def send_code(
    purpose: str,
    phone: str,
    *,
    now: datetime,
    requester: Requester,
    person: str | None = None,
    sms_template: str = "code",
    **sms_context: object,
) -> VerificationCode:
    """Create a fresh code for ``purpose`` and queue it by SMS to ``phone``.

    :raises RecordedFailure: (429) inside the cool-down of this purpose, over the phone's quota, or locked.
    """
    index = phone_index(phone)
    _refuse_if_locked(purpose, index, person, now, requester)
    last = db.session.scalar(
        sa.select(VerificationCode)
        .where(VerificationCode.phone_index == index, VerificationCode.purpose == purpose)
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )
    cooldown = settings().code_resend_cooldown
    if last is not None and now - clock.as_utc(last.created_at) < cooldown:
        wait = int((cooldown - (now - clock.as_utc(last.created_at))).total_seconds()) + 1
        _record(None, purpose, index, CodeEventKind.COOLDOWN, now, requester, person)
        raise RecordedFailure(
            _("A code was sent less than a minute ago. Please wait %(s)d seconds before asking again.", s=wait), status=429
        )
    _refuse_over_quota(purpose, index, person, now, requester)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    row = VerificationCode(
        purpose=purpose,
        phone_index=index,
        salt=salt,
        code_hash=_hash(code, salt),
        created_at=now,
        expires_at=now + settings().code_ttl,
    )
    db.session.add(row)
    db.session.flush()
    _record(row.id, purpose, index, CodeEventKind.SENT, now, requester, person)
    minutes = int(settings().code_ttl.total_seconds() // 60)
    sms.queue_sms(phone, sms_template, secret=True, code=code, minutes=minutes, **sms_context)  # type: ignore[arg-type]
    return row


def check_code(
    purpose: str, phone: str, code: str, *, now: datetime, requester: Requester, person: str | None = None
) -> VerificationCode:
    """Accept ``code`` if it is the latest live code for this purpose and phone, and consume it.

    :raises RecordedFailure: naming why: locked (cumulative), no code, locked code, expired, or wrong (with tries left).
    """
    index = phone_index(phone)
    _refuse_if_locked(purpose, index, person, now, requester)
    row = db.session.scalar(
        sa.select(VerificationCode)
        .where(VerificationCode.purpose == purpose, VerificationCode.phone_index == index, VerificationCode.consumed_at.is_(None))
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )
    if row is None:
        _record(None, purpose, index, CodeEventKind.NO_CODE, now, requester, person)
        raise RecordedFailure(_("There is no code waiting for this phone. Please ask for a new code."), field="code")
    if row.locked_at is not None:
        _record(row.id, purpose, index, CodeEventKind.LOCKED, now, requester, person)
        raise RecordedFailure(
            _("This code is locked after too many wrong tries. Please ask for a new code."), status=429, field="code"
        )
    if now >= clock.as_utc(row.expires_at):
        _record(row.id, purpose, index, CodeEventKind.EXPIRED, now, requester, person)
        raise RecordedFailure(
            _("This code has expired (codes are valid for 5 minutes). Please ask for a new code."), status=410, field="code"
        )
    if not hmac.compare_digest(row.code_hash, _hash(_normalise(code), row.salt)):
        return _refuse_wrong(row, now, requester, person)
    row.consumed_at = now
    _record(row.id, purpose, index, CodeEventKind.VERIFIED, now, requester, person)
    return row


def record_wrong(purpose: str, *, person: str, now: datetime, requester: Requester) -> None:
    """Count a wrong code that is not an SMS code (an authenticator app's) against the account.

    :raises RecordedFailure: when the account is locked by now.
    """
    _refuse_if_locked(purpose, "", person, now, requester)
    _record(None, purpose, "", CodeEventKind.WRONG, now, requester, person)
    _refuse_if_locked(purpose, "", person, now, requester)


def locked_until(phone: str | None, person: str | None, *, now: datetime) -> datetime | None:
    """When the cumulative lock of this phone (or this person's account) ends, or ``None`` when not locked."""
    return _locked_until(phone_index(phone) if phone else "", person, now)


def unlock(*, phone: str | None = None, person: str | None = None, by: User, now: datetime) -> None:
    """Lift the cumulative lock (the foreman after an in-person check, or an administrator); logged as evidence."""
    index = phone_index(phone) if phone else None
    db.session.add(CodeUnlock(phone_index=index, person_key=person, unlocked_by_id=by.id, created_at=now))
    db.session.flush()
    ledger.append(
        "codes_unlocked",
        f"staff:{by.id}",
        {"phone": index[:32] if index else None, "person": _loggable(person)},
        now=now,
    )


def _refuse_if_locked(purpose: str, index: str, person: str | None, now: datetime, requester: Requester) -> None:
    until = _locked_until(index, person, now)
    if until is None:
        return
    _record(None, purpose, index, CodeEventKind.LOCKED_OUT, now, requester, person)
    china = clock.as_utc(until).astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")
    if (person or "").startswith(STAFF_PREFIX):
        message = _(
            "Too many wrong codes for this account: for your safety, codes are locked until %(time)s (China time). "
            "A platform administrator can unlock your account sooner.",
            time=china,
        )
    else:
        message = _(
            "Too many wrong codes for this phone: for your safety, codes are locked until %(time)s (China time). "
            "To unlock sooner, show your ID card to your foreman, who can unlock it in person.",
            time=china,
        )
    raise RecordedFailure(message, status=429, field="code")


def _locked_until(index: str, person: str | None, now: datetime) -> datetime | None:
    """Locked while the phone or the person has ``CODE_LOCKOUT_WRONG`` wrong codes in the window since the last unlock."""
    window, limit = settings().code_lockout_window, settings().code_lockout_wrong
    subjects_events, subjects_unlocks = [], []
    if index:
        subjects_events.append(CodeEvent.phone_index == index)
        subjects_unlocks.append(CodeUnlock.phone_index == index)
    if person:
        subjects_events.append(CodeEvent.person_key == person)
        subjects_unlocks.append(CodeUnlock.person_key == person)
    if not subjects_events:
        return None
    since = now - window
    last_unlock = db.session.scalar(sa.select(sa.func.max(CodeUnlock.created_at)).where(sa.or_(*subjects_unlocks)))
    if last_unlock is not None and clock.as_utc(last_unlock) > since:
        since = clock.as_utc(last_unlock)
    times = db.session.scalars(
        sa.select(CodeEvent.created_at)
        .where(sa.or_(*subjects_events), CodeEvent.kind == CodeEventKind.WRONG, CodeEvent.created_at > since)
        .order_by(CodeEvent.created_at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return None
    return clock.as_utc(times[-1]) + window


def _refuse_over_quota(purpose: str, index: str, person: str | None, now: datetime, requester: Requester) -> None:
    for period, most in settings().code_send_quotas:
        sent = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(VerificationCode)
            .where(VerificationCode.phone_index == index, VerificationCode.created_at > now - period)
        )
        if (sent or 0) >= most:
            _record(None, purpose, index, CodeEventKind.QUOTA, now, requester, person)
            hours = max(1, int(period.total_seconds() // 3600))
            raise RecordedFailure(
                _(
                    "This phone has already received %(n)d codes in %(h)d hours, the most we send. Please try again later.",
                    n=most,
                    h=hours,
                ),
                status=429,
            )


def _refuse_wrong(row: VerificationCode, now: datetime, requester: Requester, person: str | None) -> VerificationCode:
    row.failed_attempts += 1
    _record(row.id, row.purpose, row.phone_index, CodeEventKind.WRONG, now, requester, person)
    _refuse_if_locked(row.purpose, row.phone_index, person, now, requester)
    left = settings().code_max_attempts - row.failed_attempts
    if left <= 0:
        row.locked_at = now
        _record(row.id, row.purpose, row.phone_index, CodeEventKind.LOCKED, now, requester, person)
        raise RecordedFailure(
            _("Wrong code, and that was the last try: the code is now locked. Please ask for a new code."),
            status=429,
            field="code",
        )
    raise RecordedFailure(_("Wrong code. You have %(n)d tries left.", n=left), field="code")


def _normalise(code: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff19" else c for c in (code or "").strip())


def _hash(code: str, salt: str) -> str:
    key = base64.b64decode(settings().code_hash_key)
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _loggable(person: str | None) -> str | None:
    """Person keys name database ids or keyed hashes only; keep them short in the public log."""
    return person[:48] if person else None


def _record(
    code_id: int | None,
    purpose: str,
    index: str,
    kind: CodeEventKind,
    now: datetime,
    requester: Requester,
    person: str | None,
) -> None:
    ip = ledger.keyed(requester.ip_address, "ip") if requester.ip_address else None
    device = ledger.keyed(requester.device_id, "device") if requester.device_id else None
    db.session.add(
        CodeEvent(
            code_id=code_id,
            purpose=purpose,
            phone_index=index,
            kind=kind,
            created_at=now,
            ip_address=requester.ip_address,
            user_agent=(requester.user_agent or "")[:256] or None,
            person_key=person,
            device_hash=device,
            ip_hash=ip,
        )
    )
    ledger.append(
        f"code_{kind.value}",
        f"code:{purpose}",
        {"phone": index[:32] or None, "ip": ip, "device": device, "person": _loggable(person), "code_id": code_id},
        now=now,
    )
