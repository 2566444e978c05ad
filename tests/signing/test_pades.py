"""PAdES signing, B-LTA completion and validation, cross-checked with poppler's pdfsig and pypdfium2."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from cryptography import x509
from PIL import Image, ImageChops
from reportlab.pdfgen import canvas

from tests.signing.conftest import EMPLOYER_BOX, WORKER_BOX, Party, make_party, sign_as
from wage_guard.documents.images import UnreadableImage, seal_image
from wage_guard.signing import pades, pki, reports, validation
from wage_guard.signing.errors import NotAPdf, PlacementError, SigningError
from wage_guard.signing.keystore import EncryptedKeyStore
from wage_guard.signing.timestamps import EmbeddedTimestamper


def validate(pdf: bytes, ca: pki.PlatformCA, **kwargs: object) -> reports.ValidationReport:
    return validation.validate_pdf(pdf, trust_roots=[ca.root_cert], **kwargs)  # type: ignore[arg-type]


def placement(seal_png: bytes, page: int = 0, box: pades.Box | None = None) -> pades.SealPlacement:
    return pades.SealPlacement(page, box or (100.0, 100.0, 200.0, 200.0), seal_png)


def test_sign_pdf_two_parties_then_lta_all_trusted(signed_lta: bytes, ca: pki.PlatformCA) -> None:
    report = validate(signed_lta, ca)

    assert report.ok, report.problems
    employer, worker = report.signatures
    assert (employer.field_name, employer.signer_cn, employer.role) == ("employer", "李建国", "employer")
    assert (worker.field_name, worker.signer_cn, worker.role) == ("worker", "张三", "worker")
    for signature in report.signatures:
        assert signature.summary.startswith("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>")
        assert signature.issuer_cn == "wage_guard test Signing CA"
        assert signature.timestamp_trusted
        assert signature.timestamp_time is not None
        assert signature.signing_time is not None
    # The worker's signature was added later: form filling for the employer's, LTA updates for the worker's.
    assert (employer.modification_level, worker.modification_level) == ("FORM_FILLING", "LTA_UPDATES")
    [document_timestamp] = report.document_timestamps
    assert (document_timestamp.intact, document_timestamp.valid, document_timestamp.trusted) == (True, True, True)
    assert document_timestamp.time is not None
    assert worker.timestamp_time is not None
    assert document_timestamp.time >= worker.timestamp_time


def test_sign_pdf_b_t_before_lta_is_ok_and_incremental(signed_bt: bytes, contract_pdf: bytes, ca: pki.PlatformCA) -> None:
    report = validate(signed_bt, ca)

    assert report.ok, report.problems
    assert report.document_timestamps == []
    assert signed_bt.startswith(contract_pdf)


def test_validation_report_to_dict_is_json(signed_lta: bytes, ca: pki.PlatformCA) -> None:
    data = json.loads(json.dumps(validate(signed_lta, ca).to_dict(), ensure_ascii=False))

    assert data["ok"] is True
    assert data["signatures"][1]["signer_cn"] == "张三"
    assert data["document_timestamps"][0]["time"].startswith("20")


def test_pdfsig_trusts_both_signatures(signed_lta: bytes, pdfsig: Callable[[bytes], list[str]]) -> None:
    blocks = pdfsig(signed_lta)

    assert len(blocks) == 3  # employer, worker, document timestamp (pdfsig cannot verify the last)
    for block in blocks[:2]:
        assert "Signature is Valid." in block
        assert "Certificate is Trusted." in block


def test_changed_byte_in_signed_range_fails_everywhere(
    signed_lta: bytes, ca: pki.PlatformCA, pdfsig: Callable[[bytes], list[str]]
) -> None:
    assert signed_lta.count(b"72 760 Tm") == 1
    tampered = signed_lta.replace(b"72 760 Tm", b"72 761 Tm")

    report = validate(tampered, ca)

    assert not report.ok
    assert not any(s.intact for s in report.signatures)
    assert not any(s.summary.startswith("INTACT") for s in report.signatures)
    assert not any(d.intact for d in report.document_timestamps)
    for block in pdfsig(tampered)[:2]:
        assert "Signature is Valid." not in block


def test_signature_from_other_ca_is_untrusted(
    contract_pdf: bytes,
    other_ca: pki.PlatformCA,
    ca: pki.PlatformCA,
    store: EncryptedKeyStore,
    seal_png: bytes,
    pdfsig: Callable[[bytes], list[str]],
    now: datetime,
) -> None:
    impostor = make_party(store, pki.PlatformIssuer(other_ca), pki.PersonSubject("张三", "worker", "aa11"), now)
    forged = sign_as(contract_pdf, impostor, store, EmbeddedTimestamper.from_ca(other_ca), "worker", WORKER_BOX, seal_png)

    report = validate(forged, ca)

    [signature] = report.signatures
    assert signature.intact
    assert not signature.trusted
    assert not signature.timestamp_trusted
    assert not report.ok
    [block] = pdfsig(forged)
    assert "Signature is Valid." in block  # the maths is fine...
    assert "Certificate is Trusted." not in block  # ...but the issuer is unknown
    assert "Certificate issuer is unknown." in block


def test_validate_pdf_keeps_untrusted_noise_out_of_logs(
    signed_lta: bytes, other_ca: pki.PlatformCA, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    report = validate(signed_lta, other_ca)

    assert not report.ok
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []


def _add_annotation_incrementally(pdf: bytes) -> bytes:
    document = pdfium.PdfDocument(pdf)
    annotation = pdfium_c.FPDFPage_CreateAnnot(document[0], pdfium_c.FPDF_ANNOT_SQUARE)
    pdfium_c.FPDFAnnot_SetRect(annotation, pdfium_c.FS_RECTF(50, 50, 150, 150))
    pdfium_c.FPDFPage_CloseAnnot(annotation)
    output = io.BytesIO()
    document.save(output, flags=pdfium_c.FPDF_INCREMENTAL)
    document.close()
    return output.getvalue()


@pytest.mark.parametrize("fixture", ["signed_bt", "signed_lta"])
def test_content_appended_after_last_signature_is_not_ok(
    fixture: str, request: pytest.FixtureRequest, ca: pki.PlatformCA
) -> None:
    signed: bytes = request.getfixturevalue(fixture)
    modified = _add_annotation_incrementally(signed)
    assert modified.startswith(signed)

    report = validate(modified, ca)

    assert all(s.intact and s.trusted for s in report.signatures)  # the signed bytes are untouched...
    assert not report.ok  # ...but something other than validation data was added afterwards
    assert any("changed after signature 'worker'" in p for p in report.problems)


def test_revoked_signer_is_not_ok(signed_bt: bytes, ca: pki.PlatformCA, worker: Party, now: datetime) -> None:
    # Revoked a minute before the session's start, so certainly before the worker signed: a revocation "at now"
    # is stated rounded up to the next second, and a fast run signs within that second (before the revocation).
    revoked = pki.RevokedEntry(worker.cert.serial_number, now - timedelta(minutes=1))
    crls = [pki.issue_crl(ca, [revoked], now), pki.issue_crl(ca, [], now, issuer="root")]

    report = validate(signed_bt, ca, crls=crls)

    assert report.revocation_checked == "platform"
    assert not report.ok
    assert [s.trusted for s in report.signatures] == [True, False]
    assert [s.revoked for s in report.signatures] == [False, True]
    assert report.signatures[1].summary.startswith("INTACT:REVOKED")
    assert "signature 'worker' was made after its certificate was revoked" in report.problems


def test_validate_pdf_with_crls_checks_revocation(
    signed_lta: bytes, ca: pki.PlatformCA, crls: list[x509.CertificateRevocationList]
) -> None:
    report = validate(signed_lta, ca, crls=crls)

    assert report.ok, report.problems
    assert report.revocation_checked == "dss+platform"


def test_validate_pdf_with_incomplete_crls_is_untrusted(
    signed_bt: bytes, ca: pki.PlatformCA, crls: list[x509.CertificateRevocationList]
) -> None:
    report = validate(signed_bt, ca, crls=crls[:1])  # no root CRL: the issuing CA's status is unknown

    assert not report.ok
    assert not any(s.trusted for s in report.signatures)


def test_complete_lta_refuses_incomplete_revocation_data(
    signed_bt: bytes, ca: pki.PlatformCA, crls: list[x509.CertificateRevocationList], timestamper: EmbeddedTimestamper
) -> None:
    issuing_ca_crl_only = crls[:1]

    with pytest.raises(SigningError, match="revocation data"):
        pades.complete_lta(signed_bt, trust_roots=[ca.root_cert], crls=issuing_ca_crl_only, timestamper=timestamper)


def test_complete_lta_refuses_untrusted_signature(
    signed_bt: bytes, other_ca: pki.PlatformCA, crls: list[x509.CertificateRevocationList], timestamper: EmbeddedTimestamper
) -> None:
    with pytest.raises(SigningError, match="trusted root"):
        pades.complete_lta(signed_bt, trust_roots=[other_ca.root_cert], crls=crls, timestamper=timestamper)


def _red_pixels(image: Image.Image, box: pades.Box, page_height: float, scale: float) -> tuple[int, int]:
    """Count strongly red pixels inside ``box`` (PDF points) and outside it (with a 2 px anti-aliasing margin)."""
    red, green, blue = image.split()
    mask = ImageChops.multiply(
        ImageChops.multiply(red.point(lambda v: 255 if v > 200 else 0), green.point(lambda v: 255 if v < 60 else 0)),
        blue.point(lambda v: 255 if v < 60 else 0),
    )
    left, right = box[0] * scale, box[2] * scale
    top, bottom = (page_height - box[3]) * scale, (page_height - box[1]) * scale
    inside = mask.crop((round(left), round(top), round(right), round(bottom))).histogram()[255]
    around = mask.crop((round(left) - 2, round(top) - 2, round(right) + 2, round(bottom) + 2)).histogram()[255]
    return inside, mask.histogram()[255] - around


def test_seal_is_drawn_inside_its_box(
    contract_pdf: bytes, employer: Party, store: EncryptedKeyStore, timestamper: EmbeddedTimestamper, seal_png: bytes
) -> None:
    signed = sign_as(contract_pdf, employer, store, timestamper, "employer", EMPLOYER_BOX, seal_png)
    document = pdfium.PdfDocument(signed)
    document.init_forms()
    scale = 1.0
    page = document[1]
    image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
    page_height = page.get_height()

    inside, outside = _red_pixels(image, EMPLOYER_BOX, page_height, scale)
    document.close()

    box_area = (EMPLOYER_BOX[2] - EMPLOYER_BOX[0]) * (EMPLOYER_BOX[3] - EMPLOYER_BOX[1]) * scale**2
    assert inside > 0.6 * box_area  # a disc fills pi/4 of its square
    assert outside == 0


@pytest.mark.parametrize(
    ("page", "box"),
    [
        (0, (500.0, 100.0, 700.0, 200.0)),  # beyond the right edge of A4 (595 pt)
        (0, (100.0, -10.0, 200.0, 90.0)),  # below the page
        (0, (100.0, 800.0, 200.0, 900.0)),  # above the page (842 pt)
        (0, (200.0, 100.0, 100.0, 200.0)),  # x1 > x2
        (0, (100.0, 100.0, 100.0, 200.0)),  # zero width
        (2, (100.0, 100.0, 200.0, 200.0)),  # the document has pages 0 and 1
        (-1, (100.0, 100.0, 200.0, 200.0)),
    ],
)
def test_sign_pdf_rejects_bad_placement(
    page: int,
    box: pades.Box,
    contract_pdf: bytes,
    employer: Party,
    store: EncryptedKeyStore,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
) -> None:
    with pytest.raises(PlacementError):
        pades.sign_pdf(
            contract_pdf,
            signer=store.signer(employer.reference, employer.cert, employer.chain),
            timestamper=timestamper,
            field_name="employer",
            placement=placement(seal_png, page, box),
            reason="r",
            location="l",
        )


def test_sign_pdf_respects_crop_box(
    employer: Party, store: EncryptedKeyStore, timestamper: EmbeddedTimestamper, seal_png: bytes
) -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842), cropBox=(0, 0, 300, 300))
    pdf.drawString(10, 10, "x")
    pdf.showPage()
    pdf.save()
    signer = store.signer(employer.reference, employer.cert, employer.chain)

    with pytest.raises(PlacementError, match="outside"):
        pades.sign_pdf(
            buffer.getvalue(),
            signer=signer,
            timestamper=timestamper,
            field_name="f",
            placement=placement(seal_png, 0, (250.0, 250.0, 350.0, 350.0)),
            reason="r",
            location="l",
        )


def _encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="secret")
    pdf.drawString(72, 700, "encrypted")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        lambda pdf: b"this is not a PDF at all",
        lambda pdf: b"",
        lambda pdf: pdf[: len(pdf) // 2],
        lambda pdf: b"%PDF-1.7\n" + b"\x00garbage" * 50,
        lambda pdf: _encrypted_pdf(),
    ],
    ids=["text", "empty", "truncated", "garbage-after-header", "encrypted"],
)
def test_not_a_pdf_is_refused_by_sign_and_validate(
    make: Callable[[bytes], bytes],
    contract_pdf: bytes,
    ca: pki.PlatformCA,
    employer: Party,
    store: EncryptedKeyStore,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
) -> None:
    data = make(contract_pdf)

    with pytest.raises(NotAPdf):
        validate(data, ca)
    with pytest.raises(NotAPdf):
        sign_as(data, employer, store, timestamper, "employer", EMPLOYER_BOX, seal_png)


def test_sign_pdf_refuses_to_sign_a_field_twice(
    signed_bt: bytes, worker: Party, store: EncryptedKeyStore, timestamper: EmbeddedTimestamper, seal_png: bytes
) -> None:
    with pytest.raises(SigningError):
        sign_as(signed_bt, worker, store, timestamper, "worker", WORKER_BOX, seal_png)


def test_sign_pdf_rejects_unreadable_seal(
    contract_pdf: bytes, employer: Party, store: EncryptedKeyStore, timestamper: EmbeddedTimestamper
) -> None:
    with pytest.raises(PlacementError, match="PNG"):
        sign_as(contract_pdf, employer, store, timestamper, "employer", EMPLOYER_BOX, b"not a png")


def test_seal_image_decodes_a_png_for_pyhanko_as_rgba_and_refuses_anything_else() -> None:
    """Signing gets the decoded seal from the documents package, so Pillow stays there."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (204, 28, 36)).save(buffer, format="PNG")
    image = seal_image(buffer.getvalue())
    assert (image.mode, image.size, image.getpixel((0, 0))) == ("RGBA", (4, 3), (204, 28, 36, 255))
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 3)).save(jpeg, format="JPEG")
    for junk in (b"not a png", jpeg.getvalue(), buffer.getvalue()[:40]):
        with pytest.raises(UnreadableImage):
            seal_image(junk)


def test_validate_pdf_unsigned_document_is_not_ok(contract_pdf: bytes, ca: pki.PlatformCA) -> None:
    report = validate(contract_pdf, ca)

    assert not report.ok
    assert report.problems == ["the document has no signatures"]
