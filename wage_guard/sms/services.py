"""Queue text messages inside the business transaction and deliver them after commit, with retries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from wage_guard import boundary, clock
from wage_guard.extensions import db
from wage_guard.settings import settings
from wage_guard.sms.backends import SmsDeliveryError, get_backend
from wage_guard.sms.models import OutboundSms, SmsStatus

#: Messages go out in Chinese whatever language the staff member's screen is in.
SMS_LOCALE = "zh_Hans_CN"


def queue_sms(recipient: str, template: str, *, secret: bool = False, **context: object) -> OutboundSms:
    """Render ``templates/sms/<template>.txt`` and queue it; delivery is attempted right after commit."""
    message = _queue(recipient, template, secret, context)
    message_id = message.id
    boundary.after_commit(lambda: deliver([message_id], now=clock.utcnow()))
    return message


def queue_for_scheduler(recipient: str, template: str, **context: object) -> OutboundSms:
    """Queue a notice for the scheduler's next delivery run (within ``SCHEDULER_SMS_INTERVAL_SECONDS``), not now.

    For notices whose sending must not make the request that caused them any slower: an observer who can time
    the request could otherwise tell that a message went out (for example, that a username exists).
    """
    return _queue(recipient, template, False, context)


def _queue(recipient: str, template: str, secret: bool, context: dict[str, object]) -> OutboundSms:
    with force_locale(SMS_LOCALE):
        body = render_template(f"sms/{template}.txt", **context).strip()
    message = OutboundSms(recipient=recipient, template=template, body=body, is_secret=secret)
    db.session.add(message)
    db.session.flush()
    return message


def deliver(message_ids: list[int], *, now: datetime) -> int:
    """Try to deliver the given queued messages now; returns how many were sent."""
    query = sa.select(OutboundSms).where(OutboundSms.id.in_(message_ids), OutboundSms.status == SmsStatus.QUEUED)
    return _deliver_all(db.session.scalars(query).all(), now)


def deliver_pending(*, now: datetime, limit: int = 100) -> int:
    """Deliver queued messages whose next attempt is due (the scheduler's job); returns how many were sent."""
    query = (
        sa.select(OutboundSms)
        .where(OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at <= now)
        .order_by(OutboundSms.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _deliver_all(db.session.scalars(query).all(), now)


def retry_delay(attempts: int) -> timedelta:
    """Back off exponentially: 30 s, 1 min, 2 min, 4 min ... capped at 1 hour."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def recent_messages(limit: int = 50) -> list[OutboundSms]:
    """Return the newest messages, for the demo outbox page."""
    return list(db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id.desc()).limit(limit)))


def _deliver_all(messages: Sequence[OutboundSms], now: datetime) -> int:
    backend = get_backend(current_app._get_current_object())  # type: ignore[attr-defined]
    sent = 0
    for message in messages:
        message.attempts += 1
        try:
            message.provider_id = backend.send(message.id, message.recipient, message.body or "")
        except SmsDeliveryError as exc:
            message.last_error = exc.reason[:256]
            if exc.permanent or message.attempts >= settings().sms_max_attempts:
                message.status = SmsStatus.FAILED
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
            continue
        message.status = SmsStatus.SENT
        message.sent_at = now
        if message.is_secret and not backend.is_outbox_only:
            message.body = None
        sent += 1
    db.session.flush()
    return sent
