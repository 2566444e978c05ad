"""Write a rule's results into the findings: open new ones, reopen recurrences, close what cleared.

Why here and not in each rule: idempotency and the audit trail are the same for every rule. A finding is found
by (rule, subject, period); only a change of state is a transition, with a history row and an evidence-log
entry; unchanged results write nothing, so a second run on the same data adds no rows and no log entries.
Evidence that changed while the finding stayed open (an exposure that grew by a day) is updated in place, and
so is the amount owed that the roll-up sums (the shortfall of an R03, R05 or R06 violation).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
from wage_guard.risk.models import Finding, FindingEvent, FindingStatus, Outcome, Transition
from wage_guard.risk.rule import Result, Rule, Scope

#: The rules whose violations say how much the worker was not paid (``evidence["shortfall"]``).
OWED_RULES = frozenset({"R03", "R05", "R06"})


def reconcile(rule: Rule, results: list[Result], scope: Scope) -> Counter[str]:
    """Bring the rule's findings in ``scope`` in line with ``results``; returns counts of the transitions."""
    query = scope.where(sa.select(Finding).where(Finding.rule_code == rule.code), Finding.county_code, Finding.project_id)
    existing = {(f.subject, f.period): f for f in db.session.scalars(query)}
    counts: Counter[str] = Counter()
    seen = set()
    pending: list[Pending] = []
    for result in results:
        key = (result.subject, result.period)
        if key in seen:
            continue
        seen.add(key)
        counts[_apply(rule, existing.get(key), result, scope.now, pending)] += 1
    for key, finding in existing.items():
        if key not in seen and finding.status is FindingStatus.OPEN:
            pending.append(Pending(finding, Transition.CLOSED, "condition_cleared", {}))
            finding.status, finding.closed_at, finding.notified_at = FindingStatus.CLOSED, scope.now, None
            counts["closed"] += 1
    db.session.flush()  # new findings get their ids, which the log entries name
    _log(pending, scope.now)
    counts.pop("unchanged", None)
    return counts


@dataclass(frozen=True)
class Pending:
    """A transition waiting for its history row and log entry (written together for the whole rule)."""

    finding: Finding
    kind: Transition
    reason: str
    details: dict[str, Any]


def _apply(rule: Rule, finding: Finding | None, result: Result, now: datetime, pending: list[Pending]) -> str:
    if finding is None:
        finding = Finding(
            rule_code=rule.code,
            subject=result.subject,
            period=result.period,
            status=FindingStatus.OPEN,
            first_opened_at=now,
            opened_at=now,
        )
        _copy(finding, result)
        db.session.add(finding)
        pending.append(Pending(finding, Transition.OPENED, "first_detected", {}))
        return "opened"
    before = (finding.outcome, finding.severity)
    _copy(finding, result)
    if finding.status is FindingStatus.CLOSED:
        finding.status, finding.opened_at, finding.closed_at = FindingStatus.OPEN, now, None
        pending.append(Pending(finding, Transition.REOPENED, "condition_recurred", {"summary": _summary(result.evidence)}))
        return "reopened"
    if before != (finding.outcome, finding.severity):
        reason = "outcome_changed" if before[0] != finding.outcome else "severity_changed"
        details = {"from_outcome": before[0].value, "from_severity": before[1].value if before[1] else None}
        pending.append(Pending(finding, Transition.CHANGED, reason, details))
        return "changed"
    return "unchanged"


def _copy(finding: Finding, result: Result) -> None:
    """Set what the latest evaluation says; attribute assignment of equal values leaves the row clean."""
    for name in ("county_code", "project_id", "worker_id", "outcome", "severity"):
        if getattr(finding, name) != getattr(result, name):
            setattr(finding, name, getattr(result, name))
    if finding.evidence != result.evidence:
        finding.evidence = result.evidence
    owed = amount_owed(finding.rule_code, result)
    if finding.amount_owed != owed:
        finding.amount_owed = owed


def amount_owed(rule_code: str, result: Result) -> Decimal | None:
    """The shortfall of an R03, R05 or R06 violation (the estimated amount owed); None for anything else."""
    shortfall = result.evidence.get("shortfall")
    if rule_code not in OWED_RULES or result.outcome is not Outcome.VIOLATION or shortfall is None:
        return None
    return Decimal(shortfall)


def _summary(evidence: dict[str, Any]) -> dict[str, Any]:
    """The figures that say why a finding reopened (the evidence's expected and actual, and the dates used)."""
    keys = ("expected", "actual", "uncovered_from", "end_date", "start_date", "problems", "inconclusive_because")
    return {k: evidence[k] for k in keys if k in evidence}


def _log(pending: list[Pending], now: datetime) -> None:
    """History rows and their evidence-log entries (ids, codes and figures only: no names, ID or phone numbers),
    in the order the transitions happened."""
    items = [(f"risk_finding_{p.kind.value}", f"risk_finding:{p.finding.id}", _payload(p)) for p in pending]
    entries = ledger.append_many(items, now=now)
    db.session.add_all(
        FindingEvent(
            finding_id=p.finding.id,
            kind=p.kind,
            at=now,
            reason=p.reason,
            outcome=p.finding.outcome,
            severity=p.finding.severity,
            details=p.details,
            ledger_entry_id=entry.entry_id,
        )
        for p, entry in zip(pending, entries, strict=True)
    )


def _payload(p: Pending) -> dict[str, Any]:
    finding = p.finding
    return {
        "rule": finding.rule_code,
        "subject": finding.subject,
        "period": finding.period,
        "project": finding.project_id,
        "county": finding.county_code,
        "outcome": finding.outcome.value,
        "severity": finding.severity.value if finding.severity else None,
        "reason": p.reason,
        **p.details,
    }
