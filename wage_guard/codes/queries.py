"""Read side of the code trail: who verified codes for whom, grouped by phone, device and address.

The proxy-signing rule (R15: one phone, device or IP verifying codes for several different people) reads
:func:`shared_verifiers`, one SQL statement over ``code_event``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from wage_guard.codes.models import CodeEvent, CodeEventKind
from wage_guard.extensions import db

DIMENSIONS = {"phone": CodeEvent.phone_index, "device": CodeEvent.device_hash, "ip": CodeEvent.ip_hash}


@dataclass(frozen=True)
class SharedVerifier:
    """One phone, device or address that proved codes for ``people`` different people since the window began."""

    dimension: str
    key: str
    people: int
    checks: int
    last_at: datetime


def shared_verifiers(*, since: datetime, min_people: int = 2) -> list[SharedVerifier]:
    """Phones, devices and addresses that verified codes for at least ``min_people`` people since ``since``."""
    selects = [
        sa.select(
            sa.literal(name).label("dimension"),
            column.label("key"),
            sa.func.count(sa.distinct(CodeEvent.person_key)).label("people"),
            sa.func.count().label("checks"),
            sa.func.max(CodeEvent.created_at).label("last_at"),
        )
        .where(
            CodeEvent.kind == CodeEventKind.VERIFIED,
            CodeEvent.created_at >= since,
            CodeEvent.person_key.is_not(None),
            column.is_not(None),
            column != "",
        )
        .group_by(column)
        .having(sa.func.count(sa.distinct(CodeEvent.person_key)) >= min_people)
        for name, column in DIMENSIONS.items()
    ]
    rows = db.session.execute(sa.union_all(*selects))
    return [SharedVerifier(r.dimension, r.key, r.people, r.checks, r.last_at) for r in rows]
