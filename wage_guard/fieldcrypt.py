"""Encryption of personal data at rest (AES-256-GCM) and keyed blind indexes for looking it up.

Written here rather than taken from a library: the maintained column-encryption packages for SQLAlchemy
either use AES-CBC without authentication or cannot produce a separate keyed look-up index, and both are
required (ID numbers must be found by equality without decrypting every row). The primitives come from
``cryptography``; this module only chooses the layout ``b"\\x01" + nonce(12) + ciphertext+tag``, bound to
the column through associated data so a value cannot be moved between columns unnoticed.
"""

from __future__ import annotations

import base64
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
    raw = base64.b64decode(current_app.config[name])
    if len(raw) != 32:
        raise ValueError(f"{name} must be 32 bytes, base64-encoded")
    return raw


def encrypt(plaintext: str, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. ``"worker.id_number"``) is authenticated, not secret."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key("FIELD_ENCRYPTION_KEY")).encrypt(nonce, plaintext.encode(), context.encode())
    return _VERSION + nonce + sealed


def decrypt(blob: bytes, context: str) -> str:
    """Decrypt a value from :func:`encrypt`; raises ``cryptography.exceptions.InvalidTag`` if tampered."""
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return AESGCM(_key("FIELD_ENCRYPTION_KEY")).decrypt(blob[1:13], blob[13:], context.encode()).decode()


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
