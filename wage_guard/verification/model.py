"""What verifying a contract PDF says, as plain data: the verdict, which version the file is, and each finding.

Shared by the rules (``services``, ``matching``) and the words (``wording``), so neither imports the other's module
for its types. The exit statuses of ``flask contracts verify`` belong to the verdict and are documented in the README.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

#: Exit statuses of ``flask contracts verify`` (documented in the README).
EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
EXIT_INCOMPLETE = 3

EMPLOYER, WORKER = "employer", "worker"
#: The signatures a contract of this platform carries, in this order; only LTV updates may follow the last.
EXPECTED_ORDER = (EMPLOYER, WORKER)


class Result(enum.StrEnum):
    #: The final, completely signed version of a contract of this platform, not replaced by a later document.
    VALID = "valid"
    #: Genuine and unchanged, but an incomplete version (a party has not signed) or one a later document replaced.
    INCOMPLETE = "incomplete"
    INVALID = "invalid"

    @property
    def exit_code(self) -> int:
        return {Result.VALID: EXIT_VALID, Result.INCOMPLETE: EXIT_INCOMPLETE, Result.INVALID: EXIT_INVALID}[self]


class Stage(enum.StrEnum):
    """What a file holds, as far as the parties' signatures go."""

    UNSIGNED = "unsigned"
    EMPLOYER_ONLY = "employer_only"
    #: Both parties signed, but the file stops before the platform completed it (no long-term validation data).
    BOTH_NOT_FINAL = "both_signed_not_final"
    FINAL = "final"
    #: Neither the file nor any revision inside it is a document stored on this platform.
    UNKNOWN = "unknown"


class Relation(enum.StrEnum):
    """How the file relates to the stored version it was matched to."""

    EXACT = "exact"
    #: An earlier part of a stored version: the file is a byte prefix of it, cut at a revision boundary.
    CUT_SHORT = "cut_short"
    #: A stored version with revisions (or bytes) appended that this platform did not store.
    ADDED_TO = "added_to"
    NONE = "none"


@dataclass(frozen=True)
class LaterDocument:
    """A signed document that changes the contract: renewal, amendment, rescission or termination."""

    kind: str
    number: str
    signed_at: datetime


@dataclass(frozen=True)
class Version:
    """Which version of which contract the file is."""

    stage: Stage
    relation: Relation = Relation.NONE
    contract_number: str | None = None
    kind: str | None = None
    #: The contract's status now; reported only for the final version (never "in force" for another one).
    status: str | None = None
    #: The stored version (1, 2, ...) the file is, or is cut from / built on.
    document_version: int | None = None
    document_stage: str | None = None
    in_force: bool = False
    #: Later signed documents that replace or change this one.
    later: tuple[LaterDocument, ...] = ()
    #: For an incomplete copy: when the worker signed the complete version (a different file), if they did.
    completed_at: datetime | None = None
    #: For a change document: the number of the contract it changes.
    changes_number: str | None = None

    @property
    def complete(self) -> bool:
        return self.stage is Stage.FINAL

    @property
    def superseded(self) -> bool:
        return bool(self.later)


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the file, said in plain words with what to do (see :func:`finding_text`)."""

    code: str
    #: 1-based position of the signature concerned, if any.
    signature: int | None = None
    signer: str | None = None
    #: The role written in the signer's certificate (``employer``/``worker``), if any.
    signer_role: str | None = None
    certificate_serial: str | None = None
    #: The party expected at this position (``employer``/``worker``).
    expected: str | None = None
    time: datetime | None = None
