"""What a served notice means for the contract it ends, readable by every contracts module without the services.

The services (changing a contract, rendering a document), the endings service, the expiry job and the foreman's
pages all ask the same questions: is a notice already ending this contract, and what does a stored notice print?
Answering them here, from the models and the pure rules only, keeps those modules free of import cycles.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from wage_guard.contracts import lifecycle, severance
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.contracts.terms import ContractTerms
from wage_guard.errors import Conflict
from wage_guard.extensions import db
from wage_guard.i18n import _

if TYPE_CHECKING:
    from wage_guard.documents.notices import NoticeFacts


def pending_notice(contract: Contract) -> Contract | None:
    """The served notice that will end ``contract``, if it has not taken effect yet."""
    if not lifecycle.can_end(contract.status):
        return None
    query = sa.select(Contract).where(
        Contract.parent_id == contract.id, Contract.kind.in_(lifecycle.NOTICES), Contract.status == Status.SERVED
    )
    return db.session.scalar(query.order_by(Contract.id).limit(1))


def require_no_pending_change(contract: Contract, kind: Kind) -> None:
    """:raises Conflict: while a change is being signed, or a served notice already ends the contract (it stays in
    force until then, so it may still be amended, but not renewed or ended twice)."""
    open_child = sa.select(Contract.id).where(Contract.parent_id == contract.id, Contract.status.in_(lifecycle.OPEN))
    if db.session.scalar(open_child.limit(1)) is not None:
        raise Conflict(_("A change to this contract is already being signed."))
    notice = pending_notice(contract)
    if notice is not None and kind is not Kind.AMENDMENT:
        raise Conflict(_("Notice %(number)s already ends this contract on %(date)s.", number=notice.number, date=notice.ends_on))


def severance_months(notice: Contract) -> Decimal | None:
    """The months of wage the notice says are owed, or None where none is due."""
    value = (notice.ending_details or {}).get("severance_months")
    return Decimal(value) if value else None


def notice_facts(notice: Contract, terms: ContractTerms) -> NoticeFacts:
    """What the notice's PDF prints, from the stored notice."""
    from wage_guard.documents.notices import NoticeFacts

    details = notice.ending_details or {}
    assert notice.parent is not None
    assert notice.ending_ground is not None
    assert notice.ends_on is not None
    return NoticeFacts(
        kind=notice.kind.value,  # type: ignore[arg-type]
        terms=terms,
        number=notice.number,
        original_number=notice.parent.number,
        ground=severance.GROUNDS[notice.ending_ground],
        reason=notice.ending_reason or "",
        effective_date=notice.ends_on,
        issued_on=date.fromisoformat(details["issued_on"]),
        severance_months=severance_months(notice),
        pay_in_lieu=bool(details.get("pay_in_lieu")),
        renewal_refused=bool(details.get("renewal_refused")),
        arrangements=notice.arrangements or "",
        service_from=date.fromisoformat(details["service_from"]) if details.get("service_from") else None,
    )
