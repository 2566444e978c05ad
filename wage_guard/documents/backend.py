"""What every document store backend offers (``documents.store`` picks one): keys, their layout, and the interface.

A document's key is the SHA-256 of its bytes in lower-case hex; each backend keeps it under ``ab/cd/<sha256>``
(two levels of fan-out, a directory tree or object names), so a backup's ``documents/`` folder, the local store
and an object store's bucket all look the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

KEY = re.compile(r"[0-9a-f]{64}")
#: A stored object's name: the key under two levels of fan-out.
NAME = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


class DocumentMissing(LookupError):
    """The store holds no file for the key."""


def object_name(key: str) -> str:
    """Where ``key`` is kept: ``ab/cd/abcd…``.

    :raises ValueError: the key is not a SHA-256 in lower-case hex (never a path to follow).
    """
    if not KEY.fullmatch(key):
        raise ValueError("a document key is a SHA-256 in lower-case hex")
    return f"{key[:2]}/{key[2:4]}/{key}"


def key_of(name: str) -> str | None:
    """The key an object name holds, or None for anything else (a temporary file, a foreign object)."""
    match = NAME.fullmatch(name)
    if match is None or not match.group(3).startswith(match.group(1) + match.group(2)):
        return None
    return match.group(3)


class DocumentStore(Protocol):
    """Content-addressed, append-only storage of contract PDFs and page previews.

    ``put`` and ``get`` raise ``errors.ServiceUnavailable`` when the storage is out of order (full, unreachable,
    throttling): nothing was stored, and the same request can be repeated.
    """

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its key; a reader sees the whole document or none of it."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; :raises DocumentMissing: nothing is."""
        ...

    def contains(self, key: str) -> bool:
        """Whether something is stored under ``key``."""
        ...

    def keys(self) -> Iterator[str]:
        """Every key stored, in order."""
        ...

    def remove(self, key: str) -> None:
        """Delete the document under ``key`` (only to undo a restore that failed: the store is append-only)."""
        ...
