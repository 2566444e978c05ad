"""The one page template of every PDF the platform draws: A4, the embedded font, the styles and the footer.

Contracts, change documents (renewals, rescissions, notices) and evidence reports are read side by side by a worker,
an inspector or an arbitrator, so they share one look: the same fonts and type sizes, the same footer (document
number, 第 n 页 / 共 N 页, and for signed documents the QR code of the verification page). Before this module each
renderer set up its own page, and the contract and the report each had a render lock of their own although both
draw with the same shared font object, whose subset state reportlab keeps per document: one lock here serialises
them all.

Every call is deterministic (reportlab's invariant mode): the same story gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from wage_guard.documents import qr
from wage_guard.documents.fonts import PageCountCanvas, contract_font, require_glyphs

PAGE_WIDTH, PAGE_HEIGHT = A4
QR_SIZE = 18 * mm
QR_CAPTION = "扫码核验"
#: Text lines of a footer sit this high above the page's bottom edge.
FOOTER_TEXT_Y = 14 * mm
#: reportlab keeps per-document subset state on the shared font object: render one document at a time.
_render_lock = threading.Lock()


@dataclass(frozen=True)
class Margins:
    """Page margins in PDF points; the bottom margin leaves room for the footer."""

    x: float
    top: float
    bottom: float

    @property
    def content_width(self) -> float:
        return PAGE_WIDTH - 2 * self.x


#: Signed documents: room at the bottom for the footer's QR code.
SIGNED_MARGINS = Margins(x=20 * mm, top=18 * mm, bottom=32 * mm)
#: Reports: no QR code, so more of the page for the tables.
REPORT_MARGINS = Margins(x=18 * mm, top=16 * mm, bottom=20 * mm)
#: The QR code's box (x1, y1, x2, y2) on a signed document's pages, in PDF points.
QR_BOX = (
    PAGE_WIDTH - SIGNED_MARGINS.x - QR_SIZE,
    7 * mm,
    PAGE_WIDTH - SIGNED_MARGINS.x,
    7 * mm + QR_SIZE,
)


@dataclass(frozen=True)
class Footer:
    """What every page's footer shows: ``number_line`` on the left, the page line in the middle and, for a signed
    document, the QR code of ``verify_url`` on the right."""

    number_line: str
    verify_url: str | None = None

    def text(self, page: int, pages: int) -> str:
        """The footer's printed text, one line each (the glyph check and the tests read it)."""
        lines = [self.number_line, page_line(page, pages)]
        return "\n".join([*lines, QR_CAPTION] if self.verify_url else lines)


def page_line(page: int, pages: int) -> str:
    return f"第 {page} 页 / 共 {pages} 页"


def render(
    story: list[Flowable],
    *,
    title: str,
    subject: str,
    footer: Footer,
    margins: Margins = SIGNED_MARGINS,
    printed_text: str,
) -> bytes:
    """Lay ``story`` out on A4 pages with the footer and return the PDF; same inputs, same bytes.

    ``printed_text`` is all text of the story: it is checked against the font first, with the footer's.

    :raises MissingGlyphError: listing every character (with its U+ code) the font cannot draw.
    """
    require_glyphs(printed_text + footer.text(1, 1) + "0123456789")
    font = contract_font().name
    qr_image = ImageReader(io.BytesIO(qr.render_png(footer.verify_url, box_size=4))) if footer.verify_url else None
    draw = functools.partial(_draw_footer, font, footer, qr_image, margins)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margins.x,
        rightMargin=margins.x,
        topMargin=margins.top,
        bottomMargin=margins.bottom,
        title=title,
        subject=subject,
        creator="wage_guard",
        lang="zh-CN",
        invariant=1,
        initialFontName=font,  # otherwise every page references an unembedded Helvetica
    )
    canvasmaker: Callable[..., Canvas] = functools.partial(PageCountCanvas, footer=draw)
    with _render_lock:
        doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


def styles(font: str, *, size: float = 10.5, leading: float = 17) -> dict[str, ParagraphStyle]:
    """The paragraph styles of every document, scaled from the body text's ``size`` and ``leading``."""
    base = ParagraphStyle("body", fontName=font, fontSize=size, leading=leading, wordWrap="CJK", spaceAfter=2)
    small = size - 1
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontSize=size * 2, leading=size * 2.8, alignment=TA_CENTER, spaceAfter=5),
        "number": ParagraphStyle("number", base, fontSize=size - 1, alignment=TA_RIGHT, spaceAfter=8),
        "note": ParagraphStyle(
            "note", base, fontSize=small, leading=small * 1.4, alignment=TA_CENTER, textColor=colors.grey, spaceAfter=8
        ),
        "heading": ParagraphStyle("heading", base, fontSize=size + 2, leading=size * 1.9, spaceBefore=8, spaceAfter=4),
        "item": ParagraphStyle("item", base, leftIndent=12, firstLineIndent=-12, spaceBefore=2),
        "continued": ParagraphStyle("continued", base, leftIndent=12),
        "detail": ParagraphStyle("detail", base, leftIndent=24, spaceAfter=1),
        "cell": ParagraphStyle("cell", base, fontSize=size - 1, leading=size * 1.4, spaceAfter=0),
        "group": ParagraphStyle("group", base, leading=size * 1.45, spaceAfter=0),
        "small": ParagraphStyle("small", base, fontSize=size - 1.5, leading=size * 1.15, spaceAfter=0),
        "header": ParagraphStyle("header", base, fontSize=small, leading=small * 1.4, spaceAfter=0),
    }


def grid_commands(font: str) -> list[tuple[Any, ...]]:
    """The table style every document's tables share: thin grey grid, top-aligned cells."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), font),  # for empty spanned cells; the default is Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]


def markup(text: str) -> str:
    """Escape plain text for a reportlab paragraph, keeping its line breaks."""
    return escape(text).replace("\n", "<br/>")


def _draw_footer(
    font: str, footer: Footer, qr_image: ImageReader | None, margins: Margins, canvas: Canvas, page: int, pages: int
) -> None:
    number, page_text = footer.text(page, pages).split("\n")[:2]
    rule_y = QR_BOX[3] + 2 * mm if qr_image else FOOTER_TEXT_Y + 5 * mm
    canvas.saveState()
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.5)
    canvas.line(margins.x, rule_y, PAGE_WIDTH - margins.x, rule_y)
    canvas.setFont(font, 8.5)
    canvas.drawString(margins.x, FOOTER_TEXT_Y, number)
    canvas.drawCentredString(PAGE_WIDTH / 2, FOOTER_TEXT_Y, page_text)
    if qr_image is not None:
        x1, y1, x2, y2 = QR_BOX
        canvas.drawImage(qr_image, x1, y1, x2 - x1, y2 - y1)
        canvas.setFont(font, 6.5)
        canvas.drawRightString(x1 - 1.5 * mm, y1 + 1.5 * mm, QR_CAPTION)
    canvas.restoreState()
