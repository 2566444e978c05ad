"""Render the employer's one-sided notice ending a contract: 终止劳动合同通知书 or 解除劳动合同通知书.

Only the employer seals a notice, so the page is the change documents' page (``changes._story`` on the shared
``page`` template, the same footer and QR code) with the worker's half of the signature block left blank: the
employer's seal area (``contract.SEAL_BOXES["employer"]``) is where it always is. The wording lives in
``templates/contracts/notice.txt``; which facts it prints is decided by ``contracts.endings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from wage_guard.contracts.severance import LAW, Ground
from wage_guard.contracts.terms import ContractTerms
from wage_guard.documents import changes, page
from wage_guard.documents import contract as rendering
from wage_guard.documents.fonts import contract_font

TEMPLATE = "notice.txt"
TITLES = {"termination_notice": "终止劳动合同通知书", "rescission_notice": "解除劳动合同通知书"}
VERBS = {"termination_notice": "终止", "rescission_notice": "解除"}
ITEM_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class NoticeFacts:
    kind: Literal["termination_notice", "rescission_notice"]
    terms: ContractTerms
    number: str
    original_number: str
    ground: Ground
    reason: str
    effective_date: date
    issued_on: date
    severance_months: Decimal | None
    pay_in_lieu: bool
    renewal_refused: bool
    arrangements: str
    service_from: date | None = None


def render_notice_pdf(facts: NoticeFacts, *, verify_url: str) -> bytes:
    """Render the notice as a PDF; same inputs, same bytes.

    :raises MissingGlyphError: listing every character the font cannot draw.
    """
    content = notice_content(facts)
    return page.render(
        changes._story(content, contract_font().name),
        title=content.title,
        subject=facts.number,
        footer=page.Footer(number_line=f"文书编号：{facts.number}", verify_url=verify_url),
        printed_text=content.text(),
    )


def notice_text(facts: NoticeFacts) -> str:
    """All text ``render_notice_pdf`` prints outside the page footers."""
    return notice_content(facts).text()


def notice_content(facts: NoticeFacts) -> rendering._Content:
    counter = iter(ITEM_NUMBERS)
    text = (
        rendering._environment()
        .get_template(TEMPLATE)
        .render(
            f=facts,
            t=facts.terms,
            verb=VERBS[facts.kind],
            law=LAW,
            n=lambda: f"{next(counter)}、",
            service_from=facts.service_from or facts.terms.start_date,
        )
    )
    parties, opening, items = changes._parts(text)
    representative = f"{rendering.REPRESENTATIVE_LABEL}{facts.terms.employer.legal_representative}"
    return rendering._Content(
        title=TITLES[facts.kind],
        number_line=f"编号：{facts.number}",
        preamble=parties,
        rows=[],
        clauses=[*opening, *items],
        # The worker's half stays empty: a notice is the employer's alone.
        signature=["用人单位（盖章）：", "", representative, f"日期：{rendering.SEAL_DATE_NOTE}", ""],
    )
