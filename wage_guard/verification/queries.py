"""Read-only lookups behind verification: stored document versions by hash, and the documents that change a contract.

Kept apart from the rules in ``services.py`` so the page, the CLI and the coming API run the same few queries.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from wage_guard.contracts.lifecycle import NOTICES, Kind
from wage_guard.contracts.models import Contract, ContractDocument
from wage_guard.extensions import db


def documents_with_digests(digests: Collection[str]) -> list[ContractDocument]:
    """Stored document versions whose SHA-256 (hex) is one of ``digests``."""
    if not digests:
        return []
    query = sa.select(ContractDocument).where(ContractDocument.sha256.in_(sorted(digests)))
    return list(db.session.scalars(query))


def contract_by_number(number: str) -> Contract | None:
    return db.session.scalar(sa.select(Contract).where(Contract.number == number))


def signed_changes(contract: Contract) -> list[Contract]:
    """Documents that change ``contract``: signed by both parties (renewal, amendment, rescission, termination), or
    a notice sealed by the employer."""
    query = (
        sa.select(Contract)
        .where(
            Contract.parent_id == contract.id,
            sa.or_(
                Contract.worker_signed_at.is_not(None),
                sa.and_(Contract.kind.in_(NOTICES), Contract.employer_signed_at.is_not(None)),
            ),
        )
        .order_by(sa.func.coalesce(Contract.worker_signed_at, Contract.employer_signed_at), Contract.id)
    )
    return list(db.session.scalars(query))


def later_amendments(amendment: Contract) -> list[Contract]:
    """Amendments of the same contract signed after ``amendment``: the later one replaces its terms."""
    if amendment.kind is not Kind.AMENDMENT or amendment.parent_id is None or amendment.worker_signed_at is None:
        return []
    query = (
        sa.select(Contract)
        .where(
            Contract.parent_id == amendment.parent_id,
            Contract.kind == Kind.AMENDMENT,
            Contract.id != amendment.id,
            Contract.worker_signed_at.is_not(None),
            Contract.worker_signed_at > amendment.worker_signed_at,
        )
        .order_by(Contract.worker_signed_at, Contract.id)
    )
    return list(db.session.scalars(query))
