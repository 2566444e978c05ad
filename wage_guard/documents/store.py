"""Where contract PDFs and page previews live: a document store addressed by the SHA-256 of the content.

Why: every contract version kept its PDF and previews as database blobs, about 1 TB per million contracts with
previews, in the tables every request reads. The database now holds each document's hash; the bytes live behind
this one interface, a local directory by default (``DOCUMENT_STORE_DIR``, ``instance/documents``), which an
object store can replace in production. Addressing by hash makes a stored file self-checking: the integrity job
(``contracts.document_check``) re-hashes each file against the hash the database holds. Written by hand because
it is thirty lines over ``pathlib`` (write to a temporary file, then an atomic rename); no library is needed.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

from wage_guard.errors import ServiceUnavailable
from wage_guard.i18n import _

log = logging.getLogger(__name__)
#: The write failed for want of space: the disk, or the account's quota, is full.
FULL = {errno.ENOSPC, errno.EDQUOT}

_KEY = re.compile(r"[0-9a-f]{64}")


class DocumentMissing(LookupError):
    """The store holds no file for the key."""


class LocalDocumentStore:
    """Files named by their SHA-256 in a directory, two levels of fan-out (``ab/cd/abcd…``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its key, the SHA-256 hex of the bytes."""
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if path.exists() and path.stat().st_size == len(data):
            return key
        try:
            self._write(path, data)
        except OSError as error:
            if error.errno not in FULL:
                raise
            log.error("the document store at %s is full: a document of %d bytes was not stored", self.root, len(data))
            raise ServiceUnavailable(_("The server's storage is full, so nothing was saved. Please try again later.")) from error
        return key

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """Write to a temporary file beside the target, then rename: a reader sees the whole file or none of it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``.

        :raises DocumentMissing: nothing is stored under it.
        """
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise DocumentMissing(key) from exc

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError("a document key is a SHA-256 in lower-case hex")
        return self.root / key[:2] / key[2:4] / key


def document_store() -> LocalDocumentStore:
    """The current application's store."""
    return LocalDocumentStore(Path(current_app.config["DOCUMENT_STORE_DIR"]))
