"""Issue and check one-time SMS codes: 6 digits, keyed hash only, 5 minutes, 5 tries, 60 s cool-down.

Every send and every check leaves a :class:`CodeEvent` (time, purpose, address, device; never the code)
and refusals are :class:`RecordedFailure` so the boundary commits the counters instead of rolling back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from wage_guard import clock
from wage_guard.codes.models import CodeEvent, CodeEventKind, VerificationCode
from wage_guard.errors import RecordedFailure
from wage_guard.extensions import db
from wage_guard.fieldcrypt import blind_index
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger
from wage_guard.sms import services as sms


@dataclass(frozen=True)
class Requester:
    """Where a request came from, for the audit trail."""

    ip_address: str | None = None
    user_agent: str | None = None


def phone_index(phone: str) -> str:
    """Blind index of an E.164 phone number (shared by codes, workers and rate limits)."""
    return blind_index(phone, "phone")


def send_code(
    purpose: str, phone: str, *, now: datetime, requester: Requester, sms_template: str = "code", **sms_context: object
) -> VerificationCode:
    """Create a fresh code for ``purpose`` and queue it by SMS to ``phone``.

    :raises RecordedFailure: (429) inside the resend cool-down of this phone.
    """
    index = phone_index(phone)
    last = db.session.scalar(
        sa.select(VerificationCode).where(VerificationCode.phone_index == index).order_by(VerificationCode.id.desc()).limit(1)
    )
    cooldown = current_app.config["CODE_RESEND_COOLDOWN"]
    if last is not None and now - clock.as_utc(last.created_at) < cooldown:
        wait = int((cooldown - (now - clock.as_utc(last.created_at))).total_seconds()) + 1
        _record(None, purpose, index, CodeEventKind.COOLDOWN, now, requester)
        raise RecordedFailure(
            _("A code was sent less than a minute ago. Please wait %(s)d seconds before asking again.", s=wait), status=429
        )
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    row = VerificationCode(
        purpose=purpose,
        phone_index=index,
        salt=salt,
        code_hash=_hash(code, salt),
        created_at=now,
        expires_at=now + current_app.config["CODE_TTL"],
    )
    db.session.add(row)
    db.session.flush()
    _record(row.id, purpose, index, CodeEventKind.SENT, now, requester)
    minutes = int(current_app.config["CODE_TTL"].total_seconds() // 60)
    sms.queue_sms(phone, sms_template, secret=True, code=code, minutes=minutes, **sms_context)
    return row


def check_code(purpose: str, phone: str, code: str, *, now: datetime, requester: Requester) -> VerificationCode:
    """Accept ``code`` if it is the latest live code for this purpose and phone, and consume it.

    :raises RecordedFailure: naming why: no code, locked, expired, or wrong (with tries left).
    """
    index = phone_index(phone)
    row = db.session.scalar(
        sa.select(VerificationCode)
        .where(VerificationCode.purpose == purpose, VerificationCode.phone_index == index, VerificationCode.consumed_at.is_(None))
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )
    if row is None:
        _record(None, purpose, index, CodeEventKind.NO_CODE, now, requester)
        raise RecordedFailure(_("There is no code waiting for this phone. Please ask for a new code."), field="code")
    if row.locked_at is not None:
        _record(row.id, purpose, index, CodeEventKind.LOCKED, now, requester)
        raise RecordedFailure(
            _("This code is locked after too many wrong tries. Please ask for a new code."), status=429, field="code"
        )
    if now >= clock.as_utc(row.expires_at):
        _record(row.id, purpose, index, CodeEventKind.EXPIRED, now, requester)
        raise RecordedFailure(
            _("This code has expired (codes are valid for 5 minutes). Please ask for a new code."), status=410, field="code"
        )
    if not hmac.compare_digest(row.code_hash, _hash(_normalise(code), row.salt)):
        return _refuse_wrong(row, now, requester)
    row.consumed_at = now
    _record(row.id, purpose, index, CodeEventKind.VERIFIED, now, requester)
    return row


def _refuse_wrong(row: VerificationCode, now: datetime, requester: Requester) -> VerificationCode:
    row.failed_attempts += 1
    left = current_app.config["CODE_MAX_ATTEMPTS"] - row.failed_attempts
    if left <= 0:
        row.locked_at = now
        _record(row.id, row.purpose, row.phone_index, CodeEventKind.LOCKED, now, requester)
        raise RecordedFailure(
            _("Wrong code, and that was the last try: the code is now locked. Please ask for a new code."),
            status=429,
            field="code",
        )
    _record(row.id, row.purpose, row.phone_index, CodeEventKind.WRONG, now, requester)
    raise RecordedFailure(_("Wrong code. You have %(n)d tries left.", n=left), field="code")


def _normalise(code: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff19" else c for c in (code or "").strip())


def _hash(code: str, salt: str) -> str:
    key = base64.b64decode(current_app.config["CODE_HASH_KEY"])
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _record(code_id: int | None, purpose: str, index: str, kind: CodeEventKind, now: datetime, requester: Requester) -> None:
    db.session.add(
        CodeEvent(
            code_id=code_id,
            purpose=purpose,
            phone_index=index,
            kind=kind,
            created_at=now,
            ip_address=requester.ip_address,
            user_agent=(requester.user_agent or "")[:256] or None,
        )
    )
    ip = ledger.keyed(requester.ip_address, "ip") if requester.ip_address else None
    ledger.append(f"code_{kind.value}", f"code:{purpose}", {"phone": index[:32], "ip": ip, "code_id": code_id}, now=now)
