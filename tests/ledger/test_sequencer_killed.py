"""The log sequencer killed (SIGKILL) in the middle of a batch (issue #14 part 4): the entries it wrote die with its
transaction, every step stays queued, and the next run moves them all into the log with no gap, no duplicate and
no lost step; ``ledger verify`` passes."""

from __future__ import annotations

import multiprocessing
import os
import signal

import sqlalchemy as sa
from flask import Flask

from tests.conftest import START
from tests.conftest import test_config as make_test_config
from wage_guard import boundary, clock, create_app
from wage_guard.extensions import db
from wage_guard.ledger import audit, sequencer
from wage_guard.ledger import services as ledger
from wage_guard.ledger.models import LedgerEntry

STEPS = 45


def _sequence_until_killed(database_url: str) -> None:
    """The sequencer in its own process, in batches of 10, killed as it writes the third batch's entries."""
    application = create_app(make_test_config(database_url))
    clock.freeze(START)
    sequencer.BATCH = 10
    real, calls = sequencer._insert_rows, {"n": 0}  # noqa: SLF001 - the step to die in

    def then_killed(connection: sa.Connection, table: sa.Table, rows: list[dict[str, object]]) -> None:
        real(connection, table, rows)
        calls["n"] += 1
        if calls["n"] == 5:  # entries and nodes of two batches written, the third batch's entries too
            os.kill(os.getpid(), signal.SIGKILL)

    sequencer._insert_rows = then_killed  # noqa: SLF001
    with application.app_context():
        sequencer.integrate_queued(wait=True)


def _entries(app: Flask) -> list[tuple[int, int]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.select(LedgerEntry.seq, LedgerEntry.entry_id).order_by(LedgerEntry.seq))]  # type: ignore[misc]


def test_a_sequencer_killed_half_way_loses_nothing_and_doubles_nothing(app: Flask, database_url: str) -> None:
    app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = False  # leave the steps queued for the sequencer process
    try:
        with app.app_context():
            for n in range(STEPS):
                ledger.append("test_step", f"test:{n}", {"n": n}, now=clock.utcnow())
            boundary.commit()
    finally:
        app.config["LEDGER_INTEGRATE_AFTER_COMMIT"] = True
    before = _entries(app)
    process = multiprocessing.get_context("spawn").Process(target=_sequence_until_killed, args=(database_url,))
    process.start()
    process.join(timeout=300)
    assert process.exitcode == -signal.SIGKILL
    assert _entries(app) == before  # what the killed run wrote died with its transaction
    with app.app_context():
        assert sequencer.integrate_queued(wait=True) == STEPS
        assert ledger.queued() == 0
    after = _entries(app)
    assert [seq for seq, _ in after] == list(range(len(after)))  # no gap
    assert len({entry for _, entry in after}) == len(after) == len(before) + STEPS  # no duplicate, none lost
    with app.app_context():
        assert audit.verify_all().ok
