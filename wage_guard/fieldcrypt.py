"""Encryption of personal data at rest (AES-256-GCM) and keyed blind indexes for looking it up.

Written here rather than taken from a library: the maintained column-encryption packages for SQLAlchemy
either use AES-CBC without authentication or cannot produce a separate keyed look-up index, and both are
required (ID numbers must be found by equality without decrypting every row). The primitives come from
``cryptography``; this module only chooses the layout ``b"\\x01" + nonce(12) + ciphertext+tag``, bound to
the column through associated data so a value cannot be moved between columns unnoticed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy.types import TypeDecorator

_VERSION = b"\x01"


def _key(name: str) -> bytes:
    return _decoded(name, current_app.config[name])


@functools.lru_cache(maxsize=16)
def _decoded(name: str, encoded: str) -> bytes:
    raw = base64.b64decode(encoded)
    if len(raw) != 32:
        raise ValueError(f"{name} must be 32 bytes, base64-encoded")
    return raw


@functools.lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESGCM:
    """One AES-GCM object per key: building it (the key schedule) costs more than sealing a short value, and a
    payroll import seals three values for each of tens of thousands of lines."""
    return AESGCM(key)


def encrypt(plaintext: str, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. ``"worker.id_number"``) is authenticated, not secret."""
    nonce = os.urandom(12)
    sealed = _cipher(_key("FIELD_ENCRYPTION_KEY")).encrypt(nonce, plaintext.encode(), context.encode())
    return _VERSION + nonce + sealed


def seal_many(plaintexts: list[str | None], context: str) -> list[bytes | None]:
    """``encrypt`` for a column of values (None stays None): the key is looked up once and the nonces are drawn
    from the OS in one call (bulk inserts of payroll lines seal three values for each of tens of thousands)."""
    encrypt_one, associated = _cipher(_key("FIELD_ENCRYPTION_KEY")).encrypt, context.encode()
    nonces = os.urandom(12 * len(plaintexts))
    sealed: list[bytes | None] = []
    for at, plaintext in zip(range(0, len(nonces), 12), plaintexts, strict=True):
        if plaintext is None:
            sealed.append(None)
            continue
        nonce = nonces[at : at + 12]
        sealed.append(_VERSION + nonce + encrypt_one(nonce, plaintext.encode(), associated))
    return sealed


def blind_indexes(values: list[str], context: str) -> list[str]:
    """``blind_index`` for a column of values: the key and the context prefix are absorbed once, and each value
    continues a copy of that MAC state."""
    prefixed = hmac.new(_key("BLIND_INDEX_KEY"), f"{context}\x00".encode(), hashlib.sha256)
    indexes = []
    for value in values:
        mac = prefixed.copy()
        mac.update(value.encode())
        indexes.append(mac.hexdigest())
    return indexes


def decrypt(blob: bytes, context: str) -> str:
    """Decrypt a value from :func:`encrypt`; raises ``cryptography.exceptions.InvalidTag`` if tampered."""
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return _cipher(_key("FIELD_ENCRYPTION_KEY")).decrypt(blob[1:13], blob[13:], context.encode()).decode()


def blind_index(value: str, context: str) -> str:
    """Return a keyed, deterministic hex digest of ``value`` for equality look-ups."""
    mac = hmac.new(_key("BLIND_INDEX_KEY"), f"{context}\x00{value}".encode(), hashlib.sha256)
    return mac.hexdigest()


class EncryptedString(TypeDecorator[str]):
    """A string column stored as AES-GCM ciphertext, decrypted transparently on load."""

    impl = sa.LargeBinary
    cache_ok = True

    def __init__(self, context: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> bytes | None:
        return None if value is None else encrypt(value, self.context)

    def process_result_value(self, value: bytes | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else decrypt(bytes(value), self.context)
