"""What validating a signed PDF found, as plain data: signatures, document timestamps, revocation and the verdict.

Verification, evidence packages and the CLI read these reports; they never see a pyHanko object. The pyHanko
validation that fills them in is :mod:`wage_guard.signing.validation`, the only place that knows how.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SignatureReport:
    """One ``/Sig`` as validated. Times are timezone-aware; ``signing_time`` is only the signer's claim."""

    field_name: str
    signer_cn: str | None
    role: str | None
    issuer_cn: str | None
    signing_time: datetime | None
    timestamp_time: datetime | None
    timestamp_trusted: bool
    intact: bool
    valid: bool
    trusted: bool
    #: pyHanko's overall judgement (integrity, trust, timestamp, seed values, DocMDP).
    bottom_line: bool
    summary: str
    #: How much of the file the signature covers: ``ENTIRE_FILE``, ``ENTIRE_REVISION`` or less.
    coverage: str
    #: What changed after the signature, least to most: ``NONE``, ``LTA_UPDATES``, ``FORM_FILLING``,
    #: ``ANNOTATIONS``, ``OTHER``; None when it could not be judged.
    modification_level: str | None
    #: Bytes from the start of the file that this signature covers: the end of the revision it was made in.
    signed_length: int = 0
    #: The certificate's X.520 pseudonym (the platform's stable, opaque identifier of the signer) and serial (hex).
    signer_pseudonym: str | None = None
    certificate_serial: str | None = None
    #: The signer's certificate (or a CA above it) was revoked before the time the signature was checked at.
    revoked: bool = False


@dataclass(frozen=True)
class TimestampReport:
    """One ``/DocTimeStamp`` (the B-LTA archive timestamp) as validated."""

    field_name: str
    time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    #: Bytes from the start of the file that this timestamp covers (see :attr:`SignatureReport.signed_length`).
    signed_length: int = 0


@dataclass(frozen=True)
class ValidationReport:
    """The result of validating a PDF; ``problems`` says in plain words why ``ok`` is False."""

    ok: bool
    signatures: list[SignatureReport]
    document_timestamps: list[TimestampReport]
    problems: list[str]
    #: Where the signers' revocation status was checked (see ``validation.validate_pdf``): ``"dss"`` (only the
    #: CRLs inside the file), ``"platform"`` (only the CRLs given by the caller), ``"dss+platform"``, or
    #: ``"none"`` when some signature could not be checked against revocation data that was required.
    revocation_checked: str = "none"
    #: The last signature is intact but something other than validation data was added after it.
    changed_after_last_signature: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value
