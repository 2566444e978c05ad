"""Page previews of a contract PDF for the phone, and the geometry between preview pixels and PDF points.

Workers read and place their seal on images rather than in a PDF viewer: many cheap Android phones have none, and an
image shows exactly the pages that will be signed. pypdfium2 draws a page in about 25 ms; WebP at quality 80 and
720 px is 15–80 KB a page, a fraction of PNG, which matters on prepaid data (signing-notes.md). Encoding
dominates, so the service layer should render once per document version and cache.

``init_forms()`` is required: the seals of earlier signers are drawn by signature widgets, which pdfium leaves out
without a form environment. pdfium is not thread-safe, so all calls into it hold one lock.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
from PIL import Image

Box = tuple[float, float, float, float]
Size = tuple[float, float]
_pdfium_lock = threading.Lock()


#: Preview width in pixels: a 360 px phone screen at twice its density. A 3-page contract is then about 210 KB of
#: images instead of 380 KB at 1080 px, and the signing page's first view stays within 150 KB (issue #12).
PHONE_WIDTH = 720


def render_previews(pdf: bytes, *, width: int = PHONE_WIDTH, quality: int = 80) -> list[bytes]:
    """Return each page as a WebP image ``width`` pixels wide (height in proportion), seals included."""
    images = []
    with _document(pdf, forms=True) as document:
        for index in range(len(document)):
            page = document[index]
            try:
                scale = width / page.get_width()
                bitmap = page.render(scale=scale, may_draw_forms=True)
                image = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
            if image.width != width:  # guard against pdfium rounding the pixel width
                image = image.resize((width, round(image.height * width / image.width)))
            images.append(_webp(image, quality))
    return images


def page_sizes(pdf: bytes) -> list[Size]:
    """Return (width, height) of every page in PDF points, for converting preview positions."""
    with _document(pdf, forms=False) as document:
        return [document.get_page_size(index) for index in range(len(document))]


def preview_to_pdf_box(page_size_pt: Size, preview_px_size: Size, box_px: Box) -> Box:
    """Convert a box on a page preview to PDF points.

    ``box_px`` is (left, top, right, bottom) in preview pixels, origin top-left; the result is (x1, y1, x2, y2) in
    points, origin bottom-left, with x1 < x2 and y1 < y2.

    :raises ValueError: when the box is empty or not wholly on the preview.
    """
    left, top, right, bottom = _inside(box_px, preview_px_size)
    (page_w, page_h), (px_w, px_h) = page_size_pt, preview_px_size
    sx, sy = page_w / px_w, page_h / px_h
    return _clamp((left * sx, page_h - bottom * sy, right * sx, page_h - top * sy), page_size_pt)


def pdf_to_preview_box(page_size_pt: Size, preview_px_size: Size, box_pt: Box) -> Box:
    """Convert a box in PDF points (x1, y1, x2, y2, origin bottom-left) to preview pixels (left, top, right, bottom).

    :raises ValueError: when the box is empty or not wholly on the page.
    """
    x1, y1, x2, y2 = _inside(box_pt, page_size_pt)
    (page_w, page_h), (px_w, px_h) = page_size_pt, preview_px_size
    sx, sy = px_w / page_w, px_h / page_h
    return _clamp((x1 * sx, (page_h - y2) * sy, x2 * sx, (page_h - y1) * sy), preview_px_size)


def _inside(box: Box, size: Size) -> Box:
    a1, b1, a2, b2 = box
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"invalid page or preview size {size!r}")
    if not (0 <= a1 < a2 <= width and 0 <= b1 < b2 <= height):
        raise ValueError(f"box {box!r} is empty or not wholly inside {size!r}")
    return box


def _clamp(box: Box, size: Size) -> Box:
    """Remove floating-point overshoot (a box that ends on the edge must not end a hair beyond it)."""
    a1, b1, a2, b2 = box
    width, height = size
    return (max(0.0, a1), max(0.0, b1), min(width, a2), min(height, b2))


@contextmanager
def _document(pdf: bytes, *, forms: bool) -> Iterator[pdfium.PdfDocument]:
    with _pdfium_lock:
        document = pdfium.PdfDocument(pdf)
        try:
            if forms:
                document.init_forms()
            yield document
        finally:
            document.close()


def _webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=quality)
    return buffer.getvalue()


def image_size(webp: bytes) -> tuple[int, int]:
    """(width, height) in pixels of an image ``render_previews`` made."""
    with Image.open(io.BytesIO(webp)) as image:
        return image.size
