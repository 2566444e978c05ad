"""The flag workflow: an inspector acknowledges a risk flag, investigates it, and resolves or dismisses it, each
step with a note, on one flag or a selection; and assigns flags to an inspector of the county.

All-or-nothing: every flag of a selection is checked before any changes, and a refusal names the flag. Resolving
a flag whose condition the engine still sees (``Finding.status`` open) needs a reason as well as the note. Every
step is a row of the flag's history and an evidence-log entry (the note's SHA-256, not its text: notes may name
people). The engine's own status (open while the condition holds) is never touched here.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from wage_guard.accounts.models import Role, User
from wage_guard.errors import NotFound, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _, _l
from wage_guard.inspector.models import FlagAction, FlagAssignment
from wage_guard.ledger import services as ledger
from wage_guard.organisations import services as organisations
from wage_guard.organisations.codes import scope_prefix
from wage_guard.risk.models import Finding, FindingStatus


class Action(enum.StrEnum):
    ACKNOWLEDGE = "acknowledge"
    INVESTIGATE = "investigate"
    RESOLVE = "resolve"
    DISMISS = "dismiss"
    ASSIGN = "assign"


OPEN, ACKNOWLEDGED, INVESTIGATING, RESOLVED, DISMISSED = "open", "acknowledged", "investigating", "resolved", "dismissed"
#: Per action: the workflow states it may start from, and the state it leads to (None: unchanged).
STEPS: dict[Action, tuple[frozenset[str], str | None]] = {
    Action.ACKNOWLEDGE: (frozenset({OPEN}), ACKNOWLEDGED),
    Action.INVESTIGATE: (frozenset({OPEN, ACKNOWLEDGED}), INVESTIGATING),
    Action.RESOLVE: (frozenset({OPEN, ACKNOWLEDGED, INVESTIGATING}), RESOLVED),
    Action.DISMISS: (frozenset({OPEN, ACKNOWLEDGED, INVESTIGATING}), DISMISSED),
    Action.ASSIGN: (frozenset({OPEN, ACKNOWLEDGED, INVESTIGATING}), None),
}
NOTE_LIMIT = 2000
SEVERITY_LABELS = {"red": _l("Red"), "orange": _l("Orange"), "yellow": _l("Yellow")}
WORKFLOW_LABELS = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "investigating": _l("Investigating"),
    "resolved": _l("Resolved"),
    "dismissed": _l("Dismissed"),
}


def findings_in_scope(user: User) -> sa.Select[Any]:
    """The flags ``user`` may see: an inspector's own area (county, city or province), everything for admins."""
    query = sa.select(Finding)
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.INSPECTOR and user.area_code:
        return query.where(Finding.county_code.startswith(scope_prefix(user.area_code)))
    return query.where(sa.false())


def get_flag(user: User, finding_id: int) -> Finding:
    """:raises NotFound: no such flag in the user's area (no existence leak)."""
    finding = db.session.scalar(findings_in_scope(user).where(Finding.id == finding_id))
    if finding is None:
        raise NotFound(_("This flag does not exist or is not in your area."))
    return finding


def act(
    user: User,
    finding_ids: list[int],
    action: Action,
    *,
    note: str,
    reason: str = "",
    assignee_id: int | None = None,
    now: datetime,
) -> list[Finding]:
    """Take ``action`` on every flag of the selection, or on none.

    :raises NotFound: a flag outside the user's area. :raises ValidationFailed: naming the field or the flag.
    """
    note, reason = " ".join(note.split()), " ".join(reason.split())
    if not 2 <= len(note) <= NOTE_LIMIT:
        raise ValidationFailed(_("Write a note of a few words (at most 2,000 characters)."), field="note")
    if not finding_ids:
        raise ValidationFailed(_("Choose at least one flag."), field="finding_ids")
    findings = [get_flag(user, finding_id) for finding_id in dict.fromkeys(finding_ids)]
    assignee = _assignee(assignee_id, findings) if action is Action.ASSIGN else None
    for finding in findings:
        _check(finding, action, reason)
    for finding in findings:
        _apply(user, finding, action, note, reason, assignee, now)
    return findings


def _check(finding: Finding, action: Action, reason: str) -> None:
    allowed, _target = STEPS[action]
    if finding.workflow_status not in allowed:
        raise ValidationFailed(
            _(
                "Flag %(id)d is %(status)s: it cannot be changed that way.",
                id=finding.id,
                status=str(WORKFLOW_LABELS[finding.workflow_status]).lower(),
            )
        )
    holds = finding.status is FindingStatus.OPEN
    if action is Action.RESOLVE and holds and not 2 <= len(reason) <= NOTE_LIMIT:
        raise ValidationFailed(
            _("Flag %(id)d still holds on the latest data: say why it is resolved anyway.", id=finding.id), field="reason"
        )


def _assignee(assignee_id: int | None, findings: list[Finding]) -> User:
    assignee = db.session.get(User, assignee_id) if assignee_id else None
    if assignee is None or assignee.role is not Role.INSPECTOR or not assignee.is_enabled or not assignee.area_code:
        raise ValidationFailed(_("Choose an inspector to assign the flags to."), field="assignee_id")
    prefix = scope_prefix(assignee.area_code)
    if any(not f.county_code.startswith(prefix) for f in findings):
        raise ValidationFailed(_("That inspector does not cover the county of every chosen flag."), field="assignee_id")
    return assignee


def _apply(user: User, finding: Finding, action: Action, note: str, reason: str, assignee: User | None, now: datetime) -> None:
    before = finding.workflow_status
    target = STEPS[action][1] or before
    finding.workflow_status = target
    if assignee is not None:
        db.session.merge(FlagAssignment(finding_id=finding.id, assignee_id=assignee.id, assigned_at=now))
    evidence = {
        "actor": ledger.keyed(f"staff:{user.id}", "actor"),
        "action": action.value,
        "from": before,
        "to": target,
        "note_sha256": hashlib.sha256(note.encode()).hexdigest(),
        "reason_sha256": hashlib.sha256(reason.encode()).hexdigest() if reason else None,
        "condition_holds": finding.status is FindingStatus.OPEN,
        "assignee": ledger.keyed(f"staff:{assignee.id}", "actor") if assignee else None,
    }
    queued = ledger.append(f"flag_{action.value}", f"finding:{finding.id}", evidence, now=now)
    db.session.add(
        FlagAction(
            finding_id=finding.id,
            at=now,
            actor_id=user.id,
            action=action.value,
            from_status=before,
            to_status=target,
            note=note,
            reason=reason or None,
            assignee_id=assignee.id if assignee else None,
            ledger_entry_id=queued.entry_id,
        )
    )


def inspectors_for(user: User) -> list[User]:
    """Inspectors a flag may be assigned to: enabled inspectors whose area overlaps the user's counties."""
    counties = {c.code for c in organisations.counties_in_scope(user)}
    query = sa.select(User).where(User.role == Role.INSPECTOR, User.is_enabled.is_(True), User.area_code.is_not(None))
    return [u for u in db.session.scalars(query.order_by(User.id)) if _covers_any(u, counties)]


def _covers_any(inspector: User, counties: set[str]) -> bool:
    prefix = scope_prefix(inspector.area_code or "")
    return any(code.startswith(prefix) for code in counties)
