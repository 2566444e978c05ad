"""The contract's own writes that every journey shares: a new document version, a step on its trail (and in the
evidence log), and a lifecycle transition.

Kept apart from ``services`` so the signing journeys and the notices can record steps without importing the
issuing services, which themselves start the journeys: the imports point one way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from wage_guard.contracts import lifecycle
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import Contract, ContractDocument, ContractEvent
from wage_guard.documents.store import document_store
from wage_guard.errors import InvalidTransition
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import services as ledger


def add_document(contract: Contract, stage: str, pdf: bytes, now: datetime) -> ContractDocument:
    version = len(contract.documents) + 1
    key = document_store().put(pdf)  # before the row: a rolled-back version leaves only an unreferenced file
    document = ContractDocument(contract=contract, version=version, stage=stage, sha256=key, created_at=now)
    db.session.add(document)
    db.session.flush()
    return document


def record(
    contract: Contract,
    kind: str,
    actor: str,
    now: datetime,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
    **details: object,
) -> None:
    """Add a step to the contract's trail and to the evidence log (never personal data in ``details``)."""
    payload: dict[str, Any] = details.pop("details", None) or details  # type: ignore[assignment]
    ledger.append(kind, f"contract:{contract.number}", _evidence(actor, ip_address, user_agent, payload), now=now)
    db.session.add(
        ContractEvent(
            contract=contract,
            kind=kind,
            actor=actor,
            at=now,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:256] or None,
            details=payload,
        )
    )


def transition(contract: Contract, event: lifecycle.Event, *, now: datetime) -> None:
    """Apply a lifecycle event, and on completion its effect on the contract it changes (logged on that one)."""
    try:
        contract.status = lifecycle.next_status(contract.kind, contract.status, event)
    except lifecycle.TransitionRefused as exc:
        raise InvalidTransition(
            _("This contract can no longer be changed: it is %(status)s.", status=contract.status.label)
        ) from exc
    effect = lifecycle.PARENT_ON_COMPLETION[contract.kind]
    if contract.status in (Status.IN_FORCE, Status.COMPLETED) and contract.parent is not None and effect is not None:
        contract.parent.status = effect
        record(contract.parent, "status_changed", "system", now, status=effect.value, by=contract.number)


def record_many(
    contracts: list[Contract],
    kind: str,
    actor: str,
    now: datetime,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
    **details: object,
) -> None:
    """``record`` for every contract of a batch (a sealing link's code covers hundreds), in two statements."""
    if not contracts:
        return
    evidence = _evidence(actor, ip_address, user_agent, details)
    ledger.append_many([(kind, f"contract:{c.number}", evidence) for c in contracts], now=now)
    agent = (user_agent or "")[:256] or None
    rows = [
        {
            "contract_id": c.id,
            "kind": kind,
            "actor": actor,
            "at": now,
            "ip_address": ip_address,
            "user_agent": agent,
            "details": details,
        }
        for c in contracts
    ]
    db.session.execute(sa.insert(ContractEvent), rows)


def _evidence(actor: str, ip_address: str | None, user_agent: str | None, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "actor": ledger.keyed(actor, "actor"),
        "ip": ledger.keyed(ip_address, "ip") if ip_address else None,
        "device": ledger.keyed(user_agent, "device") if user_agent else None,
        **payload,
    }
