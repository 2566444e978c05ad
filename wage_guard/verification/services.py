"""Which version of which contract a PDF is, whether its signers are exactly the contract's parties, and the verdict
in plain words.

Why this exists: every earlier revision of a signed PDF is a byte prefix of the final file, so a copy cut after the
employer's seal carries nothing but valid signatures, and any certificate of the platform CA makes a valid signature.
Signature validity alone therefore cannot tell an arbitrator whether a file is *the* contract. The platform knows
every version it stored (a ``ContractDocument`` row per stage, with its SHA-256), so verification:

1. hashes the file and every prefix of it that ends a revision (each ``%%EOF`` and each signature's signed byte
   range), and takes the longest one that is a stored version: the file *is* that version, is a copy of a later
   stored version cut short, or is that version with something added;
2. checks each signature against the contract's parties, in order (the employer's seal, then the worker's
   signature), by the certificate's role and pseudonym (the platform's keyed hash of the party, which stays the same
   when a party gets a new certificate), and names any other signer;
3. says what the file is ("only the employer has sealed", "signed by both parties (final)", "a later version
   exists", "not a document of this platform") and, when something is wrong, what is wrong and what to do.

"In force" is said only of the final, completely signed version of a contract that is in force now.

No pyHanko here: the signature facts come from :func:`wage_guard.signing.services.verify`; this module reads bytes,
hashes and the database, so the page, ``flask contracts verify`` and the coming API give one verdict.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from flask import current_app

from wage_guard import clock
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract, ContractDocument
from wage_guard.i18n import _, force_locale
from wage_guard.signing import services as signing
from wage_guard.verification import queries

if TYPE_CHECKING:
    from wage_guard.signing.pades import SignatureReport, ValidationReport

#: Exit statuses of ``flask contracts verify`` (documented in the README).
EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
EXIT_INCOMPLETE = 3

EMPLOYER, WORKER = "employer", "worker"
#: The signatures a contract of this platform carries, in this order; only LTV updates may follow the last.
EXPECTED_ORDER = (EMPLOYER, WORKER)
#: Revision ends looked at, at most (a hostile file may contain many ``%%EOF`` markers; the newest are kept).
MAX_CUT_POINTS = 512
_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")
#: pyHanko's modification levels, least to most (``ModificationLevel`` names), compared here without pyHanko.
_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER")
_FULL_COVERAGE = ("ENTIRE_REVISION", "ENTIRE_FILE")
#: Stored stages and the party signatures each holds.
_STAGE_SIGNATURES = {"rendered": 0, "employer_sealed": 1, "worker_signed": 2, "completed": 2}


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


@dataclass(frozen=True)
class Verification:
    """The outcome for one file: the signature report, which version it is, and what is wrong with it."""

    result: Result
    version: Version
    findings: tuple[Finding, ...]
    report: ValidationReport
    contract_id: int | None = field(default=None)

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def ok(self) -> bool:
        """True only for a valid, complete, current contract (exit status 0)."""
        return self.result is Result.VALID

    def headline(self) -> str:
        return headline(self)

    def version_lines(self) -> list[str]:
        return version_lines(self.version, changed=any(f.code == "changed" for f in self.findings))

    def advice(self) -> str | None:
        return advice(self)

    def to_dict(self) -> dict[str, Any]:
        """The signature report plus the verdict, the version and the findings, in Chinese and English."""
        data = self.report.to_dict()
        default = str(current_app.config["BABEL_DEFAULT_LOCALE"])
        version = _jsonable(self.version.__dict__)
        version["complete"] = self.version.complete
        version["superseded"] = self.version.superseded
        version["description"] = _in(default, lambda: " ".join(self.version_lines()))
        version["description_en"] = _in("en", lambda: " ".join(self.version_lines()))
        findings = []
        for item in self.findings:
            entry = _jsonable(item.__dict__)
            entry["message"], entry["advice"] = _in(default, partial(finding_text, item))
            entry["message_en"], entry["advice_en"] = _in("en", partial(finding_text, item))
            findings.append(entry)
        data.update(
            ok=self.ok,
            signatures_valid=self.report.ok,
            result=self.result.value,
            complete=self.version.complete,
            exit_code=self.exit_code,
            headline=_in(default, self.headline),
            headline_en=_in("en", self.headline),
            version=version,
            findings=findings,
        )
        return data


def verify_pdf(pdf: bytes) -> Verification:
    """Validate ``pdf``'s signatures, match it to the stored versions and check its signers against the parties.

    :raises wage_guard.signing.errors.NotAPdf: for bytes that are not a readable PDF.
    """
    report = signing.verify(pdf)
    match = match_document(pdf, report)
    findings = signature_findings(report, unsigned_draft=match.is_unsigned_draft)
    contract = match.document.contract if match.document is not None else None
    if contract is None:
        if not any(f.code == "changed" for f in findings):
            # A broken signature says more (the file was changed) than "not ours", which a change also causes.
            findings.insert(0, Finding("not_platform"))
        return Verification(Result.INVALID, Version(Stage.UNKNOWN), tuple(findings), report)
    findings += party_findings(report, contract, match)
    findings += addition_findings(report, match)
    version = describe_version(contract, match, report)
    if findings:
        result = Result.INVALID
    elif version.complete and not version.superseded:
        result = Result.VALID
    else:
        result = Result.INCOMPLETE
    return Verification(result, version, tuple(_unique(findings)), report, contract.id)


# --- matching the bytes to the stored versions ---------------------------------------------------------------


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
        if later.version > document.version and len(later.pdf) > len(pdf) and later.pdf.startswith(pdf):
            return Match(document, Relation.CUT_SHORT, length, len(pdf), ends_at_revision, cut_from=later)
    return Match(document, Relation.ADDED_TO, length, len(pdf), ends_at_revision)


# --- rules --------------------------------------------------------------------------------------------------


def signature_findings(report: ValidationReport, *, unsigned_draft: bool = False) -> list[Finding]:
    """What is wrong with the signatures themselves (integrity, trust, timestamps, changes after signing)."""
    findings: list[Finding] = []
    if not report.signatures:
        if not unsigned_draft:
            findings.append(Finding("no_signatures"))
        return findings
    last = len(report.signatures) - 1
    for index, signature in enumerate(report.signatures):
        about = _about(index, signature)
        broken = not (signature.intact and signature.valid) or signature.coverage not in _FULL_COVERAGE
        if broken:
            if not any(f.code == "changed" for f in findings):  # one change breaks every later signature too
                findings.append(Finding("changed", **about))
        elif signature.revoked:
            findings.append(Finding("revoked", **about))
        elif not signature.trusted:
            findings.append(Finding("untrusted", **about))
        elif not signature.bottom_line:
            findings.append(Finding("not_valid", **about))
        if not broken and not signature.timestamp_trusted:
            findings.append(Finding("no_timestamp", **about))
        allowed = "LTA_UPDATES" if index == last else "FORM_FILLING"
        if not broken and not _level_within(signature.modification_level, allowed):
            findings.append(Finding("added_after_signing"))
    for stamp in report.document_timestamps:
        if not (stamp.intact and stamp.valid and stamp.trusted):
            findings.append(Finding("timestamp_broken", time=stamp.time))
    if report.problems and not findings:
        findings.append(Finding("unconfirmed"))
    return findings


def party_findings(report: ValidationReport, contract: Contract, match: Match) -> list[Finding]:
    """The signatures must be exactly the contract's parties, in order: the employer's seal, then the worker's."""
    findings: list[Finding] = []
    for index, signature in enumerate(report.signatures):
        about = _about(index, signature)
        party = signer_party(signature, contract)
        expected = EXPECTED_ORDER[index] if index < len(EXPECTED_ORDER) else None
        if expected is None:
            findings.append(Finding("extra_party_signature" if party else "extra_signature", **about))
        elif party is None:
            findings.append(Finding("not_a_party", expected=expected, **about))
        elif party != expected:
            findings.append(Finding("out_of_order", expected=expected, **about))
        elif match.relation is Relation.ADDED_TO and signature.signed_length > match.length:
            findings.append(Finding("not_recorded", **about))
    return findings


def signer_party(signature: SignatureReport, contract: Contract) -> str | None:
    """``employer`` or ``worker`` when the signing certificate is that party's (role and pseudonym), else None."""
    owners = {EMPLOYER: contract.employer_id, WORKER: contract.worker_id}
    for role, owner_id in owners.items():
        if signature.role == role and signature.signer_pseudonym == signing.pseudonym(role, owner_id):
            return role
    return None


def addition_findings(report: ValidationReport, match: Match) -> list[Finding]:
    """A stored version with something appended: only validation data (DSS, document timestamps) may follow the
    parties' signatures, in whole revisions; an unsigned draft must not change at all."""
    if match.relation is not Relation.ADDED_TO:
        return []
    if any(s.signed_length > match.length for s in report.signatures):
        return []  # each added signature is named by party_findings
    assert match.document is not None
    if _STAGE_SIGNATURES.get(match.document.stage, 0) == 0 or not match.ends_at_revision:
        return [Finding("added_data")]
    return []


def describe_version(contract: Contract, match: Match, report: ValidationReport) -> Version:
    """Which version of ``contract`` the file is, and what happened to the contract since."""
    assert match.document is not None
    documents = contract.documents
    if match.relation is Relation.CUT_SHORT:
        signed = min(len(report.signatures), 2)
        stage = (Stage.UNSIGNED, Stage.EMPLOYER_ONLY, Stage.BOTH_NOT_FINAL)[signed]
    else:
        signed = _STAGE_SIGNATURES.get(match.document.stage, 0)
        is_last = match.document.version == documents[-1].version
        stage = (Stage.UNSIGNED, Stage.EMPLOYER_ONLY, Stage.FINAL if is_last else Stage.BOTH_NOT_FINAL)[signed]
    later: tuple[LaterDocument, ...] = ()
    if stage is Stage.FINAL:
        changes = queries.signed_changes(contract) + queries.later_amendments(contract)
        later = tuple(
            LaterDocument(c.kind.value, c.number, clock.as_utc(c.worker_signed_at)) for c in changes if c.worker_signed_at
        )
    completed_at = contract.worker_signed_at if stage is not Stage.FINAL else None
    return Version(
        stage=stage,
        relation=match.relation,
        contract_number=contract.number,
        kind=contract.kind.value,
        status=contract.status.value,
        document_version=match.document.version,
        document_stage=match.document.stage,
        in_force=stage is Stage.FINAL and not later and contract.status is Status.IN_FORCE,
        later=later,
        completed_at=clock.as_utc(completed_at) if completed_at else None,
        changes_number=contract.parent.number if contract.parent is not None else None,
    )


# --- words --------------------------------------------------------------------------------------------------


def headline(verification: Verification) -> str:
    """One line for the top of the report."""
    version, codes = verification.version, {f.code for f in verification.findings}
    if verification.result is Result.VALID:
        return _("Valid: the final contract, signed by both parties")
    if verification.result is Result.INCOMPLETE:
        return {
            Stage.UNSIGNED: _("Not signed: this is an unsigned draft"),
            Stage.EMPLOYER_ONLY: _("Not complete: only the employer has sealed"),
            Stage.BOTH_NOT_FINAL: _("Not the final file: signed by both parties, but cut short"),
        }.get(version.stage, _("Signed by both parties, but a later version exists"))
    if "not_platform" in codes:
        return _("Not valid: not a document of this platform")
    if codes & {"extra_signature", "extra_party_signature", "not_a_party", "out_of_order", "not_recorded"}:
        return _("Not valid: a signature was added by someone who is not a party")
    if codes & {"changed", "added_after_signing", "added_data"}:
        return _("Not valid: this file was changed after signing")
    return _("Not valid")


def version_lines(version: Version, *, changed: bool = False) -> list[str]:
    """Which version the file is, in plain words; "in force" only for the final version of a contract in force.

    ``changed``: a signature of the file is broken, so an unknown file may be a changed copy of a stored version.
    """
    if version.stage is Stage.UNKNOWN:
        if changed:
            return [_("This file does not match any version of a contract stored on this platform.")]
        return [_("Not a document of this platform.")]
    kind = Kind(version.kind).label if version.kind else ""
    lines = [_("Document: %(kind)s %(number)s.", kind=kind, number=version.contract_number)]
    if version.stage is Stage.UNSIGNED:
        lines.append(_("This is the unsigned draft: neither party has signed it."))
    elif version.stage is Stage.EMPLOYER_ONLY:
        lines.append(_("Only the employer has sealed; the worker has not signed. This is not a complete contract."))
    elif version.stage is Stage.BOTH_NOT_FINAL:
        lines.append(
            _(
                "Signed by both parties, but this is not the final file: it stops before the platform completed it "
                "(the long-term validation data and the archive timestamp are missing)."
            )
        )
    else:
        lines.append(_("Signed by both parties (final)."))
    if version.stage is not Stage.FINAL:
        lines.append(_progress(version))
    elif version.in_force:
        lines.append(_("This contract is in force."))
    for later in version.later:
        lines.append(_later_line(later))
    if version.changes_number:
        lines.append(_("This document changes contract %(number)s.", number=version.changes_number))
    return [line for line in lines if line]


def _progress(version: Version) -> str:
    """What happened to the contract after the version in this file."""
    if version.completed_at is not None:
        return _(
            "The worker signed on %(date)s: the complete contract is a different file.",
            date=_day(version.completed_at),
        )
    return {
        Status.AWAITING_EMPLOYER.value: _("The contract is still waiting for the employer's seal."),
        Status.AWAITING_WORKER.value: _("The contract is still waiting for the worker's signature."),
        Status.REFUSED.value: _("The worker refused to sign this contract; it never came into force."),
        Status.WITHDRAWN.value: _("The employer withdrew this contract before it was signed; it never came into force."),
    }.get(version.status or "", "")


def _later_line(later: LaterDocument) -> str:
    day, number = _day(later.signed_at), later.number
    return {
        Kind.AMENDMENT.value: _("A later version exists: amended on %(date)s (%(number)s).", date=day, number=number),
        Kind.RESCISSION.value: _("A later version exists: rescinded on %(date)s (%(number)s).", date=day, number=number),
        Kind.TERMINATION.value: _("A later version exists: terminated on %(date)s (%(number)s).", date=day, number=number),
        Kind.RENEWAL.value: _("A later version exists: renewed on %(date)s (%(number)s).", date=day, number=number),
    }.get(later.kind, _("A later version exists: %(number)s of %(date)s.", date=day, number=number))


def advice(verification: Verification) -> str | None:
    """What to do, for a file that is not a valid, complete, current contract."""
    if verification.result is Result.VALID:
        return None
    if verification.result is Result.INCOMPLETE:
        if verification.version.stage is Stage.FINAL:
            return _("Read it together with the later document; both are in 我的合同 (My contracts).")
        return _(
            "This file is not the signed contract. The complete contract is signed by both parties: "
            "download it from 我的合同 (My contracts) or ask the employer for it."
        )
    return finding_text(verification.findings[0])[1] if verification.findings else None


_ASK_AGAIN = "ask_again"
_KEEP_AND_ASK = "keep_and_ask"
_FROM_PLATFORM = "from_platform"


def finding_text(finding: Finding, *, mask: Callable[[str | None, str | None], str] | None = None) -> tuple[str, str]:
    """The finding in plain words and what to do, in the current language; ``mask`` hides names on public pages."""
    name = (mask or _plain_name)(finding.signer, finding.signer_role)
    role = _role_label(finding.signer_role)
    who = _("%(name)s (%(role)s, certificate %(serial)s)", name=name, role=role, serial=finding.certificate_serial or "—")
    n = finding.signature or 0
    expected = _expected_label(finding.expected)
    texts: dict[str, tuple[str, str]] = {
        "not_platform": (
            _(
                "Not a document of this platform: neither this file nor any earlier version inside it was issued "
                "here, so it cannot be a contract signed on this platform."
            ),
            _FROM_PLATFORM,
        ),
        "no_signatures": (_("This file has no signatures."), _FROM_PLATFORM),
        "changed": (
            _("This file was changed after signing: the content no longer matches signature %(n)d.", n=n),
            _ASK_AGAIN,
        ),
        "added_after_signing": (
            _(
                "Something was added to this PDF after the last signature (for example text, a box or an image), "
                "so it is not the document that was signed."
            ),
            _ASK_AGAIN,
        ),
        "added_data": (
            _("Data that this platform did not write was added to this file after it was issued."),
            _ASK_AGAIN,
        ),
        "untrusted": (
            _(
                "Signature %(n)d was not made with a valid certificate of this platform (unknown, expired or revoked).",
                n=n,
            ),
            _ASK_AGAIN,
        ),
        "revoked": (
            _(
                "Signature %(n)d was made with a revoked certificate: its owner reported that their signing means "
                "were lost or used by someone else.",
                n=n,
            ),
            _KEEP_AND_ASK,
        ),
        "not_valid": (_("Signature %(n)d is not valid.", n=n), _ASK_AGAIN),
        "no_timestamp": (
            _("Signature %(n)d has no trusted timestamp, so when it was made cannot be proved.", n=n),
            _ASK_AGAIN,
        ),
        "timestamp_broken": (
            _("The archive timestamp of this file is broken or not from this platform's timestamp authority."),
            _ASK_AGAIN,
        ),
        "extra_signature": (
            _("Signature %(n)d was added by %(who)s, who is not a party to this contract.", n=n, who=who),
            _KEEP_AND_ASK,
        ),
        "extra_party_signature": (
            _(
                "Signature %(n)d is an extra signature by %(who)s, added after the contract was complete. A contract "
                "of this platform carries exactly the employer's seal and then the worker's signature.",
                n=n,
                who=who,
            ),
            _KEEP_AND_ASK,
        ),
        "not_a_party": (
            _(
                "Signature %(n)d should be %(expected)s, but it was made by %(who)s, who is not a party to this contract.",
                n=n,
                expected=expected,
                who=who,
            ),
            _KEEP_AND_ASK,
        ),
        "out_of_order": (
            _(
                "Signature %(n)d by %(who)s is in the wrong place: %(expected)s belongs here "
                "(the employer seals first, then the worker signs).",
                n=n,
                who=who,
                expected=expected,
            ),
            _KEEP_AND_ASK,
        ),
        "not_recorded": (
            _("Signature %(n)d by %(who)s was not made on this platform for this contract.", n=n, who=who),
            _KEEP_AND_ASK,
        ),
        "unconfirmed": (_("The signatures of this file could not be confirmed."), _ASK_AGAIN),
    }
    message, what_to_do = texts.get(finding.code, texts["unconfirmed"])
    return message, _advice_text(what_to_do)


def _advice_text(code: str) -> str:
    if code == _FROM_PLATFORM:
        return _(
            "If you were given this file as a contract of this platform, ask the employer for the copy signed here, "
            "or download yours from 我的合同 (My contracts)."
        )
    if code == _KEEP_AND_ASK:
        return _(
            "Do not rely on this file: download your copy again from 我的合同 (My contracts) and compare. Keep this "
            "file in case you need to report it to the labour inspectors."
        )
    return _("Do not rely on this file: ask the employer, or download your copy again from 我的合同 (My contracts).")


def issuer_label(issuer_cn: str | None, trusted: bool) -> str:
    """The certificate issuer in the reader's language (the platform's CA names are English in the certificate)."""
    if issuer_cn and issuer_cn.endswith((" Signing CA", " Root CA")):
        if not trusted:
            return _("Named like this platform's certificate authority, but not confirmed")
        if issuer_cn.endswith(" Signing CA"):
            return _("This platform's signing certificate authority")
        return _("This platform's root certificate authority")
    return issuer_cn or "—"


def role_label(role: str | None) -> str:
    return _role_label(role)


def _role_label(role: str | None) -> str:
    if role == EMPLOYER:
        return _("employer")
    if role == WORKER:
        return _("worker")
    return _("no party role")


def _expected_label(expected: str | None) -> str:
    if expected == EMPLOYER:
        return _("the employer's seal")
    if expected == WORKER:
        return _("the worker's signature")
    return ""


def _plain_name(name: str | None, _role: str | None) -> str:
    return name or "—"


def _about(index: int, signature: SignatureReport) -> dict[str, Any]:
    return {
        "signature": index + 1,
        "signer": signature.signer_cn,
        "signer_role": signature.role,
        "certificate_serial": signature.certificate_serial,
    }


def _level_within(level: str | None, allowed: str) -> bool:
    return level in _LEVELS and _LEVELS.index(level) <= _LEVELS.index(allowed)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: list[Finding] = []
    for finding in findings:
        if finding not in seen:
            seen.append(finding)
    return seen


def _day(moment: datetime) -> str:
    china: date = clock.china_date(moment)
    return china.isoformat()


def _in(locale: str, render: Callable[[], Any]) -> Any:
    with force_locale(locale):
        return render()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(dict(value.__dict__))
    return value
