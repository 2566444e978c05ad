"""The sequencer's spliced leaf bytes are exactly what ``ledger verify`` recomputes from a stored entry."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from wage_guard.ledger.models import LedgerEntry
from wage_guard.ledger.services import canonical, entry_bytes, leaf_bytes

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@given(
    seq=st.integers(min_value=0, max_value=2**62),
    logged_at=st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    kind=st.text(max_size=48),
    subject=st.text(max_size=64),
    payload=st.dictionaries(st.text(max_size=12), JSON, max_size=6),
)
def test_spliced_leaf_bytes_match_the_recomputed_ones(
    seq: int, logged_at: datetime, kind: str, subject: str, payload: dict[str, object]
) -> None:
    stored = canonical(payload).decode()  # what ``append`` queues
    entry = LedgerEntry(seq=seq, logged_at=logged_at, kind=kind, subject=subject, payload=stored)
    assert leaf_bytes(seq, logged_at, kind, subject, stored) == entry_bytes(entry)


def test_a_payload_that_is_not_canonical_does_not_match() -> None:
    """Why ``ledger verify`` would catch a step queued by anything but ``append``: the splice keeps its bytes."""
    when = datetime(2026, 11, 2, tzinfo=UTC)
    entry = LedgerEntry(seq=1, logged_at=when, kind="k", subject="s", payload='{"b": 1, "a": 2}')
    assert leaf_bytes(1, when, "k", "s", '{"b": 1, "a": 2}') != entry_bytes(entry)
