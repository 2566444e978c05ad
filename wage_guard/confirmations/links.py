"""The SMS links of wage confirmations, and the code that proves the worker's phone behind them.

Only the SHA-256 of a token is stored; each text (the first one and every reminder) carries a new token, so an
old message keeps working until it expires. The code is the same service as for signing (cool-down, quotas,
lock-out) and is bound to this one confirmation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.codes import services as codes
from wage_guard.confirmations.models import ConfirmationLink, Status, WageConfirmation
from wage_guard.errors import Gone, NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger

#: How long a texted link works; afterwards the worker answers in the portal (/me).
LINK_TTL = timedelta(days=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link_url(confirmation: WageConfirmation, *, now: datetime) -> str:
    """Create a link for ``confirmation`` and return its public URL (the token appears only in the SMS)."""
    token = secrets.token_urlsafe(24)
    db.session.add(
        ConfirmationLink(confirmation=confirmation, token_hash=token_hash(token), created_at=now, expires_at=now + LINK_TTL)
    )
    return links.public_url("confirm.start", token=token)


def resolve(token: str, *, now: datetime) -> WageConfirmation:
    """The confirmation behind a live link.

    :raises NotFound: unknown token. :raises Gone: expired, or the sheet was corrected since.
    """
    link = db.session.scalar(sa.select(ConfirmationLink).where(ConfirmationLink.token_hash == token_hash(token)))
    if link is None:
        raise NotFound(_("This link is not valid. Please use the link in your latest text message."))
    if clock.as_utc(link.expires_at) <= now:
        raise Gone(_("This link has expired. You can still answer in 'My wages' with your phone number."))
    if link.confirmation.status is Status.SUPERSEDED:
        raise Gone(_("This pay slip was replaced by a corrected one. Please use the link in your latest text message."))
    return link.confirmation


def _purpose(confirmation: WageConfirmation) -> str:
    return f"wage:confirmation:{confirmation.id}"


def _person(confirmation: WageConfirmation) -> str:
    return f"worker:{confirmation.worker_id}"


def send_code(confirmation: WageConfirmation, *, now: datetime, requester: codes.Requester) -> None:
    """Text a fresh code bound to this confirmation to the worker's phone (cool-down, quotas and locks apply)."""
    codes.send_code(
        _purpose(confirmation),
        confirmation.worker.phone,
        now=now,
        requester=requester,
        person=_person(confirmation),
        sms_template="wage_code",
    )


def verify_code(confirmation: WageConfirmation, code: str, *, now: datetime, requester: codes.Requester) -> None:
    """Check the code; a code for any other purpose never matches. Logged as evidence."""
    codes.check_code(
        _purpose(confirmation), confirmation.worker.phone, code, now=now, requester=requester, person=_person(confirmation)
    )
    ledger.append(
        "wage_confirmation_code_verified",
        f"wage_confirmation:{confirmation.id}",
        {"actor": ledger.keyed(_person(confirmation), "actor")},
        now=now,
    )
