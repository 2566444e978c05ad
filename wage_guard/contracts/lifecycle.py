"""The contract state machine: which event moves a contract (and its parent) to which status.

Pure data and functions, no database: services ask ``next_status`` before changing anything, and the tests
walk every pair. A change to a contract in force (renew, amend, rescind, terminate) is itself a signed
document of its own kind, linked to the original; only its completion affects the original.

Two kinds are one-sided notices the law lets the employer serve without the worker's signature (劳动合同法
Art. 36-44): a termination notice (终止劳动合同通知书) and a notice of rescission (解除劳动合同通知书). The employer's
seal serves them; they end the original on their effective date, whether or not the worker acknowledges receipt.
A fixed-term contract whose end date has passed leaves "in force" for "expired" (Art. 44(1)); it can then only be
renewed or ended.
"""

from __future__ import annotations

import enum

from wage_guard.i18n import _l


class Kind(enum.StrEnum):
    ORIGINAL = "original"
    RENEWAL = "renewal"
    AMENDMENT = "amendment"
    RESCISSION = "rescission"
    TERMINATION = "termination"
    #: One-sided notices, sealed by the employer only (Art. 44(1); Art. 39-41).
    TERMINATION_NOTICE = "termination_notice"
    RESCISSION_NOTICE = "rescission_notice"

    @property
    def is_notice(self) -> bool:
        return self in NOTICES

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


class Status(enum.StrEnum):
    AWAITING_EMPLOYER = "awaiting_employer"
    AWAITING_WORKER = "awaiting_worker"
    #: An original or renewal signed by both parties, currently binding.
    IN_FORCE = "in_force"
    #: A signed amendment, rescission or termination document.
    COMPLETED = "completed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    RENEWED = "renewed"
    RESCINDED = "rescinded"
    TERMINATED = "terminated"
    #: A fixed-term contract past its end date, neither renewed nor ended (Art. 44(1)).
    EXPIRED = "expired"
    #: A notice sealed by the employer and sent to the worker; it ends the original on its effective date.
    SERVED = "served"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


class Event(enum.StrEnum):
    EMPLOYER_SEALED = "employer_sealed"
    WORKER_SIGNED = "worker_signed"
    WORKER_REFUSED = "worker_refused"
    WITHDRAWN = "withdrawn"
    #: The end date of a fixed term has passed (the expiry job).
    TERM_ENDED = "term_ended"


NOTICES = frozenset({Kind.TERMINATION_NOTICE, Kind.RESCISSION_NOTICE})
KIND_LABELS = {
    Kind.ORIGINAL: _l("Labour contract"),
    Kind.RENEWAL: _l("Renewal"),
    Kind.AMENDMENT: _l("Amendment"),
    Kind.RESCISSION: _l("Rescission agreement"),
    Kind.TERMINATION: _l("Termination confirmation"),
    Kind.TERMINATION_NOTICE: _l("Termination notice"),
    Kind.RESCISSION_NOTICE: _l("Notice of rescission"),
}
STATUS_LABELS = {
    Status.AWAITING_EMPLOYER: _l("Waiting for the employer's seal"),
    Status.AWAITING_WORKER: _l("Waiting for the worker's signature"),
    Status.IN_FORCE: _l("In force"),
    Status.COMPLETED: _l("Signed"),
    Status.REFUSED: _l("Refused by the worker"),
    Status.WITHDRAWN: _l("Withdrawn"),
    Status.RENEWED: _l("Renewed"),
    Status.RESCINDED: _l("Rescinded"),
    Status.TERMINATED: _l("Terminated"),
    Status.EXPIRED: _l("Expired"),
    Status.SERVED: _l("Sealed and sent to the worker"),
}

#: Open states: the document is still being signed.
OPEN = frozenset({Status.AWAITING_EMPLOYER, Status.AWAITING_WORKER})
_TRANSITIONS: dict[tuple[Status, Event], Status | None] = {
    # None: the target depends on the kind (see _sealed_status and _completed_status).
    (Status.AWAITING_EMPLOYER, Event.EMPLOYER_SEALED): None,
    (Status.AWAITING_EMPLOYER, Event.WITHDRAWN): Status.WITHDRAWN,
    (Status.AWAITING_WORKER, Event.WORKER_SIGNED): None,
    (Status.AWAITING_WORKER, Event.WORKER_REFUSED): Status.REFUSED,
    (Status.AWAITING_WORKER, Event.WITHDRAWN): Status.WITHDRAWN,
    (Status.IN_FORCE, Event.TERM_ENDED): Status.EXPIRED,
}
#: What the completion of a change document does to the contract it changes.
PARENT_ON_COMPLETION: dict[Kind, Status | None] = {
    Kind.ORIGINAL: None,
    Kind.RENEWAL: Status.RENEWED,
    Kind.AMENDMENT: None,
    Kind.RESCISSION: Status.RESCINDED,
    Kind.TERMINATION: Status.TERMINATED,
    Kind.TERMINATION_NOTICE: Status.TERMINATED,
    Kind.RESCISSION_NOTICE: Status.RESCINDED,
}
#: What may change a contract in each status: everything while in force; once expired, only renewing or ending it.
CHANGEABLE: dict[Status, frozenset[Kind]] = {
    Status.IN_FORCE: frozenset(Kind) - {Kind.ORIGINAL},
    Status.EXPIRED: frozenset(Kind) - {Kind.ORIGINAL, Kind.AMENDMENT},
}


class TransitionRefused(ValueError):
    """The event is not allowed in the contract's current status."""


def next_status(kind: Kind, status: Status, event: Event) -> Status:
    """Return the status after ``event``.

    :raises TransitionRefused: when the event does not apply in ``status``.
    """
    if (status, event) not in _TRANSITIONS:
        raise TransitionRefused(f"{event.value} is not allowed when the contract is {status.value}")
    target = _TRANSITIONS[(status, event)]
    if target is not None:
        return target
    return _sealed_status(kind) if event is Event.EMPLOYER_SEALED else _completed_status(kind)


def _sealed_status(kind: Kind) -> Status:
    """A notice is complete with the employer's seal; every other document goes on to the worker."""
    return Status.SERVED if kind in NOTICES else Status.AWAITING_WORKER


def _completed_status(kind: Kind) -> Status:
    return Status.IN_FORCE if kind in (Kind.ORIGINAL, Kind.RENEWAL) else Status.COMPLETED


def can_change(parent_status: Status, kind: Kind) -> bool:
    """A contract in force can be renewed, amended, rescinded or terminated; an expired one only renewed or ended."""
    return kind in CHANGEABLE.get(parent_status, frozenset())


def can_end(parent_status: Status) -> bool:
    """Whether a served notice may still end the contract on its effective date."""
    return parent_status in CHANGEABLE


def allowed_events(status: Status) -> set[Event]:
    return {event for (state, event) in _TRANSITIONS if state is status}


#: How the evidence trail names each step.
EVENT_LABELS = {
    "issued": _l("Issued"),
    "code_sent": _l("Code sent by SMS"),
    "code_verified": _l("Code confirmed"),
    "notice_acknowledged": _l("Notice acknowledged"),
    "employer_sealed": _l("Company seal applied"),
    "worker_signed": _l("Signed by the worker"),
    "refused": _l("Refused by the worker"),
    "withdrawn": _l("Withdrawn"),
    "notice_shown": _l("Notice shown"),
    "pages_shown": _l("Contract pages shown"),
    "completion_sms_queued": _l("Completion message sent"),
    "downloaded": _l("Downloaded"),
    "evidence_exported": _l("Evidence package exported"),
    "status_changed": _l("Status changed by a later document"),
    "expired": _l("Fixed term ended (expired)"),
    "expiry_reminder_sent": _l("Foreman reminded of the end of the term"),
    "notice_served": _l("Notice sent to the worker"),
    "receipt_acknowledged": _l("Receipt acknowledged by the worker"),
    "notice_took_effect": _l("Ended by the notice on its effective date"),
}
