"""The evidence log: the queue of steps waiting for a sequence number, entries, the hashes of complete subtrees,
the log's state row, signed tree heads, the log key.

A request only adds its steps to the queue (``LedgerQueued``), with no lock shared by all writers; the sequencer
(``ledger.sequencer``) moves them into the log in batches, numbering them and hashing them into the
tree. Entries are insert-only: no service updates or deletes them, and ``ledger verify`` detects any row
changed behind the application's back.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard.extensions import db


class LedgerQueued(db.Model):  # type: ignore[name-defined,misc]
    """A step written by a request and not yet in the log; its ``id`` becomes the entry's ``entry_id``."""

    __tablename__ = "ledger_queue"

    #: From a sequence that never goes back (SQLite: AUTOINCREMENT), so an id is never reused after its row moved
    #: into the log.
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    logged_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(sa.String(48))
    subject: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = {"sqlite_autoincrement": True}


class LedgerEntry(db.Model):  # type: ignore[name-defined,misc]
    """One logged step. ``payload`` is canonical JSON with masked values or keyed hashes, never personal data."""

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    #: The step's id in the queue: what the writer knew of the entry before it had a sequence number.
    entry_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    logged_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(sa.String(48), index=True)
    #: What the entry is about, e.g. ``contract:WG-370322-2026-000042`` or ``enrollment:17``.
    subject: Mapped[str] = mapped_column(sa.String(64), index=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    #: RFC 6962 leaf hash of the canonical entry, hex; recomputed and compared by ``ledger verify``.
    leaf_hash: Mapped[str] = mapped_column(sa.String(64))


class LedgerNode(db.Model):  # type: ignore[name-defined,misc]
    """The hash of a complete, aligned subtree: level L, index i covers leaves [i*2^L, (i+1)*2^L)."""

    level: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))


class LedgerState(db.Model):  # type: ignore[name-defined,misc]
    """A single row holding the log size; appenders lock it by updating it first, so sequence numbers never gap."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class TreeHead(db.Model):  # type: ignore[name-defined,misc]
    """A signed tree head: the log's size and root at a time, signed with the log key (Ed25519)."""

    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(sa.String(64))
    timestamp: Mapped[datetime]
    #: Ed25519 signature (hex) over ``ledger.services.tree_head_message``.
    signature: Mapped[str] = mapped_column(sa.String(128))
    key_id: Mapped[str] = mapped_column(sa.String(64))


class LogKey(db.Model):  # type: ignore[name-defined,misc]
    """The log's Ed25519 signing key; ``key_id`` is the SHA-256 of the public key (PEM)."""

    key_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    public_key_pem: Mapped[str] = mapped_column(sa.Text)
    #: A reference to the private key: wrapped under the key-encryption key (``key_store`` ``encrypted``) or
    #: the key's ``CKA_ID`` on the HSM token (``pkcs11``), where the key never leaves the token.
    private_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    key_store: Mapped[str] = mapped_column(sa.String(16), default="encrypted", server_default="encrypted")
    created_at: Mapped[datetime]
