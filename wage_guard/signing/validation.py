"""Validating signed PDFs with pyHanko: every signature and document timestamp, long-term, offline.

Validation reports the per-signature facts the verification page shows, plus one ``ok`` verdict: every
signature intact, valid, trusted and timestamped by a trusted TSA, and nothing but validation data or
document timestamps added after the last signature (pyHanko's difference analysis). The result is the plain
report model of :mod:`wage_guard.signing.reports`, so no caller outside ``wage_guard.signing`` sees pyHanko.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.generic_cms import collect_timing_info
from pyhanko_certvalidator import ValidationContext

from wage_guard.signing.pdfio import PARSE_ERRORS, damaged_pdf, read_pdf, validation_context
from wage_guard.signing.reports import SignatureReport, TimestampReport, ValidationReport

#: At most this many CRLs are read from a file's DSS (a completed contract has two).
DSS_CRL_LIMIT = 64


def validate_pdf(
    pdf: bytes,
    *,
    trust_roots: Sequence[x509.Certificate],
    other_certs: Iterable[x509.Certificate] = (),
    crls: Iterable[x509.CertificateRevocationList] = (),
    now: datetime | None = None,
) -> ValidationReport:
    """Validate every signature and document timestamp against ``trust_roots`` only (never the system store).

    Revocation: the CRLs in the file's DSS are read first (that is what B-LTA embeds them for), then ``crls``,
    the platform's current CRLs, are added to them: a revocation reported after the file was completed is
    only in the latter. A certificate listed as revoked in any of them is revoked from its listed time on.
    When ``crls`` are given they must cover every certificate below the root (the issuing CA's and the root's
    CRL): revocation data is *required*, and a revoked or uncovered certificate is untrusted. Without
    ``crls``, the DSS's CRLs are required only for signers validated at their timestamp's time (the DSS's
    CRLs were issued after it); at the current time they are used when they are fresh but not required.
    ``revocation_checked`` says which sources the signers were checked against (``"none"`` if any signer was
    validated without required revocation data).

    Long-term validation: ``now`` is the validation time (timezone-aware; default the current time).
    Document timestamps are validated at ``now``. A signature whose signature timestamp is intact and
    trusted has its signer's certificate path validated at the timestamp's time (CRLs issued later are
    accepted), so a signer certificate that expired or was revoked *after* that time does not make the
    signature untrusted. The timestamp token itself is validated at ``now``, or, when that fails (e.g. the
    TSA certificate has expired as well), at the time of the earliest later document timestamp that is
    trusted at ``now``. Without a trusted timestamp the signer is validated at ``now``.

    :raises NotAPdf: unreadable, encrypted or damaged input.
    :raises ValueError: ``trust_roots`` is empty or ``now`` is naive.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    reader = read_pdf(pdf)
    contexts = _Contexts(trust_roots, list(other_certs), list(crls), now, dss_crls=_dss_crls(reader))
    with _quiet_pyhanko(), damaged_pdf():
        embedded = list(reader.embedded_signatures)
        statuses = asyncio.run(_validate_all(embedded, contexts))
    signatures, timestamps, levels = _reports(embedded, statuses)
    problems = _problems(signatures, timestamps, levels)
    appended = bool(signatures) and signatures[-1].intact and (levels[-1] is None or levels[-1] > ModificationLevel.LTA_UPDATES)
    return ValidationReport(
        not problems,
        signatures,
        timestamps,
        problems,
        revocation_checked=contexts.revocation_checked(),
        changed_after_last_signature=appended,
    )


class _Contexts:
    """Validation contexts of one :func:`validate_pdf` call, one per validation time (``None``: the real now).

    Each context gets the DSS's CRLs and the platform's (``crls``); it requires revocation data when the
    platform's CRLs are there, or, for a moment in the past, when the DSS has CRLs (see :func:`validate_pdf`).
    """

    def __init__(
        self,
        trust_roots: Sequence[x509.Certificate],
        other_certs: list[x509.Certificate],
        crls: list[x509.CertificateRevocationList],
        now: datetime | None,
        *,
        dss_crls: Sequence[asn1_crl.CertificateList] = (),
    ) -> None:
        if not trust_roots:
            raise ValueError("trust_roots must not be empty (the system trust store is never used)")
        self.trust_roots, self.other_certs, self.crls, self.now = trust_roots, other_certs, crls, now
        self.dss_crls = list(dss_crls)
        self._cache: dict[datetime | None, ValidationContext] = {}
        #: The revocation sources each signer was checked against (empty: not required, so not really checked).
        self._signers_checked: list[tuple[str, ...]] = []

    def current_time(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)

    def sources(self, moment: datetime | None) -> tuple[str, ...]:
        """The revocation sources required at ``moment``: ``()`` when revocation data is not required there."""
        required = bool(self.crls) or (bool(self.dss_crls) and moment != self.now)
        if not required:
            return ()
        return tuple(name for name, present in (("dss", self.dss_crls), ("platform", self.crls)) if present)

    def at(self, moment: datetime | None) -> ValidationContext:
        """The context validating at ``moment``; any moment other than ``now`` accepts later revocation info."""
        if moment not in self._cache:
            self._cache[moment] = validation_context(
                self.trust_roots,
                self.other_certs,
                self.crls,
                revocation_mode="require" if self.sources(moment) else "soft-fail",
                moment=moment,
                retroactive_revinfo=moment != self.now,
                extra_crls=self.dss_crls,
            )
        return self._cache[moment]

    def signer_checked_at(self, moment: datetime | None) -> None:
        """Remember that a signer was validated at ``moment`` (for :meth:`revocation_checked`)."""
        self._signers_checked.append(self.sources(moment))

    def revocation_checked(self) -> str:
        """``"dss"``, ``"platform"``, ``"dss+platform"``, or ``"none"`` if no signer or any signer went unchecked."""
        if not self._signers_checked or not all(self._signers_checked):
            return "none"
        used = {source for sources in self._signers_checked for source in sources}
        return "+".join(source for source in ("dss", "platform") if source in used)


async def _validate_all(embedded: Sequence[EmbeddedPdfSignature], contexts: _Contexts) -> list[Any]:
    """Validate each signature (see :func:`validate_pdf`); returns pyHanko's statuses in signing order."""
    now_context = contexts.at(contexts.now)
    statuses: list[Any] = [None] * len(embedded)
    #: (index, time) of document timestamps trusted at ``now``: proof that earlier revisions existed then.
    trusted_archives: list[tuple[int, datetime]] = []
    for index, signature in enumerate(embedded):
        if signature.sig_object_type == "/DocTimeStamp":
            status = await async_validate_pdf_timestamp(signature, now_context)
            statuses[index] = status
            if status.intact and status.valid and status.trusted:
                trusted_archives.append((index, status.timestamp))
    for index, signature in enumerate(embedded):
        if signature.sig_object_type == "/DocTimeStamp":
            continue
        ts_context = now_context
        token = await _signature_timestamp(signature, ts_context)
        if not _token_trusted(token):
            # The TSA certificate may have expired too: a later trusted document timestamp proves the token
            # existed at its time, so validate the token then.
            archive_times = [time for later, time in trusted_archives if later > index]
            if archive_times:
                candidate = contexts.at(min(archive_times))
                candidate_token = await _signature_timestamp(signature, candidate)
                if _token_trusted(candidate_token):
                    ts_context, token = candidate, candidate_token
        signer_moment = contexts.now
        if token is not None and _token_trusted(token) and token.timestamp <= contexts.current_time():
            signer_moment = token.timestamp
        contexts.signer_checked_at(signer_moment)
        statuses[index] = await async_validate_pdf_signature(signature, contexts.at(signer_moment), ts_context)
    return statuses


def _reports(
    embedded: Sequence[EmbeddedPdfSignature], statuses: Sequence[Any]
) -> tuple[list[SignatureReport], list[TimestampReport], list[ModificationLevel | None]]:
    """The signatures' and document timestamps' reports, and each signature's modification level, in signing order."""
    signatures: list[SignatureReport] = []
    timestamps: list[TimestampReport] = []
    levels: list[ModificationLevel | None] = []
    for signature, status in zip(embedded, statuses, strict=True):
        if signature.sig_object_type == "/DocTimeStamp":
            timestamps.append(_timestamp_report(signature, status))
            continue
        levels.append(status.modification_level)
        signatures.append(_signature_report(signature, status))
    return signatures, timestamps, levels


async def _signature_timestamp(signature: EmbeddedPdfSignature, context: ValidationContext) -> Any:
    """Validate only the signature timestamp token of ``signature`` (``None`` if it has none)."""
    timing = await collect_timing_info(signature.signer_info, context, raw_digest=signature.compute_digest)
    return timing.get("timestamp_validity")


def _token_trusted(token: Any) -> bool:
    return token is not None and bool(token.intact and token.valid and token.trusted)


def _dss_crls(reader: PdfFileReader) -> list[asn1_crl.CertificateList]:
    """The CRLs in the file's DSS (latest revision), parsed; unreadable ones are left out.

    A CRL counts only if its signature chains to the trust roots, which pyHanko checks, so leaving out what
    cannot be parsed loses nothing: a forged or damaged CRL would not be trusted anyway.
    """
    try:
        dss = reader.root.get("/DSS")
        references = list(dss.get_object().get("/CRLs", ())) if dss is not None else []
    except PARSE_ERRORS:
        return []
    crls = []
    for reference in references[:DSS_CRL_LIMIT]:
        try:
            crl = asn1_crl.CertificateList.load(reference.get_object().data)
            crl.native  # noqa: B018 - parse now, so a damaged CRL cannot fail deep inside validation
        except PARSE_ERRORS:
            continue
        crls.append(crl)
    return crls


def _signature_report(embedded: EmbeddedPdfSignature, status: Any) -> SignatureReport:
    cert: asn1_x509.Certificate = status.signing_cert
    tst = status.timestamp_validity
    return SignatureReport(
        field_name=embedded.field_name,
        signer_cn=_name_part(cert.subject, "common_name"),
        role=_name_part(cert.subject, "title"),
        issuer_cn=_name_part(cert.issuer, "common_name"),
        signing_time=status.signer_reported_dt,
        timestamp_time=None if tst is None else tst.timestamp,
        timestamp_trusted=tst is not None and tst.intact and tst.valid and tst.trusted,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        bottom_line=status.bottom_line,
        summary=status.summary(),
        coverage=status.coverage.name,
        modification_level=None if status.modification_level is None else status.modification_level.name,
        signed_length=_signed_length(embedded),
        signer_pseudonym=_name_part(cert.subject, "pseudonym"),
        certificate_serial=format(cert.serial_number, "X"),
        revoked=bool(status.revoked),
    )


def _signed_length(embedded: EmbeddedPdfSignature) -> int:
    start, first, second, length = (int(v) for v in embedded.byte_range)
    return max(start + first, second + length)


def _timestamp_report(embedded: EmbeddedPdfSignature, status: Any) -> TimestampReport:
    return TimestampReport(
        field_name=embedded.field_name,
        time=status.timestamp,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=status.coverage.name,
        signed_length=_signed_length(embedded),
    )


_FULL_COVERAGE = {SignatureCoverageLevel.ENTIRE_REVISION.name, SignatureCoverageLevel.ENTIRE_FILE.name}


def _problems(
    signatures: list[SignatureReport], timestamps: list[TimestampReport], levels: list[ModificationLevel | None]
) -> list[str]:
    """Explain everything that makes the document not OK; an empty list means OK."""
    if not signatures:
        return ["the document has no signatures"]
    problems = []
    for index, (report, level) in enumerate(zip(signatures, levels, strict=True)):
        # Later parties' signatures count as form filling for earlier ones; after the last, only LTA updates.
        allowed = ModificationLevel.LTA_UPDATES if index == len(signatures) - 1 else ModificationLevel.FORM_FILLING
        problems += _signature_problems(report, level, allowed)
    for timestamp in timestamps:
        if not (timestamp.intact and timestamp.valid and timestamp.trusted):
            problems.append(f"document timestamp {timestamp.field_name!r} is not intact and trusted")
    return problems


def _signature_problems(report: SignatureReport, level: ModificationLevel | None, allowed: ModificationLevel) -> list[str]:
    name = report.field_name
    problems = []
    if not (report.intact and report.valid):
        problems.append(f"signature {name!r} is broken: the signed content was changed")
    elif report.revoked and report.timestamp_trusted:
        problems.append(f"signature {name!r} was made after its certificate was revoked")
    elif report.revoked:
        problems.append(f"signature {name!r} is from a revoked certificate")
    elif not report.trusted:
        problems.append(f"signature {name!r} is not from a trusted certificate")
    elif not report.bottom_line:
        problems.append(f"signature {name!r} is not valid ({report.summary})")
    if report.coverage not in _FULL_COVERAGE:
        problems.append(f"signature {name!r} does not cover its whole revision")
    if not report.timestamp_trusted:
        problems.append(f"signature {name!r} has no trusted timestamp")
    if level is None or level > allowed:
        problems.append(f"the document was changed after signature {name!r}")
    return problems


def _name_part(name: asn1_x509.Name, part: str) -> str | None:
    value = name.native.get(part)
    if isinstance(value, list):
        value = value[0]
    return None if value is None else str(value)


_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("wage_guard_signing_quiet", default=False)
#: pyHanko loggers that report expected validation failures (an untrusted root) with full tracebacks.
_NOISY_LOGGERS = (
    "pyhanko.sign.general",
    "pyhanko.sign.validation.dss",
    "pyhanko.sign.validation.generic_cms",
    "pyhanko.sign.validation.pdf_embedded",
    "pyhanko.sign.validation.status",
    "pyhanko.sign.diff_analysis.policies",
)


class _DowngradeValidationNoise(logging.Filter):
    """Inside :func:`validate_pdf`, turn pyHanko's warnings/errors into one-line DEBUG records.

    An untrusted or tampered document is a normal *result* of validation, reported in the
    :class:`ValidationReport`; it is not an error of this application.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not _QUIET.get() or record.levelno < logging.WARNING:
            return True
        if record.exc_info and record.exc_info[1] is not None:
            record.msg, record.args = f"{record.getMessage()} ({record.exc_info[1]!r})", ()
            record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


_DOWNGRADE = _DowngradeValidationNoise()
for _name in _NOISY_LOGGERS:
    logging.getLogger(_name).addFilter(_DOWNGRADE)


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)
