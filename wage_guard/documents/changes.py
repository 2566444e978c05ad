"""Render the short document that ends a labour contract: 解除劳动合同协议书 or 终止劳动合同确认书.

It is signed exactly like the contract, so it is laid out by ``rendering``'s own building blocks rather than copies:
the same styles, footer (document number, 第 n 页 / 共 N 页, QR code of the verification URL) and the same signature
block (``_Closing``) at the bottom of the last page, with the last item and "（以下无正文）" on that page.
``rendering.default_seal_box(role, page_count)`` and ``rendering.SEAL_BOXES`` therefore hold for this document too,
and the signing code needs no second set of positions.

The parties are listed as lines rather than in the contract's terms table, so a typical document fits on one page.

Private helpers of ``rendering`` used here (same contracts domain; keep them in step): ``_Content``, ``_styles``,
``_markup``, ``_Closing``, ``_environment``, ``_draw_footer``, ``_render_lock``, ``KEEP_WITH_SIGNATURE`` and the
layout constants. The wording lives in ``templates/contracts/ending.txt``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from wage_guard.contracts.terms import ContractTerms
from wage_guard.documents import contract as rendering
from wage_guard.documents import page
from wage_guard.documents.fonts import CJKParagraph, contract_font
from wage_guard.documents.fonts import MissingGlyphError as MissingGlyphError  # re-exported for callers

TEMPLATE = "ending.txt"
EndingKind = Literal["rescission", "termination"]
TITLES: dict[str, str] = {"rescission": "解除劳动合同协议书", "termination": "终止劳动合同确认书"}
VERBS: dict[str, str] = {"rescission": "解除", "termination": "终止"}


def render_ending_pdf(
    kind: EndingKind,
    terms: ContractTerms,
    *,
    contract_number: str,
    original_number: str,
    verify_url: str,
    end_date: date,
    arrangements: str,
) -> bytes:
    """Render the rescission agreement or termination confirmation as a PDF; same inputs, same bytes.

    ``terms`` are those of the contract being ended (number ``original_number``); ``contract_number`` is this
    document's own number, printed under the title and in every footer. ``arrangements`` is free text (wage
    settlement, compensation amounts, ...) printed as 双方约定的其他事项; blank prints "无".

    :raises MissingGlyphError: listing every character (with its U+ code) the font cannot draw.
    :raises ValueError: for an unknown ``kind``.
    """
    content = ending_content(
        kind,
        terms,
        contract_number=contract_number,
        original_number=original_number,
        end_date=end_date,
        arrangements=arrangements,
    )
    return page.render(
        _story(content, contract_font().name),
        title=content.title,
        subject=contract_number,
        footer=page.Footer(number_line=f"合同编号：{contract_number}", verify_url=verify_url),
        printed_text=content.text(),
    )


def ending_text(
    kind: EndingKind,
    terms: ContractTerms,
    *,
    contract_number: str,
    original_number: str,
    end_date: date,
    arrangements: str,
) -> str:
    """Return all text ``render_ending_pdf`` prints outside the page footers, one block per line."""
    return ending_content(
        kind,
        terms,
        contract_number=contract_number,
        original_number=original_number,
        end_date=end_date,
        arrangements=arrangements,
    ).text()


def ending_content(
    kind: EndingKind,
    terms: ContractTerms,
    *,
    contract_number: str,
    original_number: str,
    end_date: date,
    arrangements: str,
) -> rendering._Content:
    if kind not in get_args(EndingKind):
        raise ValueError(f"unknown kind of ending document: {kind!r}")
    text = (
        rendering._environment()
        .get_template(TEMPLATE)
        .render(
            kind=kind,
            t=terms,
            original_number=original_number,
            end_date=end_date,
            arrangements=arrangements,
            verb=VERBS[kind],
        )
    )
    parties, opening, items = _parts(text)
    return rendering._Content(
        title=TITLES[kind],
        number_line=f"编号：{contract_number}",
        preamble=parties,
        rows=[],
        clauses=[*opening, *items],
        signature=rendering.signature_lines(terms),
    )


def _story(content: rendering._Content, font: str) -> list[Flowable]:
    """Title, number, parties, then the text; the last lines share the page with the contract's signature block."""
    styles = page.styles(font)
    keep = rendering.KEEP_WITH_SIGNATURE
    paragraphs = [CJKParagraph(page.markup(p), styles["body"]) for p in content.clauses]
    return [
        CJKParagraph(page.markup(content.title), styles["title"]),
        CJKParagraph(page.markup(content.number_line), styles["number"]),
        *(CJKParagraph(page.markup(p), styles["body"]) for p in content.preamble),
        Spacer(1, 3 * mm),
        *paragraphs[:-keep],
        rendering._Closing(paragraphs[-keep:], content.signature, font),
    ]


def _parts(text: str) -> list[list[str]]:
    """Split the rendered template into parties, opening and items (``rendering.split_parts``)."""
    parts = rendering.split_parts(text)
    if len(parts) != 3:
        raise ValueError(f"{TEMPLATE} must have three parts separated by '---', got {len(parts)}")
    return parts
