"""Which version of which contract a PDF is, whether its signers are exactly the contract's parties, and the verdict.

Why this exists: every earlier revision of a signed PDF is a byte prefix of the final file, so a copy cut after the
employer's seal carries nothing but valid signatures, and any certificate of the platform CA makes a valid signature.
Signature validity alone therefore cannot tell an arbitrator whether a file is *the* contract. The platform knows
every version it stored (a ``ContractDocument`` row per stage, with its SHA-256), so verification:

1. finds the stored version the file is, is cut from, or was built on (:mod:`wage_guard.verification.matching`);
2. checks each signature against the contract's parties, in order (the employer's seal, then the worker's
   signature), by the certificate's role and pseudonym (the platform's keyed hash of the party, which stays the same
   when a party gets a new certificate), and names any other signer;
3. says what the file is ("only the employer has sealed", "signed by both parties (final)", "a later version
   exists", "not a document of this platform") and, when something is wrong, what is wrong and what to do, in the
   words of :mod:`wage_guard.verification.wording`.

"In force" is said only of the final, completely signed version of a contract that is in force now.

No pyHanko here: the signature facts come from :func:`wage_guard.signing.services.verify` as the plain report model
of :mod:`wage_guard.signing.reports`; this module reads bytes, hashes and the database, so the page,
``flask contracts verify`` and the coming API give one verdict.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from wage_guard import clock
from wage_guard.contracts.lifecycle import Status
from wage_guard.contracts.models import COMPLETED, NOTICE_SEALED, SIGNED_STAGES, WORKER_SIGNED, Contract, ContractDocument
from wage_guard.i18n import force_locale
from wage_guard.settings import settings
from wage_guard.signing import services as signing
from wage_guard.signing.reports import SignatureReport, ValidationReport
from wage_guard.verification import queries, wording
from wage_guard.verification.matching import Match, match_document
from wage_guard.verification.model import (
    EMPLOYER,
    EXPECTED_ORDER,
    WORKER,
    Finding,
    LaterDocument,
    Relation,
    Result,
    Stage,
    Version,
)

#: pyHanko's modification levels, least to most (``ModificationLevel`` names), compared here without pyHanko.
_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER")
_FULL_COVERAGE = ("ENTIRE_REVISION", "ENTIRE_FILE")
#: Stored stages and the party signatures each holds.
_STAGE_SIGNATURES = {"rendered": 0, "employer_sealed": 1, NOTICE_SEALED: 1, WORKER_SIGNED: 2, COMPLETED: 2}


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
        return wording.headline(self.result, self.version, self.findings)

    def version_lines(self) -> list[str]:
        return wording.version_lines(self.version, changed=any(f.code == "changed" for f in self.findings))

    def advice(self) -> str | None:
        return wording.advice(self.result, self.version, self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The signature report plus the verdict, the version and the findings, in Chinese and English."""
        data = self.report.to_dict()
        default = str(settings().babel_default_locale)
        version = _jsonable(self.version.__dict__)
        version["complete"] = self.version.complete
        version["superseded"] = self.version.superseded
        version["description"] = _in(default, lambda: " ".join(self.version_lines()))
        version["description_en"] = _in("en", lambda: " ".join(self.version_lines()))
        findings = []
        for item in self.findings:
            entry = _jsonable(item.__dict__)
            entry["message"], entry["advice"] = _in(default, partial(wording.finding_text, item))
            entry["message_en"], entry["advice_en"] = _in("en", partial(wording.finding_text, item))
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
    order = expected_order(contract)
    for index, signature in enumerate(report.signatures):
        about = _about(index, signature)
        party = signer_party(signature, contract)
        expected = order[index] if index < len(order) else None
        if expected is None:
            findings.append(Finding("extra_party_signature" if party else "extra_signature", **about))
        elif party is None:
            findings.append(Finding("not_a_party", expected=expected, **about))
        elif party != expected:
            findings.append(Finding("out_of_order", expected=expected, **about))
        elif match.relation is Relation.ADDED_TO and signature.signed_length > match.length:
            findings.append(Finding("not_recorded", **about))
    return findings


def expected_order(contract: Contract) -> tuple[str, ...]:
    """Who signs, in order: the employer alone for a notice (delivered, not countersigned), else both parties."""
    return (EMPLOYER,) if contract.kind.is_notice else EXPECTED_ORDER


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
    if contract.kind.is_notice:
        stage = _notice_stage(match, documents)
    elif match.relation is Relation.CUT_SHORT:
        signed = min(len(report.signatures), 2)
        stage = (Stage.UNSIGNED, Stage.EMPLOYER_ONLY, Stage.BOTH_NOT_FINAL)[signed]
    else:
        signed = _STAGE_SIGNATURES.get(match.document.stage, 0)
        is_last = _final_version(match.document, documents)
        stage = (Stage.UNSIGNED, Stage.EMPLOYER_ONLY, Stage.FINAL if is_last else Stage.BOTH_NOT_FINAL)[signed]
    later: tuple[LaterDocument, ...] = ()
    if stage is Stage.FINAL:
        changes = queries.signed_changes(contract) + queries.later_amendments(contract)
        later = tuple(
            LaterDocument(c.kind.value, c.number, clock.as_utc(signed_at))
            for c in changes
            if (signed_at := c.worker_signed_at or c.employer_signed_at)
        )
    done_at = contract.employer_signed_at if contract.kind.is_notice else contract.worker_signed_at
    completed_at = done_at if stage is not Stage.FINAL else None
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


def _final_version(document: ContractDocument, documents: list[ContractDocument]) -> bool:
    """The last version, or the signed (B-T) version that only its long-term completion follows."""
    later = [d for d in documents if d.version > document.version]
    return not later or (document.stage in SIGNED_STAGES and all(d.stage == COMPLETED for d in later))


def _notice_stage(match: Match, documents: list[ContractDocument]) -> Stage:
    """A notice is final once the employer's sealed version is stored (with or without its long-term data);
    before that it is a draft."""
    assert match.document is not None
    sealed = match.document.stage in (COMPLETED, NOTICE_SEALED)
    final = sealed and _final_version(match.document, documents)
    if match.relation is not Relation.CUT_SHORT and final:
        return Stage.FINAL
    return Stage.UNSIGNED


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
