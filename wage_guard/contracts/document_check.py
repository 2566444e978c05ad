"""Check the document store against the database, and move documents stored as blobs into it.

Why: the database holds each contract version's and each page preview's SHA-256; the bytes live in the document
store (``documents.store``), outside the database's own integrity. The ``check_document_store`` job re-hashes
every stored file against the hash the database holds and reports each one that is missing or changed (by
document id, never by content), so that a lost disk, a bad restore or a file edited behind the platform's back
shows before anyone needs the contract. ``move_blobs`` moves versions stored before the store existed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from wage_guard.contracts.models import DOCUMENTS_IN_STORE, PREVIEWS_IN_STORE, ContractDocument, PagePreview
from wage_guard.documents.store import DocumentMissing, document_store
from wage_guard.extensions import db

log = logging.getLogger(__name__)

#: Rows read per query: the check walks every document without holding them all in memory.
BATCH = 500


@dataclass
class StoreReport:
    """What a check found: files checked, and the ones missing or changed (``contract_document:17`` etc.)."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.changed


def check_store() -> StoreReport:
    """Re-hash every stored contract version and page preview against the database; log each problem. Versions
    the retention job erased (their periods over, ``retention.erasure``) are expected to be gone."""
    report = StoreReport()
    for label, model, key_column, in_store in (
        ("contract_document", ContractDocument, ContractDocument.sha256, DOCUMENTS_IN_STORE),
        ("page_preview", PagePreview, PagePreview.sha256, PREVIEWS_IN_STORE),
    ):
        query = sa.select(model.id, key_column).where(in_store).order_by(model.id)
        last = 0
        while rows := db.session.execute(query.where(model.id > last).limit(BATCH)).all():
            for row_id, key in rows:
                _check_one(report, f"{label}:{row_id}", key)
            last = rows[-1][0]
    return report


def _check_one(report: StoreReport, name: str, key: str | None) -> None:
    report.checked += 1
    assert key is not None  # the query reads stored rows only
    try:
        data = document_store().get(key)
    except DocumentMissing:
        report.missing.append(name)
        log.error("document store: %s is missing (expected sha256 %s)", name, key)
        return
    if hashlib.sha256(data).hexdigest() != key:
        report.changed.append(name)
        log.error("document store: %s does not match its sha256 %s: the file was changed", name, key)


def move_blobs() -> int:
    """Move contract versions and previews still stored as blobs into the store (idempotent); returns how many."""
    store, moved = document_store(), 0
    for document in db.session.scalars(sa.select(ContractDocument).where(ContractDocument.pdf_blob.is_not(None))):
        assert document.pdf_blob is not None
        if store.put(document.pdf_blob) != document.sha256:
            raise ValueError(f"contract_document:{document.id}: the stored PDF does not match its recorded sha256")
        document.pdf_blob = None
        moved += 1
    for preview in db.session.scalars(sa.select(PagePreview).where(PagePreview.webp_blob.is_not(None))):
        assert preview.webp_blob is not None
        preview.sha256, preview.webp_blob = store.put(preview.webp_blob), None
        moved += 1
    db.session.flush()
    return moved
