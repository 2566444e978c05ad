"""Documents ending a contract (解除劳动合同协议书 / 终止劳动合同确认书): the required wording and values printed, the
contract's footer and signature block, seal boxes at the contract's default positions and still blank, refusal of
undrawable characters and deterministic bytes. A sample is written to artifacts/contracts/ending-sample.pdf."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest

from tests.contracts.support import ARTIFACTS, VERIFY_URL, poppler, require_font, sample_terms, task_terms
from wage_guard.contracts.terms import ContractTerms
from wage_guard.documents.changes import MissingGlyphError, ending_text, render_ending_pdf
from wage_guard.documents.contract import QR_BOX, SEAL_BOXES, default_seal_box, footer_text
from wage_guard.documents.fonts import missing_glyphs

NUMBER = "WG-370322-2026-000101"
ORIGINAL = "WG-370322-2026-000001"
END = date(2026, 12, 31)
ARRANGEMENTS = "甲方于2026年12月31日前一次性支付乙方12月工资人民币7,350.00元及经济补偿人民币3,500.00元。"
TITLES = {"rescission": "解除劳动合同协议书", "termination": "终止劳动合同确认书"}
ARTICLES = {"rescission": "第三十六条", "termination": "第四十四条"}


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: rendering is pure (no app or database)."""
    require_font()


def render(kind: str = "rescission", terms: ContractTerms | None = None, **kwargs: object) -> bytes:
    arguments: dict[str, object] = {
        "contract_number": NUMBER,
        "original_number": ORIGINAL,
        "verify_url": VERIFY_URL,
        "end_date": END,
        "arrangements": ARRANGEMENTS,
        **kwargs,
    }
    return render_ending_pdf(kind, terms or sample_terms(), **arguments)  # type: ignore[arg-type]


def page_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("kind", ["rescission", "termination"])
def test_document_prints_title_numbers_parties_date_arrangements_and_law(kind: str) -> None:
    pdf = render(kind)
    text = squeezed(poppler("pdftotext", pdf, "-layout"))
    terms = sample_terms()
    for phrase in [
        TITLES[kind],
        NUMBER,
        ORIGINAL,
        "2026年12月31日",
        squeezed(ARRANGEMENTS),
        ARTICLES[kind],
        "12333",
        "第五十条",
        terms.employer.name,
        terms.employer.credit_code,
        terms.employer.legal_representative,
        terms.worker.name,
        terms.worker.id_number,  # in full, as in the contract
        "（以下无正文）",
    ]:
        assert phrase in text, phrase
    assert page_count(pdf) == 1


@pytest.mark.parametrize("kind", ["rescission", "termination"])
def test_pdftotext_gives_back_every_character(kind: str) -> None:
    pdf = render(kind)
    pages = page_count(pdf)
    kwargs = {"contract_number": NUMBER, "original_number": ORIGINAL, "end_date": END, "arrangements": ARRANGEMENTS}
    expected = ending_text(kind, sample_terms(), **kwargs)  # type: ignore[arg-type]
    expected += "".join(footer_text(NUMBER, page, pages) for page in range(1, pages + 1))
    visible = Counter(c for c in poppler("pdftotext", pdf, "-layout") if not c.isspace())
    assert visible == Counter(c for c in expected if not c.isspace())


def test_termination_names_why_the_contract_ends() -> None:
    kwargs = {"contract_number": NUMBER, "original_number": ORIGINAL, "end_date": END, "arrangements": ""}
    assert "合同期限已经届满" in ending_text("termination", sample_terms(), **kwargs)  # type: ignore[arg-type]
    task = ending_text("termination", task_terms(), **kwargs)  # type: ignore[arg-type]
    assert "工作任务已经完成" in task
    assert "双方约定的其他事项：无" in task  # blank arrangements are not left as an empty item


@pytest.mark.parametrize("arrangements", [ARRANGEMENTS, (ARRANGEMENTS + "\n") * 12], ids=["one_page", "two_pages"])
def test_footer_on_every_page_and_signature_block_with_blank_seal_boxes_on_the_last(arrangements: str) -> None:
    pdf = render(arrangements=arrangements)
    pages = page_count(pdf)
    assert pages == (1 if arrangements == ARRANGEMENTS else 2)
    for page in range(1, pages + 1):
        text = squeezed(poppler("pdftotext", pdf, "-layout", "-f", str(page), "-l", str(page)))
        assert f"第{page}页/共{pages}页" in text
        assert NUMBER in text
    last = poppler("pdftotext", pdf, "-layout", "-f", str(pages), "-l", str(pages))
    for label in ["甲方（盖章）", "乙方（签字）", "（以下无正文）", "本协议经甲方盖章、乙方签字后生效"]:
        assert label in last
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[pages - 1]
        image = page.render(scale=2).to_pil().convert("L")
        height = page.get_height()
    finally:
        document.close()
    for role in ("employer", "worker"):
        index, (x1, y1, x2, y2) = default_seal_box(role, pages)
        assert index == pages - 1
        area = image.crop((round(x1 * 2), round((height - y2) * 2), round(x2 * 2), round((height - y1) * 2)))
        assert area.getextrema()[0] >= 250, f"something is drawn where the {role}'s seal goes"
        # the seal box lies between the signature label above it and the footer below it
        words = squeezed(page_text_above(pdf, pages, y2))
        assert ("甲方（盖章）" if role == "employer" else "乙方（签字）") in words
    x1, y1, x2, y2 = QR_BOX
    qr_area = image.crop((round(x1 * 2), round((height - y2) * 2), round(x2 * 2), round((height - y1) * 2)))
    assert qr_area.getextrema()[0] < 50, "the QR code is missing"


def page_text_above(pdf: bytes, page: int, y: float) -> str:
    """Text of the band just above ``y`` (PDF points from the bottom), where the signature labels sit."""
    document = pdfium.PdfDocument(pdf)
    try:
        text_page = document[page - 1].get_textpage()
        return str(text_page.get_text_bounded(left=0, bottom=y, right=1000, top=y + 30))
    finally:
        document.close()


def test_seal_boxes_are_the_contracts() -> None:
    assert default_seal_box("employer", 1) == (0, SEAL_BOXES["employer"])
    assert default_seal_box("worker", 1) == (0, SEAL_BOXES["worker"])


@pytest.mark.parametrize("field", ["worker_name", "arrangements", "original_number", "contract_number"])
def test_undrawable_characters_are_refused(field: str) -> None:
    bad = "𠀀"
    assert missing_glyphs(bad) == [bad], "the test needs a character the font lacks"
    terms = sample_terms()
    if field == "worker_name":
        terms = replace(terms, worker=replace(terms.worker, name=terms.worker.name + bad))
        kwargs: dict[str, object] = {}
    else:
        kwargs = {field: "X" + bad}
    with pytest.raises(MissingGlyphError) as raised:
        render("termination", terms, **kwargs)
    assert raised.value.chars == (bad,)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        render("suspension")


def test_output_is_deterministic() -> None:
    first = render()
    render("termination", task_terms())  # another document in between must not change the font state
    assert render() == first
    assert render(verify_url=VERIFY_URL + "x") != first
    assert render("termination") != first


def test_markup_and_newlines_in_arrangements_are_printed_literally() -> None:
    text = poppler("pdftotext", render(arrangements="a < b & c\n## 不是标题"), "-layout")
    assert "a<b&c" in squeezed(text)
    assert "##不是标题" in squeezed(text)


def test_save_sample_for_a_human_to_look_at() -> None:
    """Writes artifacts/contracts/ending-sample.pdf (a rescission agreement)."""
    path = ARTIFACTS / "contracts" / "ending-sample.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render())
    assert path.stat().st_size > 0
