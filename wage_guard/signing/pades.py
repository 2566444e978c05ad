"""PAdES signatures on contract PDFs: sign with a visible seal (B-T) and make long-term (B-LTA).

Every party signs in its own incremental update, so the employer's signature stays valid after the worker
signs. Speed matters on two cores (signing-notes.md): stock ``sign_pdf`` signs and timestamps twice to
estimate the container size; here ``bytes_reserved`` is computed from the certificates, so each signature
is made and timestamped exactly once, and signers come from a key store that keeps parsed keys.

Validation is :mod:`wage_guard.signing.validation`; its results are the plain :mod:`wage_guard.signing.reports`.
The seal image is decoded by ``wage_guard.documents.images`` (Pillow stays in the documents package).

This module and its siblings are the only place pyHanko is imported.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.validation import DocumentSecurityStore, EmbeddedPdfSignature, collect_validation_info
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from wage_guard.documents.images import UnreadableImage, seal_image
from wage_guard.signing.errors import NotAPdf, PlacementError, SigningError
from wage_guard.signing.keystore import LruCache
from wage_guard.signing.pdfio import damaged_pdf, read_pdf, validation_context
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
#: A rectangle in PDF points: (x1, y1, x2, y2), origin bottom-left, x1 < x2 and y1 < y2.
Box = tuple[float, float, float, float]
#: Seal PNGs decoded for pyHanko (``documents.images.seal_image``), by their bytes: workers' seals repeat.
_seal_images: LruCache[bytes, Any] = LruCache(32)


@dataclass(frozen=True)
class SealPlacement:
    """Where the visible seal goes: page index, box in PDF points (origin bottom-left) and a transparent PNG."""

    page_index: int
    box: Box
    image_png: bytes = field(repr=False)


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
    reader = read_pdf(pdf)
    context = validation_context(trust_roots, other_certs, crls, revocation_mode="require")
    with damaged_pdf():
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


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    reader = read_pdf(pdf)
    with damaged_pdf():
        return IncrementalPdfFileWriter.from_reader(reader)


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
    with damaged_pdf():
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


def _load_seal(image_png: bytes) -> Any:
    try:
        return seal_image(image_png)
    except UnreadableImage as exc:
        raise PlacementError("the seal image is not a readable PNG") from exc


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
