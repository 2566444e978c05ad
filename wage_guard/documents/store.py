"""Where contract PDFs and page previews live: a document store addressed by the SHA-256 of the content.

Why: every contract version kept its PDF and previews as database blobs, about 1 TB per million contracts with
previews, in the tables every request reads. The database now holds each document's hash; the bytes live behind
one interface (``documents.backend``) with two backends, chosen by ``DOCUMENT_STORE``: a local directory
(``local``, the default: ``DOCUMENT_STORE_DIR``, ``instance/documents``) or an S3-compatible object store (``s3``,
``documents.s3_store``), see docs/documents.md. Addressing by hash makes a stored file self-checking: the
integrity job (``contracts.document_check``) re-hashes each file against the hash the database holds. The local
store is written by hand because it is thirty lines over ``pathlib`` (write to a temporary file, then an atomic
rename); no library is needed.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import current_app

from wage_guard.documents.backend import DocumentMissing, DocumentStore, key_of, object_name
from wage_guard.errors import ServiceUnavailable
from wage_guard.i18n import _

log = logging.getLogger(__name__)
#: The write failed for want of space: the disk, or the account's quota, is full.
FULL = {errno.ENOSPC, errno.EDQUOT}
#: Re-exported: callers catch it from here whichever backend is configured.
__all__ = ["DocumentMissing", "DocumentStore", "LocalDocumentStore", "document_store"]


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

    def contains(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        return self._path(key).is_file()

    def keys(self) -> Iterator[str]:
        """Every key stored, in order; ``.incoming-`` files of writes in progress are not keys."""
        for path in sorted(self.root.glob("??/??/*")):
            key = key_of(path.relative_to(self.root).as_posix())
            if key is not None:
                yield key

    def remove(self, key: str) -> None:
        """Delete the file under ``key``, if any (only to undo a restore that failed)."""
        self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / object_name(key)


def document_store() -> DocumentStore:
    """The current application's store: the backend ``DOCUMENT_STORE`` names (``local`` or ``s3``)."""
    if current_app.config.get("DOCUMENT_STORE", "local") == "s3":
        from wage_guard.documents import s3_store  # boto3 is imported only where the object store is used

        return s3_store.configured()
    return LocalDocumentStore(Path(current_app.config["DOCUMENT_STORE_DIR"]))
