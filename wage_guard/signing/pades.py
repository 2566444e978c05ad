"""PAdES signatures on contract PDFs: sign with a visible seal (B-T), make long-term (B-LTA), and validate.

Every party signs in its own incremental update, so the employer's signature stays valid after the worker
signs. Speed matters on two cores (signing-notes.md): stock ``sign_pdf`` signs and timestamps twice to
estimate the container size; here ``bytes_reserved`` is computed from the certificates, so each signature
is made and timestamped exactly once, and signers come from a key store that keeps parsed keys.

Validation reports the per-signature facts the verification page shows, plus one ``ok`` verdict: every
signature intact, valid, trusted and timestamped by a trusted TSA, and nothing but validation data or
document timestamps added after the last signature (pyHanko's difference analysis).

This module and its siblings are the only place pyHanko is imported.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
    collect_validation_info,
)
from pyhanko.sign.validation.generic_cms import collect_timing_info
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from wage_guard.signing.errors import NotAPdf, PlacementError, SigningError
from wage_guard.signing.keystore import LruCache, to_asn1_certificate
from wage_guard.signing.timestamps import EmbeddedTimestamper, Timestamper

MD_ALGORITHM = "sha256"
#: Hex digits reserved for a signature container before its certificates: 8 KB of DER. A P-256 B-T
#: container with the platform chain and an embedded-TSA token is about 3.3 KB. The seal image is not
#: in the container (it is an XObject in the same revision), so its size does not matter here.
RESERVE_BASE = 16384
#: Extra room for an external TSA's token, whose certificate chain is not known in advance.
RESERVE_EXTERNAL_TSA = 16384
_SEAL_LAYOUT = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MID,
    y_align=layout.AxisAlignment.ALIGN_MID,
    margins=layout.Margins.uniform(0),
    inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
)
_seal_images: LruCache[bytes, Image.Image] = LruCache(32)

#: A rectangle in PDF points: (x1, y1, x2, y2), origin bottom-left, x1 < x2 and y1 < y2.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SealPlacement:
    """Where the visible seal goes: page index, box in PDF points (origin bottom-left) and a transparent PNG."""

    page_index: int
    box: Box
    image_png: bytes = field(repr=False)


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
    coverage: str
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
    """The result of :func:`validate_pdf`; ``problems`` says in plain words why ``ok`` is False."""

    ok: bool
    signatures: list[SignatureReport]
    document_timestamps: list[TimestampReport]
    problems: list[str]
    #: Where the signers' revocation status was checked, as :func:`validate_pdf` explains: ``"dss"`` (only the
    #: CRLs inside the file), ``"platform"`` (only the CRLs given by the caller), ``"dss+platform"``, or
    #: ``"none"`` when some signature could not be checked against revocation data that was required.
    revocation_checked: str = "none"
    #: The last signature is intact but something other than validation data was added after it.
    changed_after_last_signature: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        return _jsonable(asdict(self))


def sign_pdf(
    pdf: bytes,
    *,
    signer: signers.Signer,
    timestamper: Timestamper,
    field_name: str,
    placement: SealPlacement,
    reason: str,
    location: str,
    contact: str | None = None,
) -> bytes:
    """Return ``pdf`` with a PAdES B-T signature and visible seal appended as an incremental update.

    :raises NotAPdf: unreadable, encrypted or damaged input.
    :raises PlacementError: bad page index or a seal box outside the page.
    :raises TimestampUnavailable: no timestamp could be had (nothing is returned).
    :raises KeyStoreUnavailable: the signer's key could not be used.
    :raises SigningError: anything else pyHanko refuses (e.g. the field is already signed).
    """
    writer = _writer(pdf)
    _check_placement(writer, placement)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=MD_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        contact_info=contact,
    )
    # pyHanko annotates ``box`` as ints but writes any number (FloatObject); seals need fractional points.
    spec = fields.SigFieldSpec(field_name, on_page=placement.page_index, box=placement.box)  # type: ignore[arg-type]
    pdf_signer = signers.PdfSigner(
        metadata, signer, timestamper=timestamper, stamp_style=_seal_style(placement.image_png), new_field_spec=spec
    )
    output = io.BytesIO()
    with _pyhanko_errors("the document could not be signed"):
        pdf_signer.sign_pdf(writer, output=output, bytes_reserved=_bytes_reserved(signer, timestamper))
    return output.getvalue()


def complete_lta(
    pdf: bytes,
    *,
    trust_roots: Sequence[x509.Certificate],
    other_certs: Iterable[x509.Certificate] = (),
    crls: Iterable[x509.CertificateRevocationList] = (),
    timestamper: Timestamper,
) -> bytes:
    """Add validation data (DSS) for every signature and a document timestamp, offline (PAdES B-LTA).

    Both go into one incremental update. Nothing is fetched, so ``crls`` must cover every certificate below
    the root: the issuing CA's CRL (signers, TSA) *and* the root's CRL (the issuing CA). Without the root's
    CRL pyHanko's AdES long-term validation ends INDETERMINATE, so it is required here, not discovered later.

    :raises SigningError: a certificate does not chain to ``trust_roots``, or its revocation data is missing.
    :raises TimestampUnavailable: no document timestamp could be had.
    """
    reader = _reader(pdf)
    context = _validation_context(trust_roots, other_certs, crls, revocation_mode="require")
    with _damaged_pdf():
        embedded, writer = reader.embedded_signatures, IncrementalPdfFileWriter.from_reader(reader)
    paths = asyncio.run(_validation_paths(embedded, context))
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=context)
    output = io.BytesIO()
    with _pyhanko_errors("the document timestamp could not be added"):
        signers.PdfTimeStamper(timestamper).timestamp_pdf(
            writer,
            MD_ALGORITHM,
            validation_context=context,
            bytes_reserved=_timestamp_reserve(timestamper),
            output=output,
            dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False),
        )
    return output.getvalue()


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
    reader = _reader(pdf)
    contexts = _Contexts(trust_roots, list(other_certs), list(crls), now, dss_crls=_dss_crls(reader))
    with _quiet_pyhanko(), _damaged_pdf():
        embedded = list(reader.embedded_signatures)
        statuses = asyncio.run(_validate_all(embedded, contexts))
    signatures: list[SignatureReport] = []
    timestamps: list[TimestampReport] = []
    levels: list[ModificationLevel | None] = []
    for signature, status in zip(embedded, statuses, strict=True):
        if signature.sig_object_type == "/DocTimeStamp":
            timestamps.append(_timestamp_report(signature, status))
            continue
        levels.append(status.modification_level)
        signatures.append(_signature_report(signature, status))
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
            self._cache[moment] = _validation_context(
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


async def _signature_timestamp(signature: EmbeddedPdfSignature, context: ValidationContext) -> Any:
    """Validate only the signature timestamp token of ``signature`` (``None`` if it has none)."""
    timing = await collect_timing_info(signature.signer_info, context, raw_digest=signature.compute_digest)
    return timing.get("timestamp_validity")


def _token_trusted(token: Any) -> bool:
    return token is not None and bool(token.intact and token.valid and token.trusted)


def _reader(pdf: bytes) -> PdfFileReader:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise NotAPdf("the file is not a PDF")
    with _damaged_pdf():
        reader = PdfFileReader(io.BytesIO(pdf))
        if reader.encrypted:
            raise NotAPdf("encrypted PDFs are not accepted")
        reader.root["/Pages"]  # noqa: B018 - fails early on a damaged catalogue
    return reader


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    reader = _reader(pdf)
    with _damaged_pdf():
        return IncrementalPdfFileWriter.from_reader(reader)


@contextmanager
def _damaged_pdf() -> Iterator[None]:
    """Turn the many ways a damaged PDF fails to parse into :class:`NotAPdf`."""
    try:
        yield
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise NotAPdf("the PDF is damaged and cannot be read") from exc


@contextmanager
def _pyhanko_errors(reason: str) -> Iterator[None]:
    try:
        yield
    except (PyhankoSigningError, PdfError) as exc:
        raise SigningError(f"{reason}: {exc}") from exc


def _check_placement(writer: IncrementalPdfFileWriter, placement: SealPlacement) -> None:
    x1, y1, x2, y2 = placement.box
    if not (x1 < x2 and y1 < y2):
        raise PlacementError("the seal box must have x1 < x2 and y1 < y2")
    with _damaged_pdf():
        page_count = int(writer.root["/Pages"]["/Count"])
        if not 0 <= placement.page_index < page_count:
            raise PlacementError(f"page {placement.page_index} does not exist (the document has {page_count} pages)")
        visible = _visible_area(writer.find_page_for_modification(placement.page_index)[0].get_object())
    left, bottom, right, top = visible
    if x1 < left or y1 < bottom or x2 > right or y2 > top:
        raise PlacementError(f"the seal box {placement.box} lies outside the visible page {visible}")


def _visible_area(page: generic.DictionaryObject) -> tuple[float, float, float, float]:
    """Return the intersection of the page's MediaBox and CropBox (both may be inherited)."""
    media = _normalised(_inherited(page, "/MediaBox"))
    crop_value = _inherited(page, "/CropBox")
    crop = media if crop_value is None else _normalised(crop_value)
    return max(media[0], crop[0]), max(media[1], crop[1]), min(media[2], crop[2]), min(media[3], crop[3])


def _inherited(page: generic.DictionaryObject, key: str) -> Any:
    node: Any = page
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    if key == "/MediaBox":
        raise NotAPdf("a page has no MediaBox")
    return None


def _normalised(box: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _seal_style(image_png: bytes) -> StaticStampStyle:
    image = _seal_images.get_or_create(image_png, lambda: _load_seal(image_png))
    return StaticStampStyle(background=PdfImage(image), background_layout=_SEAL_LAYOUT, border_width=0, background_opacity=1.0)


def _load_seal(image_png: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(image_png), formats=["PNG"])
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise PlacementError("the seal image is not a readable PNG") from exc
    return image if image.mode == "RGBA" else image.convert("RGBA")


def _bytes_reserved(signer: signers.Signer, timestamper: Timestamper) -> int:
    """Size the container once, from the certificates it will carry, instead of signing twice to measure."""
    if signer.signing_cert is None:
        raise SigningError("the signer has no certificate")
    certificates = {signer.signing_cert.dump(), *(c.dump() for c in signer.cert_registry)}
    return _timestamp_reserve(timestamper) + 2 * sum(len(c) for c in certificates)


def _timestamp_reserve(timestamper: Timestamper) -> int:
    """Hex digits for a container holding one timestamp token (plus :data:`RESERVE_BASE` of slack)."""
    if isinstance(timestamper, EmbeddedTimestamper):
        return RESERVE_BASE + 2 * sum(len(c.dump()) for c in timestamper.certificates)
    return RESERVE_BASE + RESERVE_EXTERNAL_TSA


def _validation_context(
    trust_roots: Sequence[x509.Certificate],
    other_certs: Iterable[x509.Certificate],
    crls: Iterable[x509.CertificateRevocationList],
    *,
    revocation_mode: str = "soft-fail",
    moment: datetime | None = None,
    retroactive_revinfo: bool = False,
    extra_crls: Sequence[asn1_crl.CertificateList] = (),
) -> ValidationContext:
    if not trust_roots:
        raise ValueError("trust_roots must not be empty (the system trust store is never used)")
    return ValidationContext(
        trust_roots=[to_asn1_certificate(c) for c in trust_roots],
        other_certs=[to_asn1_certificate(c) for c in other_certs],
        crls=[*extra_crls, *(asn1_crl.CertificateList.load(c.public_bytes(serialization.Encoding.DER)) for c in crls)],
        allow_fetching=False,
        revocation_mode=revocation_mode,
        moment=moment,
        retroactive_revinfo=retroactive_revinfo,
    )


#: At most this many CRLs are read from a file's DSS (a completed contract has two).
DSS_CRL_LIMIT = 64


def _dss_crls(reader: PdfFileReader) -> list[asn1_crl.CertificateList]:
    """The CRLs in the file's DSS (latest revision), parsed; unreadable ones are left out.

    A CRL counts only if its signature chains to the trust roots, which pyHanko checks, so leaving out what
    cannot be parsed loses nothing: a forged or damaged CRL would not be trusted anyway.
    """
    try:
        dss = reader.root.get("/DSS")
        references = list(dss.get_object().get("/CRLs", ())) if dss is not None else []
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return []
    crls = []
    for reference in references[:DSS_CRL_LIMIT]:
        try:
            crl = asn1_crl.CertificateList.load(reference.get_object().data)
            crl.native  # noqa: B018 - parse now, so a damaged CRL cannot fail deep inside validation
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            continue
        crls.append(crl)
    return crls


async def _validation_paths(embedded: Sequence[EmbeddedPdfSignature], context: ValidationContext) -> list[Any]:
    paths: list[Any] = []
    for signature in embedded:
        try:
            paths += await collect_validation_info(signature, context)
        except RevokedError as exc:
            raise SigningError(f"the certificate behind {signature.field_name!r} is revoked") from exc
        except InsufficientRevinfoError as exc:
            raise SigningError(f"revocation data (CRL) is missing for {signature.field_name!r}: {exc}") from exc
        except (PathBuildingError, PathValidationError) as exc:
            raise SigningError(f"signature {signature.field_name!r} does not chain to a trusted root") from exc
    return paths


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


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


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
