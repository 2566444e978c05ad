"""Opening PDFs with pyHanko and building validation contexts, shared by signing (``pades``) and ``validation``.

Both read hostile bytes: every way a damaged PDF fails to parse becomes :class:`NotAPdf` here, in one place, and
every validation context trusts only the roots it is given and never fetches anything.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator import ValidationContext

from wage_guard.signing.errors import NotAPdf
from wage_guard.signing.keystore import to_asn1_certificate

#: Exceptions a damaged PDF raises inside pyHanko's parser.
PARSE_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError)


def read_pdf(pdf: bytes) -> PdfFileReader:
    """A reader for ``pdf``; raises :class:`NotAPdf` for something that is not a PDF, encrypted or damaged."""
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise NotAPdf("the file is not a PDF")
    with damaged_pdf():
        reader = PdfFileReader(io.BytesIO(pdf))
        if reader.encrypted:
            raise NotAPdf("encrypted PDFs are not accepted")
        reader.root["/Pages"]  # noqa: B018 - fails early on a damaged catalogue
    return reader


@contextmanager
def damaged_pdf() -> Iterator[None]:
    """Turn the many ways a damaged PDF fails to parse into :class:`NotAPdf`."""
    try:
        yield
    except PARSE_ERRORS as exc:
        raise NotAPdf("the PDF is damaged and cannot be read") from exc


def validation_context(
    trust_roots: Sequence[x509.Certificate],
    other_certs: Iterable[x509.Certificate],
    crls: Iterable[x509.CertificateRevocationList],
    *,
    revocation_mode: str = "soft-fail",
    moment: datetime | None = None,
    retroactive_revinfo: bool = False,
    extra_crls: Sequence[asn1_crl.CertificateList] = (),
) -> ValidationContext:
    """A context trusting only ``trust_roots`` (never the system store) that fetches nothing."""
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
