"""Which stored version of a contract a PDF is: matching the file's bytes, and every revision inside it, by SHA-256.

Every earlier revision of a signed PDF is a byte prefix of the final file, so the file is hashed at each place a
revision may end (each ``%%EOF`` and each signature's signed byte range) and the longest prefix that is a stored
version wins: the file *is* that version, is a copy of a later stored version cut short, or is that version with
something added (:class:`~wage_guard.verification.model.Relation`). Pure apart from one query by digest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from wage_guard.contracts.models import ContractDocument
from wage_guard.signing.reports import ValidationReport
from wage_guard.verification import queries
from wage_guard.verification.model import Relation

#: Revision ends looked at, at most (a hostile file may contain many ``%%EOF`` markers; the newest are kept).
MAX_CUT_POINTS = 512
_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")


@dataclass(frozen=True)
class Match:
    """The longest prefix of the file that is a stored version, and how the file relates to it."""

    document: ContractDocument | None
    relation: Relation
    #: Length of the matched prefix (the stored version), and of the file.
    length: int = 0
    size: int = 0
    #: The file ends where a revision ends (``%%EOF``), as every complete PDF revision does.
    ends_at_revision: bool = True
    #: For :attr:`Relation.CUT_SHORT`: the stored version the file is the beginning of.
    cut_from: ContractDocument | None = None

    @property
    def is_unsigned_draft(self) -> bool:
        return self.relation is Relation.EXACT and self.document is not None and self.document.stage == "rendered"


def cut_points(pdf: bytes, report: ValidationReport) -> list[int]:
    """Offsets where a revision of ``pdf`` ends: after each ``%%EOF`` (and its end-of-line), each signed range, the end.

    Pure: a marker inside a stream only adds a candidate that matches nothing stored.
    """
    points = {len(pdf)}
    for marker in _EOF.finditer(pdf):
        # "%%EOF\r" may end a revision whose update starts with "\n": after the CR is a candidate too.
        points.update((marker.start() + 5, marker.start() + 6 if marker.group(1) else marker.end(), marker.end()))
    signed = [s.signed_length for s in report.signatures] + [t.signed_length for t in report.document_timestamps]
    newest = sorted(p for p in points if 0 < p <= len(pdf))[-MAX_CUT_POINTS:]
    return sorted({*newest, *(n for n in signed if 0 < n <= len(pdf))})


def prefix_digests(pdf: bytes, points: Sequence[int]) -> dict[str, int]:
    """SHA-256 (hex) of ``pdf[:p]`` for each point, computed in one pass."""
    view = memoryview(pdf)
    running = hashlib.sha256()
    digests: dict[str, int] = {}
    position = 0
    for point in sorted(points):
        running.update(view[position:point])
        position = point
        digests[running.copy().hexdigest()] = point
    return digests


def match_document(pdf: bytes, report: ValidationReport) -> Match:
    """Find the stored version the file is, is cut from, or was built on (see :class:`Relation`)."""
    points = cut_points(pdf, report)
    digests = prefix_digests(pdf, points)
    found = queries.documents_with_digests(digests)
    if not found:
        return Match(None, Relation.NONE, size=len(pdf))
    document = max(found, key=lambda d: (digests[d.sha256], d.version))
    length = digests[document.sha256]
    ends_at_revision = pdf.rstrip(b"\r\n").endswith(b"%%EOF")
    if length == len(pdf):
        return Match(document, Relation.EXACT, length, len(pdf))
    for later in document.contract.documents:
        if later.erased_at is not None:  # its retention period over (``retention.erasure``): only its hash is left
            continue
        if later.version > document.version and len(later.pdf) > len(pdf) and later.pdf.startswith(pdf):
            return Match(document, Relation.CUT_SHORT, length, len(pdf), ends_at_revision, cut_from=later)
    return Match(document, Relation.ADDED_TO, length, len(pdf), ends_at_revision)
