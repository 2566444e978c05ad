"""The contract state machine, walked exhaustively."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wage_guard.contracts.lifecycle import (
    NOTICES,
    OPEN,
    PARENT_ON_COMPLETION,
    Event,
    Kind,
    Status,
    TransitionRefused,
    allowed_events,
    can_change,
    can_end,
    next_status,
)

HAPPY = [Event.EMPLOYER_SEALED, Event.WORKER_SIGNED]


@pytest.mark.parametrize("kind", [k for k in Kind if k not in NOTICES])
def test_happy_path_ends_in_force_or_completed(kind: Kind) -> None:
    status = Status.AWAITING_EMPLOYER
    for event in HAPPY:
        status = next_status(kind, status, event)
    assert status is (Status.IN_FORCE if kind in (Kind.ORIGINAL, Kind.RENEWAL) else Status.COMPLETED)


def test_worker_cannot_sign_before_the_employer_seals() -> None:
    with pytest.raises(TransitionRefused):
        next_status(Kind.ORIGINAL, Status.AWAITING_EMPLOYER, Event.WORKER_SIGNED)


@pytest.mark.parametrize(("status", "event"), list(itertools.product(Status, Event)))
def test_every_pair_is_either_defined_or_refused(status: Status, event: Event) -> None:
    if event in allowed_events(status):
        assert isinstance(next_status(Kind.ORIGINAL, status, event), Status)
    else:
        with pytest.raises(TransitionRefused):
            next_status(Kind.ORIGINAL, status, event)


def test_final_states_accept_no_event() -> None:
    for status in set(Status) - OPEN - {Status.IN_FORCE}:
        assert allowed_events(status) == set()


def test_only_the_end_of_the_term_moves_a_contract_in_force() -> None:
    assert allowed_events(Status.IN_FORCE) == {Event.TERM_ENDED}
    assert next_status(Kind.ORIGINAL, Status.IN_FORCE, Event.TERM_ENDED) is Status.EXPIRED
    assert next_status(Kind.RENEWAL, Status.IN_FORCE, Event.TERM_ENDED) is Status.EXPIRED
    with pytest.raises(TransitionRefused):
        next_status(Kind.ORIGINAL, Status.EXPIRED, Event.TERM_ENDED)  # expires once


@pytest.mark.parametrize("kind", sorted(NOTICES))
def test_a_notice_is_served_by_the_employers_seal_alone(kind: Kind) -> None:
    assert kind.is_notice
    served = next_status(kind, Status.AWAITING_EMPLOYER, Event.EMPLOYER_SEALED)
    assert served is Status.SERVED
    for event in Event:  # nothing the worker does (or does not do) changes a served notice
        with pytest.raises(TransitionRefused):
            next_status(kind, served, event)
    assert next_status(kind, Status.AWAITING_EMPLOYER, Event.WITHDRAWN) is Status.WITHDRAWN


@pytest.mark.parametrize("kind", [k for k in Kind if k not in NOTICES])
def test_two_party_documents_still_wait_for_the_worker(kind: Kind) -> None:
    assert not kind.is_notice
    assert next_status(kind, Status.AWAITING_EMPLOYER, Event.EMPLOYER_SEALED) is Status.AWAITING_WORKER


@given(st.sampled_from(list(Kind)), st.lists(st.sampled_from(list(Event)), max_size=6))
def test_random_event_sequences_never_leave_known_states(kind: Kind, events: list[Event]) -> None:
    status = Status.AWAITING_EMPLOYER
    for event in events:
        try:
            status = next_status(kind, status, event)
        except TransitionRefused:
            continue
    assert status in Status


def test_only_contracts_in_force_or_expired_can_change() -> None:
    for status, kind in itertools.product(Status, Kind):
        in_force = status is Status.IN_FORCE and kind is not Kind.ORIGINAL
        expired = status is Status.EXPIRED and kind not in (Kind.ORIGINAL, Kind.AMENDMENT)
        assert can_change(status, kind) == (in_force or expired)
        assert can_end(status) == (status in (Status.IN_FORCE, Status.EXPIRED))


def test_completion_effects_on_the_original() -> None:
    assert PARENT_ON_COMPLETION[Kind.RENEWAL] is Status.RENEWED
    assert PARENT_ON_COMPLETION[Kind.RESCISSION] is Status.RESCINDED
    assert PARENT_ON_COMPLETION[Kind.TERMINATION] is Status.TERMINATED
    assert PARENT_ON_COMPLETION[Kind.AMENDMENT] is None
    assert PARENT_ON_COMPLETION[Kind.TERMINATION_NOTICE] is Status.TERMINATED
    assert PARENT_ON_COMPLETION[Kind.RESCISSION_NOTICE] is Status.RESCINDED
