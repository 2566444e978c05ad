"""Render a labour contract to PDF: an A4 Chinese document with the terms table, the clauses and a signature page.

reportlab with the embedded TrueType contract font renders a typical contract in well under our 150 ms budget
(signing-notes.md); WeasyPrint was 6× slower. The clause wording lives in ``templates/contracts/construction.txt`` so
it can be reviewed without reading code; it is rendered with a plain jinja2 environment (no Flask request needed).

Three guarantees the signing flow relies on:

* every character is drawn: all text is checked against the font first and ``MissingGlyphError`` is raised rather
  than dropping or replacing a character;
* the seal areas are fixed: the signature block always sits at the bottom of the last page, so ``SEAL_BOXES`` are
  constants in PDF points and never overlap the footer's QR code;
* the bytes are deterministic for the same inputs (reportlab's invariant mode), so tests and caches are stable.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import jinja2
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from wage_guard.contracts.terms import ContractTerms, PayForm, add_months
from wage_guard.documents import page
from wage_guard.documents.fonts import CJKParagraph, contract_font
from wage_guard.documents.fonts import MissingGlyphError as MissingGlyphError  # re-exported for callers
from wage_guard.documents.text import ContractContent

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "contracts"
TEMPLATE = "construction.txt"
DEFAULT_TITLE = "劳动合同书"

PAGE_WIDTH, PAGE_HEIGHT = page.PAGE_WIDTH, page.PAGE_HEIGHT
MARGIN_X, MARGIN_BOTTOM = page.SIGNED_MARGINS.x, page.SIGNED_MARGINS.bottom
SIGNATURE_HEIGHT = 80 * mm
#: The last clause ("effective on signature") and "（以下无正文）" always share the page with the signatures.
KEEP_WITH_SIGNATURE = 2
LABEL_WIDTH = 46 * mm
QR_BOX = page.QR_BOX

SealRole = Literal["employer", "worker"]
#: Seal areas on the last page in PDF points (x1, y1, x2, y2), origin bottom-left: 46 mm for the employer's 40 mm
#: round seal, 32 mm for the worker's 25 mm square seal. Both lie above the footer and its QR code.
SEAL_BOXES: dict[str, tuple[float, float, float, float]] = {
    "employer": (24 * mm, 54 * mm, 70 * mm, 100 * mm),
    "worker": (120 * mm, 68 * mm, 152 * mm, 100 * mm),
}

SIGNATURE_LABELS = {"employer": "甲方（盖章）：", "worker": "乙方（签字）："}
REPRESENTATIVE_LABEL = "法定代表人（主要负责人）或委托代理人（签字或盖章）："
#: Printed on the date lines: the date is the one under each party's seal, backed by the signature's timestamp.
SEAL_DATE_NOTE = "以签章下方所示日期为准（可信时间戳）"
QR_CAPTION = page.QR_CAPTION


#: The text model is shared with the reading view (``documents.text``); ``_Content`` is its historical name here.
_Content = ContractContent


def render_contract_pdf(
    terms: ContractTerms,
    *,
    contract_number: str,
    verify_url: str,
    title: str | None = None,
    signed_date: date | None = None,
) -> bytes:
    """Render the contract as a PDF with the font embedded; same inputs, same bytes.

    Call ``terms.require_valid`` first: this draws what it is given.

    :raises MissingGlyphError: listing every character (with its U+ code) the font cannot draw.
    """
    content = _content(terms, contract_number=contract_number, title=title, signed_date=signed_date)
    return page.render(
        _story(content, contract_font().name),
        title=content.title,
        subject=contract_number,
        footer=_footer(contract_number, verify_url),
        printed_text=content.text(),
    )


def contract_content(
    terms: ContractTerms, *, contract_number: str, title: str | None = None, signed_date: date | None = None
) -> ContractContent:
    """Return the words ``render_contract_pdf`` prints, as the text model the phone's reading view shows."""
    return _content(terms, contract_number=contract_number, title=title, signed_date=signed_date)


def contract_text(
    terms: ContractTerms, *, contract_number: str, title: str | None = None, signed_date: date | None = None
) -> str:
    """Return all text ``render_contract_pdf`` prints outside the page footers, one block per line."""
    return _content(terms, contract_number=contract_number, title=title, signed_date=signed_date).text()


def footer_text(contract_number: str, page: int, pages: int) -> str:
    """Return the text of one page footer (the QR code of the verification URL is drawn beside it)."""
    return _footer(contract_number, "-").text(page, pages)


def _footer(contract_number: str, verify_url: str) -> page.Footer:
    return page.Footer(number_line=f"合同编号：{contract_number}", verify_url=verify_url)


def default_seal_box(role: SealRole | str, page_count: int) -> tuple[int, tuple[float, float, float, float]]:
    """Return (page index, box in PDF points) of the signature-block area for ``role``'s seal on the last page.

    ``role`` is "employer" or "worker"; plain strings are accepted because it usually comes from stored data.

    :raises ValueError: for an unknown role or a document without pages.
    """
    if role not in SEAL_BOXES or page_count < 1:
        raise ValueError(f"no seal box for role {role!r} in a document of {page_count} pages")
    return page_count - 1, SEAL_BOXES[role]


# --- content -------------------------------------------------------------------------------------------------


def _content(terms: ContractTerms, *, contract_number: str, title: str | None, signed_date: date | None) -> _Content:
    preamble, rows, clauses = _template_parts(terms)
    return _Content(
        title=title or DEFAULT_TITLE,
        number_line=f"合同编号：{contract_number}",
        preamble=preamble,
        rows=[_row(line) for line in rows],
        clauses=clauses,
        signature=signature_lines(terms, signed_date),
    )


def signature_lines(terms: ContractTerms, signed_date: date | None = None) -> list[str]:
    """The signature block: the parties' labels, the representative by name, and the date lines.

    The document is rendered before anyone signs, so its dates cannot be printed in advance: each party's seal
    carries its signing date (``seals.dated``), and the date lines say so instead of staying blank.
    """
    day = _cn_date(signed_date) if signed_date else SEAL_DATE_NOTE
    return [
        *SIGNATURE_LABELS.values(),
        f"{REPRESENTATIVE_LABEL}{terms.employer.legal_representative}",
        f"日期：{day}",
        f"日期：{day}",
    ]


def _template_parts(terms: ContractTerms) -> list[list[str]]:
    """Render the contract template into its three parts (preamble, table rows, clauses), one item per line."""
    probation_end = (
        add_months(terms.start_date, terms.probation_months) - timedelta(days=1) if terms.probation_months > 0 else None
    )
    pay_unit = {PayForm.MONTHLY: "/月", PayForm.DAILY: "/日"}.get(terms.pay_form, f"/{terms.piece_unit}")
    text = (
        _environment()
        .get_template(TEMPLATE)
        .render(t=terms, probation_end=probation_end, pay_unit=pay_unit, article=_ArticleCounter())
    )
    return split_parts(text)


def split_parts(text: str) -> list[list[str]]:
    """Split a rendered document template into its parts (separated by ``---`` lines), one item per line."""
    lines = [line.strip().replace("\u2028", "\n") for line in text.split("\n")]  # not splitlines(): it splits at U+2028
    parts: list[list[str]] = [[]]
    for line in lines:
        if line == "---":
            parts.append([])
        elif line:
            parts[-1].append(line)
    return parts


def _row(line: str) -> tuple[str, str] | str:
    if line.startswith("## "):
        return line
    label, separator, value = line.partition(" |")
    if not separator:
        raise ValueError(f"contract template row without ' | ': {line!r}")
    return label, value.strip() or "—"


@functools.cache
def _environment() -> jinja2.Environment:
    # Plain text, not HTML: markup is escaped where paragraphs are built. Values cannot start a line, a heading or a
    # part because every newline they contain becomes U+2028 until the template's own lines are split. Without
    # trim_blocks a line ending in {% endif %} keeps its newline; the empty lines block tags leave are dropped.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,  # noqa: S701 - plain text, see above
        undefined=jinja2.StrictUndefined,
        lstrip_blocks=True,
        finalize=lambda value: str(value).replace("\r\n", "\n").replace("\n", "\u2028"),
    )
    env.filters["cn_date"] = _cn_date
    env.filters["yuan"] = _yuan
    return env


class _ArticleCounter:
    """``{{ article() }}`` in the template: 第一条, 第二条, ... so optional articles never leave gaps."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"第{_chinese_number(self.count)}条"


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, units = divmod(n, 10)
    if tens == 0:
        return digits[units]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yuan(amount: Decimal) -> str:
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"{amount:,}"
    return f"{amount:,.2f}"


# --- layout --------------------------------------------------------------------------------------------------


def _story(content: _Content, font: str) -> list[Flowable]:
    styles = page.styles(font)
    story: list[Flowable] = [
        CJKParagraph(page.markup(content.title), styles["title"]),
        CJKParagraph(page.markup(content.number_line), styles["number"]),
    ]
    story += [CJKParagraph(page.markup(p), styles["body"]) for p in content.preamble]
    story += [Spacer(1, 4 * mm), _table(content.rows, styles), Spacer(1, 2 * mm)]
    clauses = [
        CJKParagraph(page.markup(p[3:]), styles["heading"])
        if p.startswith("## ")
        else CJKParagraph(page.markup(p), styles["body"])
        for p in content.clauses
    ]
    story += clauses[:-KEEP_WITH_SIGNATURE]
    story.append(_Closing(clauses[-KEEP_WITH_SIGNATURE:], content.signature, font))
    return story


def _table(rows: list[tuple[str, str] | str], styles: dict[str, ParagraphStyle]) -> Table:
    data: list[list[Any]] = []
    commands = page.grid_commands(styles["cell"].fontName)
    for index, row in enumerate(rows):
        if isinstance(row, str):
            data.append([CJKParagraph(page.markup(row.removeprefix("## ")), styles["group"]), ""])
            commands += [("SPAN", (0, index), (1, index)), ("BACKGROUND", (0, index), (1, index), colors.HexColor("#eeeeee"))]
        else:
            data.append([CJKParagraph(page.markup(row[0]), styles["cell"]), CJKParagraph(page.markup(row[1]), styles["cell"])])
    # splitInRow: a long free-text term may run over a page break
    table = Table(data, colWidths=[LABEL_WIDTH, PAGE_WIDTH - 2 * MARGIN_X - LABEL_WIDTH], splitInRow=1)
    table.setStyle(TableStyle(commands))
    return table


class _Closing(Flowable):
    """The last clauses and the signature block. It takes the rest of the frame so the block always sits at the bottom
    of the last page, which makes ``SEAL_BOXES`` constant. Without room it moves to a new page together with the
    last clauses, so the signature page never stands without contract text."""

    def __init__(self, paragraphs: list[Paragraph], texts: list[str], font: str) -> None:
        super().__init__()
        self.paragraphs, self.texts, self.font = paragraphs, texts, font
        self.heights: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        self.heights = [p.wrap(availWidth, availHeight)[1] + p.style.spaceAfter for p in self.paragraphs]
        self.width = availWidth
        self.height = max(availHeight, sum(self.heights) + SIGNATURE_HEIGHT)
        return self.width, self.height

    def draw(self) -> None:
        top = self.height
        for paragraph, height in zip(self.paragraphs, self.heights, strict=True):
            top -= height
            paragraph.drawOn(self.canv, 0, top + paragraph.style.spaceAfter)
        x, y = self.canv.absolutePosition(0, 0)
        self.canv.translate(-x, -y)  # the signature block is drawn in page coordinates
        _draw_signature(self.canv, self.font, self.texts)


def _draw_signature(canvas: Canvas, font: str, texts: list[str]) -> None:
    employer_label, worker_label, representative, employer_date, worker_date = texts
    top, right_column = MARGIN_BOTTOM + SIGNATURE_HEIGHT, PAGE_WIDTH / 2 + 7 * mm
    canvas.setFont(font, 11)
    canvas.drawString(MARGIN_X, top - 7 * mm, employer_label)
    canvas.drawString(right_column, top - 7 * mm, worker_label)
    canvas.setFont(font, 10)
    canvas.drawString(MARGIN_X, MARGIN_BOTTOM + 15 * mm, representative)
    canvas.drawString(MARGIN_X, MARGIN_BOTTOM + 5 * mm, employer_date)
    canvas.drawString(right_column, MARGIN_BOTTOM + 5 * mm, worker_date)
