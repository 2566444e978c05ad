"""The evidence log in the database: appends, tree heads, proofs, tampering detection and concurrency."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import advance
from tests.conftest import test_config as make_test_config
from wage_guard import boundary, clock, create_app
from wage_guard.extensions import db
from wage_guard.ledger import audit, merkle, sequencer, services
from wage_guard.ledger.models import LedgerEntry, LedgerNode, LedgerState, TreeHead


def fill(app: Flask, count: int, *, publish_every: int = 0) -> None:
    with app.app_context():
        for n in range(count):
            services.append("test_step", f"subject:{n % 3}", {"n": n, "note": "步骤"}, now=clock.utcnow())
            if publish_every and (n + 1) % publish_every == 0:
                boundary.commit()  # steps reach the log after their commit (the sequencer runs then)
                services.publish_tree_head(now=clock.utcnow())
        boundary.commit()


def verify(app: Flask) -> audit.AuditResult:
    with app.app_context():
        return audit.verify_all()


def sql(app: Flask, statement: str, **params: object) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(statement), params)


def test_appends_are_gap_free_and_roots_match_a_fresh_tree(app: Flask) -> None:
    fill(app, 37)
    with app.app_context():
        entries = db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert [e.seq for e in entries] == list(range(37))
        fresh = merkle.MemoryNodes()
        for entry in entries:
            fresh.append(services.entry_bytes(entry))
        for size in (1, 2, 3, 16, 17, 37):
            assert services.root_at(size) == fresh.root(size)


def test_tree_heads_are_signed_and_consistent(app: Flask) -> None:
    fill(app, 10, publish_every=4)
    with app.app_context():
        heads = db.session.scalars(sa.select(TreeHead).order_by(TreeHead.size)).all()
        assert [h.size for h in heads] == [4, 8]
        assert services.publish_tree_head(now=clock.utcnow()) is not None
        assert services.publish_tree_head(now=clock.utcnow()) is None  # nothing new
        keys = services.public_keys()
        for head in heads:
            assert services.head_signature_ok(services.tree_head_json(head), keys[head.key_id])
        proof = merkle.decode_proof(services.consistency(4, 8))
        assert merkle.verify_consistency(4, 8, bytes.fromhex(heads[0].root_hash), bytes.fromhex(heads[1].root_hash), proof)
    assert verify(app).ok


def test_entries_carry_no_personal_data(app: Flask) -> None:
    with app.app_context():
        services.append("code_sent", "code:x", {"ip": services.keyed("203.0.113.7", "ip")}, now=clock.utcnow())
        boundary.commit()
        payload = db.session.scalars(sa.select(LedgerEntry)).one().payload
    assert "203.0.113.7" not in payload


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        ("UPDATE ledger_entry SET payload = '[999]' WHERE seq = 5", 5),
        ("UPDATE ledger_entry SET kind = 'forged' WHERE seq = 12", 12),
        ("DELETE FROM ledger_entry WHERE seq = 7", 7),
        ("UPDATE ledger_entry SET logged_at = logged_at WHERE seq = -1", None),
    ],
)
def test_ledger_verify_names_the_first_bad_entry(app: Flask, tamper: str, first_bad: int | None) -> None:
    fill(app, 20, publish_every=8)
    sql(app, tamper)
    result = verify(app)
    assert result.ok is (first_bad is None)
    assert result.first_bad_seq == first_bad


def test_reordered_entries_are_detected(app: Flask) -> None:
    fill(app, 12, publish_every=6)
    sql(app, "UPDATE ledger_entry SET seq = 100 WHERE seq = 3")
    sql(app, "UPDATE ledger_entry SET seq = 3 WHERE seq = 4")
    sql(app, "UPDATE ledger_entry SET seq = 4 WHERE seq = 100")
    result = verify(app)
    assert not result.ok
    assert result.first_bad_seq == 3


def test_inserted_entry_is_detected(app: Flask) -> None:
    fill(app, 9, publish_every=9)
    with app.app_context():
        db.session.add(
            LedgerEntry(
                seq=9, entry_id=999, logged_at=clock.utcnow(), kind="forged", subject="x", payload="{}", leaf_hash="0" * 64
            )
        )
        db.session.commit()
    result = verify(app)
    assert not result.ok
    assert result.first_bad_seq == 9


def test_rewritten_history_with_matching_hashes_is_caught_by_the_signed_head(app: Flask) -> None:
    """Someone edits an entry and recomputes its leaf and every node: only the signed tree head betrays it."""
    fill(app, 8, publish_every=8)
    with app.app_context():
        entry = db.session.get(LedgerEntry, 2)
        assert entry is not None
        forged = LedgerEntry(
            seq=2, logged_at=entry.logged_at, kind=entry.kind, subject=entry.subject, payload='{"n":2000}', leaf_hash=""
        )
        tree = merkle.MemoryNodes()
        for e in db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq)):
            tree.append(services.entry_bytes(forged if e.seq == 2 else e))
        leaf = merkle.leaf_hash(services.entry_bytes(forged)).hex()
    sql(app, "UPDATE ledger_entry SET payload = :payload, leaf_hash = :leaf WHERE seq = 2", payload='{"n":2000}', leaf=leaf)
    with app.app_context():
        for node in db.session.scalars(sa.select(LedgerNode)).all():
            sql(
                app,
                'UPDATE ledger_node SET hash = :h WHERE level = :l AND "index" = :i',
                h=tree.get(node.level, node.index),
                l=node.level,
                i=node.index,
            )
    result = verify(app)
    assert not result.ok
    assert result.first_bad_seq == 0
    assert any("tree head of size 8" in p for p in result.problems)


def test_altered_tree_head_signature_is_detected(app: Flask) -> None:
    fill(app, 5, publish_every=5)
    with app.app_context():
        signature = db.session.scalars(sa.select(TreeHead)).one().signature
    flipped = ("1" if signature[0] != "1" else "2") + signature[1:]
    sql(app, "UPDATE tree_head SET signature = :s", s=flipped)
    result = verify(app)
    assert not result.ok
    assert any("signature of the tree head" in p for p in result.problems)


def test_cli_ledger_verify_exit_codes(app: Flask) -> None:
    fill(app, 6, publish_every=3)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["ledger", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "6 entries and 2 tree heads" in ok.output
    sql(app, "UPDATE ledger_entry SET subject = 'changed' WHERE seq = 4")
    bad = runner.invoke(args=["ledger", "verify"])
    assert bad.exit_code == 1
    assert "first bad entry: 4" in bad.output


def test_entries_cannot_be_changed_or_deleted_through_the_application(app: Flask) -> None:
    fill(app, 2)
    with app.app_context():
        entry = db.session.get(LedgerEntry, 0)
        assert entry is not None
        entry.kind = "changed"
        with pytest.raises(PermissionError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(LedgerEntry, 1))
        with pytest.raises(PermissionError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_concurrent_appends_from_threads_are_gap_free(app: Flask) -> None:
    per_thread, threads = 15, 4

    def work() -> None:
        fill(app, per_thread)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with app.app_context():
        # A commit's own sequencing does not wait for another at work, so its steps may be left for the next run.
        sequencer.integrate_queued()
        seqs = list(db.session.scalars(sa.select(LedgerEntry.seq).order_by(LedgerEntry.seq)))
        assert seqs == list(range(per_thread * threads))
        assert db.session.get(LedgerState, 1).size == per_thread * threads  # type: ignore[union-attr]
        services.publish_tree_head(now=clock.utcnow())
        boundary.commit()
    assert verify(app).ok


def _append_in_process(database_url: str, count: int, start: multiprocessing.synchronize.Event) -> None:
    application = create_app(make_test_config(database_url))
    start.wait()
    fill(application, count)


def test_concurrent_appends_from_processes_are_gap_free(app: Flask, database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [context.Process(target=_append_in_process, args=(database_url, 20, start)) for _ in range(3)]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    with app.app_context():
        sequencer.integrate_queued()  # what the processes' own sequencing left (it does not wait for another)
        seqs = list(db.session.scalars(sa.select(LedgerEntry.seq).order_by(LedgerEntry.seq)))
        assert seqs == list(range(60))
        services.publish_tree_head(now=clock.utcnow())
        boundary.commit()
    assert verify(app).ok


def _requests(app: Flask, count: int, subject: str) -> list[int]:
    """``count`` requests that each log one step and commit once; the steps' entry ids."""
    ids = []
    with app.app_context():
        for n in range(count):
            ids.append(services.append("request_step", subject, {"n": n}, now=clock.utcnow()).entry_id)
            boundary.commit()
    return ids


def _log_after_sequencing(app: Flask) -> list[tuple[int, int]]:
    """Every (seq, entry_id) of the log once the sequencer has taken what is still queued."""
    with app.app_context():
        sequencer.integrate_queued()
        assert services.queued() == 0
        return [(e.seq, e.entry_id) for e in db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.seq))]


def test_requests_committing_one_step_each_from_threads_reach_the_log_exactly_once(app: Flask) -> None:
    """Writers commit one step at a time while the scheduler's sequencer runs beside them: every step gets one
    sequence number, none is lost or doubled, the numbers have no gap, and the log verifies."""
    written: list[list[int]] = []
    done = threading.Event()

    def writer(index: int) -> None:
        written.append(_requests(app, 12, f"subject:{index}"))

    def scheduler_sequencer() -> None:
        with app.app_context():
            while not done.is_set():
                sequencer.integrate_queued(wait=True)

    scheduler = threading.Thread(target=scheduler_sequencer)
    scheduler.start()
    writers = [threading.Thread(target=writer, args=(index,)) for index in range(5)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    scheduler.join()
    log = _log_after_sequencing(app)
    assert [seq for seq, _ in log] == list(range(60))
    assert sorted(entry_id for _, entry_id in log) == sorted(i for ids in written for i in ids)
    with app.app_context():
        services.publish_tree_head(now=clock.utcnow())
        boundary.commit()
    assert verify(app).ok


def _requests_in_process(database_url: str, count: int, start: multiprocessing.synchronize.Event, out: object) -> None:
    application = create_app(make_test_config(database_url))
    start.wait()
    out.put(_requests(application, count, "process"))  # type: ignore[attr-defined]


def test_requests_committing_one_step_each_from_processes_reach_the_log_exactly_once(app: Flask, database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    processes = [context.Process(target=_requests_in_process, args=(database_url, 15, start, out)) for _ in range(3)]
    for process in processes:
        process.start()
    start.set()
    written = [out.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    log = _log_after_sequencing(app)
    assert [seq for seq, _ in log] == list(range(45))
    assert sorted(entry_id for _, entry_id in log) == sorted(i for ids in written for i in ids)
    assert verify(app).ok


def test_a_step_rolled_back_never_reaches_the_log(app: Flask) -> None:
    with app.app_context():
        services.append("request_step", "subject:x", {"n": 1}, now=clock.utcnow())
        boundary.rollback()
        kept = services.append("request_step", "subject:x", {"n": 2}, now=clock.utcnow())
        boundary.commit()
    assert _log_after_sequencing(app) == [(0, kept.entry_id)]


def test_two_requests_publishing_the_same_tree_head_both_succeed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent signing requests each publish a tree head: the second one to insert a head of the same size finds
    it published (it returns that head) instead of failing with a unique violation and a 500."""
    with app.app_context():
        services.append("request_step", "subject:x", {"n": 1}, now=clock.utcnow())
        boundary.commit()
        sequencer.integrate_queued()
    with app.app_context():
        published = services.publish_tree_head(now=clock.utcnow())  # the other request, committed first
        assert published is not None
        other = (published.size, published.root_hash, published.signature)
        boundary.commit()
    monkeypatch.setattr(services, "latest_tree_head", lambda: None)  # this request read before that commit
    with app.app_context():
        head = services.publish_tree_head(now=advance(seconds=1))
        assert head is not None
        assert (head.size, head.root_hash, head.signature) == other
        services.append("request_step", "subject:x", {"n": 2}, now=clock.utcnow())
        boundary.commit()  # the request's own work still commits
    assert len(_log_after_sequencing(app)) == 2


def test_a_released_savepoint_is_not_a_commit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLAlchemy reports a released savepoint as a commit: the sequencer must not run then (it would wait for the
    request's own write lock on SQLite), and the steps go into the log at the real commit."""
    calls: list[bool] = []
    real = sequencer.integrate_queued
    monkeypatch.setattr(sequencer, "integrate_queued", lambda wait=True: calls.append(wait) or real(wait=wait))
    with app.app_context():
        first = services.append("request_step", "subject:x", {"n": 1}, now=clock.utcnow())
        with db.session.begin_nested():
            second = services.append("request_step", "subject:x", {"n": 2}, now=clock.utcnow())
        assert calls == []
        boundary.commit()
        assert calls == [False]
        assert services.size() == 2
    assert _log_after_sequencing(app) == [(0, first.entry_id), (1, second.entry_id)]


def test_a_request_does_not_wait_for_another_requests_open_transaction(app: Flask) -> None:
    """The point of the queue: one request's open transaction (its step written, not committed) does not hold up
    another request's step, which reaches the log first. With a lock shared by all writers the second request
    would wait for the first to end; its lock wait is bounded here, so that would fail, not hang."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time by design (the PostgreSQL run covers this)")
    with app.app_context():
        slow = services.append("request_step", "subject:slow", {"n": 1}, now=clock.utcnow())  # left open
        result: dict[str, int] = {}

        def quick() -> None:
            with app.app_context():
                db.session.execute(sa.text("SET lock_timeout = '5s'"))
                result["id"] = services.append("request_step", "subject:quick", {"n": 2}, now=clock.utcnow()).entry_id
                boundary.commit()

        other = threading.Thread(target=quick)
        other.start()
        other.join()
        assert "id" in result, "the second request could not log its step while the first was open"
        boundary.commit()
    assert _log_after_sequencing(app) == [(0, result["id"]), (1, slow.entry_id)]


def test_proof_endpoints(app: Flask) -> None:
    fill(app, 9, publish_every=4)
    advance(seconds=1)
    with app.app_context():
        services.publish_tree_head(now=clock.utcnow())
        boundary.commit()
    client = app.test_client()
    head = client.get("/log/tree-head").get_json()
    assert head["size"] == 9
    keys = client.get("/log/public-key").get_json()
    assert services.head_signature_ok(head, keys[head["key_id"]]["public_key_pem"])
    assert len(keys[head["key_id"]]["fingerprint_sha256"]) == 64
    assert client.get("/log/tree-head/4").get_json()["size"] == 4
    assert client.get("/log/tree-head/5").status_code == 404
    item = client.get("/log/entries/6").get_json()
    leaf = merkle.leaf_hash(services.canonical(item["entry"]))
    assert merkle.verify_inclusion(leaf, 6, 9, merkle.decode_proof(item["proof"]), bytes.fromhex(head["root"]))
    first = client.get("/log/tree-head/4").get_json()
    proof = client.get("/log/consistency?first=4&second=9").get_json()["proof"]
    assert merkle.verify_consistency(4, 9, bytes.fromhex(first["root"]), bytes.fromhex(head["root"]), merkle.decode_proof(proof))
    assert client.get("/log/entries/99").status_code == 404
    assert client.get("/log/consistency?first=9&second=4").status_code == 400
