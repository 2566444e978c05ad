"""The SMS outbox: every message is a row written in the business transaction and delivered after commit."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString


class SmsStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboundSms(db.Model):  # type: ignore[name-defined,misc]
    """One text message and its delivery state."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Recipient in E.164; encrypted at rest.
    recipient: Mapped[str] = mapped_column(EncryptedString("sms.recipient"))
    #: Name of the template under ``templates/sms/`` (kept when the body is redacted).
    template: Mapped[str] = mapped_column(sa.String(64))
    #: Rendered text; encrypted, and erased after delivery when it held a one-time code.
    body: Mapped[str | None] = mapped_column(EncryptedString("sms.body"))
    #: The body carries a secret (a verification code) and must not outlive delivery.
    is_secret: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SmsStatus] = mapped_column(
        sa.Enum(SmsStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=SmsStatus.QUEUED,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    #: The provider's message id (Twilio SID), or ``console-<id>``.
    provider_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: The last delivery error, without personal data.
    last_error: Mapped[str | None] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboundSms {self.id} {self.template} {self.status}>"
