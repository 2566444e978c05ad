"""Forget operational records past their retention period, and never before (legal.md §I).

What this removes, each past the one period that covers it:

- **Text messages** (recipient phone and text, which held one-time codes and bearer links): the platform's
  network and operation logs, kept at least six months (网络安全法 Art. 21, legal.md L-61), then deleted once
  delivered or given up. The evidence log keeps a keyed hash of each message that mattered (``sms_sent``).
- **Addresses and browsers of code requests and checks** (``code_event.ip_address`` and ``user_agent``): the same
  six months, then blanked. The rows stay, with their keyed hashes, for the per-person limits that count them.

What it never touches: contracts and their documents and events (2 years after the contract ends, LCL Art. 50),
the wage ledger and confirmations (3 years, 条例 Art. 15), the roster (until the project is completed and every wage
settled, then 3 years, 条例 Art. 28), certificates (5 years after expiry, ESL Art. 24) and the evidence log.
Removing a worker's personal data once all of those have passed is ``retention.erasure``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from wage_guard.codes.models import CodeEvent
from wage_guard.extensions import db
from wage_guard.sms.models import OutboundSms, SmsStatus

#: 网络安全法 Art. 21: network logs at least six months. 183 days covers every six-month span of the calendar.
LOG_PERIOD = timedelta(days=183)


@dataclass(frozen=True)
class Purged:
    messages: int
    code_events: int


def expire_logs(*, now: datetime) -> Purged:
    """Delete finished text messages and blank code events' addresses older than ``LOG_PERIOD``."""
    cutoff = now - LOG_PERIOD
    messages = db.session.execute(
        sa.delete(OutboundSms).where(OutboundSms.created_at < cutoff, OutboundSms.status.in_([SmsStatus.SENT, SmsStatus.FAILED]))
    )
    events = db.session.execute(
        sa.update(CodeEvent)
        .where(CodeEvent.created_at < cutoff, sa.or_(CodeEvent.ip_address.is_not(None), CodeEvent.user_agent.is_not(None)))
        .values(ip_address=None, user_agent=None)
    )
    return Purged(messages=messages.rowcount or 0, code_events=events.rowcount or 0)  # type: ignore[attr-defined]
