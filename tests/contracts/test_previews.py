"""Page previews: WebP pages for the phone with signature widgets drawn, and exact preview/PDF coordinates."""

from __future__ import annotations

import io

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image, ImageChops
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from tests.contracts.support import CONTRACT_NUMBER, VERIFY_URL, require_font, sample_terms
from wage_guard.documents.contract import render_contract_pdf
from wage_guard.documents.previews import page_sizes, pdf_to_preview_box, preview_to_pdf_box, render_previews


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: previews are pure (no app or database)."""


@pytest.fixture(scope="module")
def contract_pdf() -> bytes:
    require_font()
    return render_contract_pdf(sample_terms(), contract_number=CONTRACT_NUMBER, verify_url=VERIFY_URL)


def test_previews_are_phone_sized_webp_under_96_kb(contract_pdf: bytes) -> None:
    """720 px: a 360 px phone screen at twice its density; the signing page's first view must stay in 150 KB."""
    previews = render_previews(contract_pdf)
    assert len(previews) == len(page_sizes(contract_pdf)) >= 2
    for data in previews:
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP"
        assert image.width == 720
        assert abs(image.height - 720 * A4[1] / A4[0]) <= 1
        assert len(data) <= 96 * 1024


def test_previews_honour_width_and_quality(contract_pdf: bytes) -> None:
    small = render_previews(contract_pdf, width=540, quality=50)
    assert Image.open(io.BytesIO(small[0])).width == 540
    assert len(small[0]) < len(render_previews(contract_pdf)[0])


def test_page_sizes_are_a4_points(contract_pdf: bytes) -> None:
    for width, height in page_sizes(contract_pdf):
        assert width == pytest.approx(A4[0], abs=0.01)
        assert height == pytest.approx(A4[1], abs=0.01)


def _pdf_with_red_widget() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.acroForm.textfield(
        name="seal",
        value="SEAL",
        x=100,
        y=500,
        width=300,
        height=80,
        fillColor=colors.red,
        borderColor=colors.red,
        textColor=colors.red,
        fontSize=40,
        fieldFlags="readOnly",
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_previews_draw_form_widgets_like_signature_seals() -> None:
    # Signature appearances are widget annotations; without init_forms() pdfium leaves them out.
    image = Image.open(io.BytesIO(render_previews(_pdf_with_red_widget(), width=600)[0])).convert("RGB")
    r, g, b = image.split()
    red = ImageChops.multiply(r.point(lambda v: 255 if v > 180 else 0), g.point(lambda v: 255 if v < 90 else 0))
    red = ImageChops.multiply(red, b.point(lambda v: 255 if v < 90 else 0))
    assert red.histogram()[255] > 1000


def test_preview_box_converts_to_pdf_points() -> None:
    page, preview = (595.0, 842.0), (1080.0, 1528.0)
    # the top-left quarter of the preview is the top-left quarter of the page
    assert preview_to_pdf_box(page, preview, (0, 0, 540, 764)) == pytest.approx((0, 421, 297.5, 842))
    assert pdf_to_preview_box(page, preview, (0, 421, 297.5, 842)) == pytest.approx((0, 0, 540, 764))


@pytest.mark.parametrize(
    "box", [(0, 0, 0, 10), (10, 10, 5, 20), (-1, 0, 10, 10), (0, 0, 1081, 10), (0, 0, 10, 1529), (float("nan"), 0, 1, 1)]
)
def test_preview_box_must_be_non_empty_and_on_the_preview(box: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="box"):
        preview_to_pdf_box((595.0, 842.0), (1080.0, 1528.0), box)


sizes = st.tuples(st.floats(50, 3000), st.floats(50, 3000))


@st.composite
def boxes_on(draw: st.DrawFn) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float, float, float]]:
    page, preview = draw(sizes), draw(sizes)
    fractions = sorted(draw(st.lists(st.floats(0, 1), min_size=2, max_size=2, unique=True)))
    rows = sorted(draw(st.lists(st.floats(0, 1), min_size=2, max_size=2, unique=True)))
    box = (fractions[0] * preview[0], rows[0] * preview[1], fractions[1] * preview[0], rows[1] * preview[1])
    return page, preview, box


@given(boxes_on())
def test_preview_pdf_round_trip_is_identity_and_stays_on_the_page(
    case: tuple[tuple[float, float], tuple[float, float], tuple[float, float, float, float]],
) -> None:
    page, preview, box = case
    assume(box[2] - box[0] > 1e-3 and box[3] - box[1] > 1e-3)
    x1, y1, x2, y2 = preview_to_pdf_box(page, preview, box)
    assert 0 <= x1 < x2 <= page[0]
    assert 0 <= y1 < y2 <= page[1]
    assert pdf_to_preview_box(page, preview, (x1, y1, x2, y2)) == pytest.approx(box, abs=1e-6)
