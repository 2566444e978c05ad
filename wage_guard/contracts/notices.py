"""A sealed notice reaches the worker and takes effect: delivery by SMS and portal, the ending on the effective
date (also from the daily job), and the worker's acknowledgement of receipt (签收), which is recorded, never required.

Kept apart from ``endings`` (which issues notices through the contract services) because the employer's sealing
journey calls ``served``: the imports point one way, journeys → notices → records.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from wage_guard import clock, links
from wage_guard.codes.services import Requester
from wage_guard.contracts import lifecycle
from wage_guard.contracts import records as contracts
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract
from wage_guard.errors import InvalidTransition
from wage_guard.extensions import db
from wage_guard.i18n import _


def served(notice: Contract, *, now: datetime) -> None:
    """The employer has sealed the notice: text the worker, and end the contract now if the date has come."""
    from wage_guard.sms import services as sms

    assert notice.ends_on is not None
    sms.queue_sms(
        notice.worker.phone,
        "notice_served",
        employer=notice.employer.name,
        kind=lifecycle.KIND_LABELS[notice.kind],  # lazy: in the SMS language, not the sealer's
        date=notice.ends_on.isoformat(),
        url=links.public_url("portal.start"),
    )
    contracts.record(notice, "notice_served", "system", now, effective_date=notice.ends_on.isoformat())
    _take_effect(notice, now)


def apply_due_notices(*, now: datetime) -> int:
    """End every contract whose served notice has reached its effective date; returns how many (idempotent)."""
    today = clock.china_date(now)
    query = (
        sa.select(Contract)
        .where(Contract.kind.in_(lifecycle.NOTICES), Contract.status == Status.SERVED, Contract.ends_on <= today)
        .order_by(Contract.id)
    )
    return sum(_take_effect(notice, now) for notice in db.session.scalars(query))


def _take_effect(notice: Contract, now: datetime) -> bool:
    parent = notice.parent
    assert parent is not None
    assert notice.ends_on is not None
    if notice.ends_on > clock.china_date(now) or not lifecycle.can_end(parent.status):
        return False
    effect = lifecycle.PARENT_ON_COMPLETION[notice.kind]
    assert effect is not None
    parent.status = effect
    contracts.record(parent, "status_changed", "system", now, status=effect.value, by=notice.number)
    contracts.record(notice, "notice_took_effect", "system", now, effective_date=notice.ends_on.isoformat())
    return True


def acknowledge(notice: Contract, *, now: datetime, requester: Requester) -> bool:
    """The worker confirms in the portal that they received the notice; returns False when already recorded.

    :raises InvalidTransition: for anything but a served notice.
    """
    if not notice.kind.is_notice or notice.status is not Status.SERVED:
        raise InvalidTransition(_("Only a notice the employer has sent you can be acknowledged."))
    if notice.receipt_acknowledged_at is not None:
        return False
    notice.receipt_acknowledged_at = now
    contracts.record(
        notice,
        "receipt_acknowledged",
        f"worker:{notice.worker_id}",
        now,
        ip_address=requester.ip_address,
        user_agent=requester.user_agent,
        method="portal_sms_session",
    )
    return True
