"""The evidence log: the only writer (``append``), signed tree heads, proofs (the sequencer: ``ledger.sequencer``).

Every business step that matters as evidence calls ``append`` inside its own transaction, so the step commits or
rolls back with the change it records. ``append`` only adds the step to a queue: no lock is shared by the
writers, so requests that log something no longer wait for each other (a lock on the log's state row until
commit serialised every such request of the platform). The sequencer, one at a time under a lock (a PostgreSQL
advisory lock; SQLite's write lock), takes the committed queue in order, gives each step the next sequence
number, hashes it into the tree and moves it into the log, in batches and in one transaction: sequence numbers
have no gaps and no duplicates. This is the split of Tessera and Sunlight (sequencing apart from the request).

It runs right after each commit that queued steps (when another process is already sequencing, that one or the
next takes them), every second from the scheduler (``jobs.ledger.integrate_ledger``), and inside a transaction
that needs the log complete (an evidence package). Signed tree heads then cover what was integrated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.ledger import merkle
from wage_guard.ledger.models import LedgerEntry, LedgerNode, LedgerQueued, LedgerState, LogKey, TreeHead
from wage_guard.settings import settings
from wage_guard.signing import ca as signing_ca
from wage_guard.signing.errors import KeyStoreUnavailable

_KEY_CONTEXT = "wage_guard.ledger.log_key"


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (what is hashed and signed)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_bytes(entry: LedgerEntry) -> bytes:
    """The bytes a leaf hashes: every field of the entry, so editing or moving any of them shows."""
    return canonical(
        {
            "seq": entry.seq,
            "time": clock.as_utc(entry.logged_at).isoformat(),
            "kind": entry.kind,
            "subject": entry.subject,
            "payload": json.loads(entry.payload),
        }
    )


def leaf_bytes(seq: int, logged_at: datetime, kind: str, subject: str, payload: str) -> bytes:
    """``entry_bytes`` for a step whose payload is stored as canonical JSON, as every queued step is: spliced into
    place rather than parsed and written again (the sequencer hashes thousands a second). The keys are in sorted
    order, as ``canonical`` writes them; ``ledger verify`` recomputes every leaf with ``entry_bytes``, so a payload
    that was not canonical would show there rather than pass."""
    return b"".join(
        (
            b'{"kind":',
            _json(kind),
            b',"payload":',
            payload.encode(),
            b',"seq":',
            str(seq).encode(),
            b',"subject":',
            _json(subject),
            b',"time":',
            _json(clock.as_utc(logged_at).isoformat()),
            b"}",
        )
    )


def _json(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode()


def keyed(value: str, purpose: str) -> str:
    """A keyed hash for values that must be linkable but not readable (addresses, person ids)."""
    key = base64.b64decode(settings().blind_index_key)
    return hmac.new(key, f"ledger:{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


#: Subtree hashes known to be committed (they never change once written): appends read the right edge of the tree
#: from here instead of the database. Nodes written by the current transaction wait in ``session.info`` and move
#: here only when it commits, so a rollback cannot leave a hash behind that the database does not have.
_COMMITTED_NODES: OrderedDict[tuple[int, int], bytes] = OrderedDict()
_COMMITTED_LIMIT = 4096
PENDING_NODES = "wage_guard.ledger.pending_nodes"
#: Set in ``session.info`` by a transaction that queued steps (the sequencer runs after its commit).
QUEUED_STEPS = "wage_guard.ledger.queued"
ENTRIES, NODES, STATE, QUEUE = (
    LedgerEntry.__table__,
    LedgerNode.__table__,
    LedgerState.__table__,
    LedgerQueued.__table__,
)


class DbNodes:
    """Complete-subtree hashes: this transaction's new ones, then the committed cache, then the database."""

    def __init__(self, connection: sa.Connection | None = None, pending: dict[tuple[int, int], bytes] | None = None) -> None:
        self._cache: dict[tuple[int, int], bytes] = {}
        self._connection = connection
        self._pending = pending

    def get(self, level: int, index: int) -> bytes:
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Fetch what is not known yet in one query (a proof needs about log2(size) of them)."""
        pending = self._pending if self._pending is not None else db.session.info.get(PENDING_NODES, {})
        for key in keys:
            if key not in self._cache:
                found = pending.get(key) or _COMMITTED_NODES.get(key)
                if found is not None:
                    self._cache[key] = found
        wanted = [k for k in keys if k not in self._cache]
        if wanted:
            query = sa.select(NODES.c.level, NODES.c.index, NODES.c.hash).where(
                sa.tuple_(NODES.c.level, NODES.c.index).in_(wanted)
            )
            connection = self._connection or db.session.connection()
            for level, index, digest in connection.execute(query):
                self._cache[(level, index)] = bytes(digest)
        missing = [k for k in keys if k not in self._cache]
        if missing:
            raise LookupError(f"ledger nodes missing: {missing[:3]}")
        return {k: self._cache[k] for k in keys}


@dataclass(frozen=True)
class Queued:
    """A step as its writer knows it: its ``entry_id`` (the entry's, once it is in the log)."""

    entry_id: int
    kind: str
    subject: str


def append(kind: str, subject: str, payload: dict[str, Any], *, now: datetime) -> Queued:
    """Queue a step for the log, in the caller's transaction (it reaches the log after the commit)."""
    return append_many([(kind, subject, payload)], now=now)[0]


def append_many(items: list[tuple[str, str, dict[str, Any]]], *, now: datetime) -> list[Queued]:
    """Queue steps ``(kind, subject, payload)`` in this order, with one statement for all of them (a run of the
    risk engine logs thousands of transitions at once)."""
    if not items:
        return []
    rows = [{"logged_at": now, "kind": k, "subject": s, "payload": canonical(p).decode()} for k, s, p in items]
    # A Core statement on the session's connection: appends are hot, and the ORM's bookkeeping costs more.
    statement = QUEUE.insert().returning(QUEUE.c.id, sort_by_parameter_order=True)
    ids = db.session.connection().execute(statement, rows).scalars().all()
    db.session.info[QUEUED_STEPS] = True
    return [Queued(int(entry_id), kind, subject) for entry_id, (kind, subject, _) in zip(ids, items, strict=True)]


def forget_cached_nodes() -> None:
    """Drop the committed-node cache: only needed when the database is wiped under a running process (tests)."""
    _COMMITTED_NODES.clear()


def promote_nodes(pending: dict[tuple[int, int], bytes]) -> None:
    """Keep subtree hashes that were just committed (they never change) for the next appends and proofs."""
    _COMMITTED_NODES.update(pending)
    while len(_COMMITTED_NODES) > _COMMITTED_LIMIT:
        _COMMITTED_NODES.popitem(last=False)


@event.listens_for(Session, "after_commit")
def _promote_committed_nodes(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction may still roll back
        return
    pending = session.info.pop(PENDING_NODES, None)
    if pending:
        promote_nodes(pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_uncommitted_nodes(session: Session, previous_transaction: SessionTransaction) -> None:
    session.info.pop(PENDING_NODES, None)  # some may be the savepoint's: forget all (they are only a cache)
    if not previous_transaction.nested:  # steps queued before a savepoint that rolled back are still to commit
        session.info.pop(QUEUED_STEPS, None)


def size() -> int:
    """Entries in the log (integrated; the queue is not counted)."""
    return int(db.session.scalar(sa.select(LedgerState.size).where(LedgerState.id == 1)) or 0)


def queued(subject: str | None = None) -> int:
    """Steps waiting for the sequencer (about ``subject`` only, when given)."""
    query = sa.select(sa.func.count()).select_from(LedgerQueued)
    if subject is not None:
        query = query.where(LedgerQueued.subject == subject)
    return int(db.session.scalar(query) or 0)


def root_at(tree_size: int) -> bytes:
    return merkle.root(DbNodes(), tree_size)


# --- the log key and signed tree heads ----------------------------------------------------------------------


def log_key(*, now: datetime) -> tuple[str, Ed25519PrivateKey]:
    """The log's signing key, created on first use (the newest one if keys were rotated).

    Where the key lives follows the signing key store: with ``KEY_STORE = "pkcs11"`` a new key is generated in
    the HSM and only its ID is stored; the key returned then signs on the token.

    :raises signing.errors.KeyStoreUnavailable: the HSM or the wrapped key cannot be used, or the key behind
        the reference is not the one whose public key the row records.
    """
    row = db.session.scalar(sa.select(LogKey).order_by(LogKey.created_at.desc()).limit(1))
    if row is None:
        store, reference, public = signing_ca.create_platform_ed25519_key("wage_guard evidence log", context=_KEY_CONTEXT)
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        row = LogKey(
            key_id=hashlib.sha256(pem).hexdigest(),
            public_key_pem=pem.decode(),
            private_key=reference,
            key_store=store,
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
    private = signing_ca.platform_ed25519_key(row.key_store, row.private_key, context=_KEY_CONTEXT)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if pem.decode() != row.public_key_pem:
        raise KeyStoreUnavailable("the log key behind the stored reference is not the published log key")
    return row.key_id, private


def public_keys() -> dict[str, str]:
    """Every log public key (PEM) by key id."""
    return {k.key_id: k.public_key_pem for k in db.session.scalars(sa.select(LogKey).order_by(LogKey.created_at))}


def tree_head_message(tree_size: int, root_hex: str, timestamp: datetime) -> bytes:
    return canonical({"size": tree_size, "root": root_hex, "timestamp": clock.as_utc(timestamp).isoformat(), "log": "wage_guard"})


def publish_tree_head(*, now: datetime) -> TreeHead | None:
    """Sign and keep a tree head if the log grew since the last one; returns it, or None if nothing changed."""
    current = size()
    latest = latest_tree_head()
    if current == 0 or (latest is not None and latest.size >= current):
        return None
    key_id, key = log_key(now=now)
    root_hex = root_at(current).hex()
    signature = key.sign(tree_head_message(current, root_hex, now)).hex()
    head = TreeHead(size=current, root_hash=root_hex, timestamp=now, signature=signature, key_id=key_id)
    try:
        with db.session.begin_nested():
            db.session.add(head)
    except sa.exc.IntegrityError:
        # Another request published a head of this size at the same moment (each signing request publishes one):
        # the same tree, already signed. Without the savepoint this request would fail with a 500.
        return tree_head(current)
    return head


def latest_tree_head() -> TreeHead | None:
    return db.session.scalar(sa.select(TreeHead).order_by(TreeHead.size.desc()).limit(1))


def tree_head(tree_size: int) -> TreeHead | None:
    return db.session.get(TreeHead, tree_size)


def tree_head_json(head: TreeHead) -> dict[str, Any]:
    return {
        "size": head.size,
        "root": head.root_hash,
        "timestamp": clock.as_utc(head.timestamp).isoformat(),
        "log": "wage_guard",
        "signature": head.signature,
        "key_id": head.key_id,
    }


def head_signature_ok(head: dict[str, Any], public_key_pem: str) -> bool:
    """Check a tree head's Ed25519 signature (works on the JSON form, so packages verify offline)."""
    public = serialization.load_pem_public_key(public_key_pem.encode())
    assert isinstance(public, Ed25519PublicKey)
    message = canonical({"size": head["size"], "root": head["root"], "timestamp": head["timestamp"], "log": head["log"]})
    try:
        public.verify(bytes.fromhex(head["signature"]), message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- proofs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inclusion:
    entry: dict[str, Any]
    leaf_hash: str
    tree_size: int
    proof: list[str]


def entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return json.loads(entry_bytes(entry))


def inclusion(seq: int, tree_size: int) -> Inclusion:
    """The entry and its inclusion proof in the tree of ``tree_size`` (which must contain it)."""
    entry = db.session.get(LedgerEntry, seq)
    if entry is None or seq >= tree_size:
        raise LookupError(f"entry {seq} is not in a tree of size {tree_size}")
    proof = merkle.inclusion_proof(DbNodes(), seq, tree_size)
    return Inclusion(entry_json(entry), entry.leaf_hash, tree_size, merkle.encode_proof(proof))


def consistency(old_size: int, new_size: int) -> list[str]:
    return merkle.encode_proof(merkle.consistency_proof(DbNodes(), old_size, new_size))


def entries_about(subject: str) -> list[LedgerEntry]:
    return list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.subject == subject).order_by(LedgerEntry.seq)))


# --- append-only guard --------------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_entries(session: Session, flush_context: object, instances: object) -> None:
    """There is no update or delete path for log entries: the ORM refuses both."""
    for instance in [*session.dirty, *session.deleted]:
        if isinstance(instance, LedgerEntry | LedgerNode | TreeHead | LedgerQueued):
            raise PermissionError("the evidence log is append-only")
