"""The contract state machine: which event moves a contract (and its parent) to which status.

Pure data and functions, no database: services ask ``next_status`` before changing anything, and the tests
walk every pair. A change to a contract in force (renew, amend, rescind, terminate) is itself a signed
document of its own kind, linked to the original; only its completion affects the original.
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

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


class Event(enum.StrEnum):
    EMPLOYER_SEALED = "employer_sealed"
    WORKER_SIGNED = "worker_signed"
    WORKER_REFUSED = "worker_refused"
    WITHDRAWN = "withdrawn"


KIND_LABELS = {
    Kind.ORIGINAL: _l("Labour contract"),
    Kind.RENEWAL: _l("Renewal"),
    Kind.AMENDMENT: _l("Amendment"),
    Kind.RESCISSION: _l("Rescission agreement"),
    Kind.TERMINATION: _l("Termination notice"),
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
}

#: Open states: the document is still being signed.
OPEN = frozenset({Status.AWAITING_EMPLOYER, Status.AWAITING_WORKER})
_TRANSITIONS: dict[tuple[Status, Event], Status | None] = {
    (Status.AWAITING_EMPLOYER, Event.EMPLOYER_SEALED): Status.AWAITING_WORKER,
    (Status.AWAITING_EMPLOYER, Event.WITHDRAWN): Status.WITHDRAWN,
    # None: the target depends on the kind (see _completed_status).
    (Status.AWAITING_WORKER, Event.WORKER_SIGNED): None,
    (Status.AWAITING_WORKER, Event.WORKER_REFUSED): Status.REFUSED,
    (Status.AWAITING_WORKER, Event.WITHDRAWN): Status.WITHDRAWN,
}
#: What the completion of a change document does to the contract it changes.
PARENT_ON_COMPLETION: dict[Kind, Status | None] = {
    Kind.ORIGINAL: None,
    Kind.RENEWAL: Status.RENEWED,
    Kind.AMENDMENT: None,
    Kind.RESCISSION: Status.RESCINDED,
    Kind.TERMINATION: Status.TERMINATED,
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
    return target if target is not None else _completed_status(kind)


def _completed_status(kind: Kind) -> Status:
    return Status.IN_FORCE if kind in (Kind.ORIGINAL, Kind.RENEWAL) else Status.COMPLETED


def can_change(parent_status: Status, kind: Kind) -> bool:
    """Only a contract in force can be renewed, amended, rescinded or terminated."""
    return kind is not Kind.ORIGINAL and parent_status is Status.IN_FORCE


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
}
