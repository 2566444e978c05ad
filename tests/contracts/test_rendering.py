"""Contract PDFs: every character printed and extractable, embedded fonts, Chinese line breaking, footers on every
page, fixed seal areas, refusal of undrawable characters and deterministic bytes.

The render time is a figure, not a test (a busy machine failed a timed assertion here): ``python -m
benchmarks.contracts`` measures it against its goal of 150 ms."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import cycle

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle

from tests.contracts.support import CONTRACT_NUMBER, VERIFY_URL, poppler, require_font, sample_terms, task_terms
from wage_guard.contracts.terms import ContractTerms, PayForm, TermType, WorkingHours
from wage_guard.documents import contract as rendering
from wage_guard.documents.contract import (
    QR_BOX,
    SEAL_BOXES,
    MissingGlyphError,
    contract_text,
    default_seal_box,
    footer_text,
    render_contract_pdf,
)
from wage_guard.documents.fonts import CANNOT_END, CANNOT_START, CJKParagraph, contract_font, missing_glyphs

CLOSING = "，。、」；：）》”"
#: Punctuation-heavy text for the line-breaking checks, in the table (other_terms) and in the clauses (task).
PUNCTUATED = "".join("钢" * (k % 29 + 1) + p for k, p in zip(range(160), cycle([*CLOSING, "。」", "）。", "（筋）"])))


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: rendering is pure (no app or database)."""
    require_font()


def render(terms: ContractTerms | None = None, **kwargs: object) -> bytes:
    arguments: dict[str, object] = {"contract_number": CONTRACT_NUMBER, "verify_url": VERIFY_URL, **kwargs}
    return render_contract_pdf(terms or sample_terms(), **arguments)  # type: ignore[arg-type]


def page_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def visible(text: str) -> Counter[str]:
    return Counter(c for c in text if not c.isspace())


@pytest.mark.parametrize(
    "terms",
    [
        sample_terms(),
        task_terms(other_terms=PUNCTUATED),
        sample_terms(term_type=TermType.OPEN_ENDED, end_date=None, probation_months=6, pay_form=PayForm.MONTHLY),
        sample_terms(pay_form=PayForm.PIECE, piece_unit="平方米", working_hours=WorkingHours.COMPREHENSIVE, hours_cycle="月"),
    ],
    ids=["fixed", "task", "open_ended", "piece"],
)
def test_pdftotext_gives_back_every_character(terms: ContractTerms) -> None:
    pdf = render(terms, signed_date=date(2026, 3, 1))
    pages = page_count(pdf)
    expected = contract_text(terms, contract_number=CONTRACT_NUMBER, signed_date=date(2026, 3, 1))
    expected += "".join(footer_text(CONTRACT_NUMBER, page, pages) for page in range(1, pages + 1))
    assert visible(poppler("pdftotext", pdf, "-layout")) == visible(expected)


def test_every_page_has_a_footer_with_number_and_page_count() -> None:
    pdf = render()
    pages = page_count(pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = re.sub(r"\s", "", poppler("pdftotext", pdf, "-layout", "-f", str(page), "-l", str(page)))
        assert f"第{page}页/共{pages}页" in text  # pdftotext drops the spaces around the numbers
        assert CONTRACT_NUMBER in text


def test_fonts_are_embedded_subsets() -> None:
    rows = poppler("pdffonts", render()).splitlines()[2:]
    assert rows
    for row in rows:
        assert "WenQuanYiMicroHei" in row, row
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # emb sub uni


def test_no_line_starts_with_closing_punctuation() -> None:
    text = poppler("pdftotext", render(task_terms(other_terms=PUNCTUATED, task_description=PUNCTUATED)), "-layout")
    starts = [segment for line in text.splitlines() for segment in re.split(r"\s{2,}", line.strip()) if segment]
    assert len(starts) > 100
    assert [s for s in starts if s[0] in CLOSING] == []


STYLE = ParagraphStyle("t", fontSize=10, leading=14, wordWrap="CJK")
PLAIN, PUNCT = "建筑工人劳动合同甲乙方", "，。、」；）》”（《“"


@st.composite
def punctuated_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.text(PLAIN, min_size=1, max_size=6), st.text(PUNCT, max_size=2)), min_size=1))
    return "".join(plain + punct for plain, punct in parts)


@settings(max_examples=60, deadline=None)
@given(text=punctuated_texts(), chars_per_line=st.integers(min_value=8, max_value=40))
def test_line_breaking_keeps_every_character_and_obeys_kinsoku(text: str, chars_per_line: int) -> None:
    style = ParagraphStyle("t", STYLE, fontName=contract_font().name)
    paragraph = CJKParagraph(text, style)
    paragraph.wrap(chars_per_line * 10.0 + 0.01, 100_000)
    lines = ["".join(word.text for word in line.words) for line in paragraph.blPara.lines]
    assert "".join(lines) == text
    assert all(line[0] not in CANNOT_START for line in lines[1:])
    assert all(line[-1] not in CANNOT_END for line in lines[:-1])
    assert all(len(line) <= chars_per_line for line in lines)


def test_line_breaking_keeps_latin_words_and_numbers_whole() -> None:
    style = ParagraphStyle("t", STYLE, fontName=contract_font().name)
    text = "合同编号WG-370322-2026-000001请拨打12333热线" * 3
    paragraph = CJKParagraph(text, style)
    paragraph.wrap(150, 100_000)
    lines = ["".join(word.text for word in line.words) for line in paragraph.blPara.lines]
    assert "".join(lines) == text
    for before, after in zip(lines, lines[1:], strict=False):
        assert not (before[-1].isascii() and after[0].isascii()), (before, after)


@pytest.mark.parametrize(
    ("changes", "bad"),
    [({"worker": "name"}, "𠀀"), ({"worker": "address"}, "😀"), ({"employer": "name"}, "\u202e")],
)
def test_undrawable_characters_are_refused_not_dropped(changes: dict[str, str], bad: str) -> None:
    assert missing_glyphs(bad) == [bad], "the test needs a character the font lacks"
    terms = sample_terms()
    party, field = next(iter(changes.items()))
    from dataclasses import replace

    changed = replace(getattr(terms, party), **{field: getattr(getattr(terms, party), field) + bad})
    with pytest.raises(MissingGlyphError) as raised:
        render(replace(terms, **{party: changed}))
    assert raised.value.chars == (bad,)
    assert f"U+{ord(bad):04X}" in str(raised.value)


def test_contract_number_is_checked_too() -> None:
    with pytest.raises(MissingGlyphError):
        render(contract_number="WG-😀")


def test_output_is_deterministic() -> None:
    first = render()
    render(task_terms(other_terms=PUNCTUATED))  # another document in between must not change the font state
    assert render() == first
    assert render(verify_url=VERIFY_URL + "x") != first


def test_seal_boxes_are_on_the_last_page_clear_of_the_footer() -> None:
    assert default_seal_box("employer", 3) == (2, SEAL_BOXES["employer"])
    assert default_seal_box("worker", 1) == (0, SEAL_BOXES["worker"])
    employer, worker = SEAL_BOXES["employer"], SEAL_BOXES["worker"]
    mm = 72 / 25.4
    assert employer[2] - employer[0] == pytest.approx(employer[3] - employer[1])  # square, for a round seal
    assert worker[2] - worker[0] == pytest.approx(worker[3] - worker[1])
    assert 40 * mm <= employer[2] - employer[0] <= 50 * mm
    assert 25 * mm <= worker[2] - worker[0] <= 35 * mm
    for box in (employer, worker, QR_BOX):
        assert 0 <= box[0] < box[2] <= rendering.PAGE_WIDTH
        assert 0 <= box[1] < box[3] <= rendering.PAGE_HEIGHT
    for a, b in [(employer, worker), (employer, QR_BOX), (worker, QR_BOX)]:
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


@pytest.mark.parametrize("role", ["witness", ""])
def test_default_seal_box_refuses_unknown_roles(role: str) -> None:
    with pytest.raises(ValueError, match="no seal box"):
        default_seal_box(role, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("terms", [sample_terms(), task_terms(other_terms=PUNCTUATED)], ids=["short", "long"])
def test_seal_areas_are_empty_and_the_signature_block_is_on_the_last_page(terms: ContractTerms) -> None:
    pdf = render(terms)
    pages = page_count(pdf)
    last = poppler("pdftotext", pdf, "-layout", "-f", str(pages), "-l", str(pages))
    assert "甲方（盖章）" in last
    assert "乙方（签字）" in last
    assert "（以下无正文）" in last  # the signature page always carries contract text
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[pages - 1]
        image = page.render(scale=2).to_pil().convert("L")
        height = page.get_height()
    finally:
        document.close()
    for x1, y1, x2, y2 in SEAL_BOXES.values():
        area = image.crop((round(x1 * 2), round((height - y2) * 2), round(x2 * 2), round((height - y1) * 2)))
        assert area.getextrema()[0] >= 250, "something is drawn where a seal goes"
    x1, y1, x2, y2 = QR_BOX
    qr_area = image.crop((round(x1 * 2), round((height - y2) * 2), round(x2 * 2), round((height - y1) * 2)))
    assert qr_area.getextrema()[0] < 50, "the QR code is missing"


def test_contract_text_contains_the_required_wording() -> None:
    text = contract_text(sample_terms(probation_months=2), contract_number=CONTRACT_NUMBER)
    for phrase in ["按月足额支付到乙方本人银行账户", "12333", "一、劳动合同期限", "九、其他", "（以下无正文）", "试用期为2个月"]:
        assert phrase in text
    articles = re.findall(r"第([一二三四五六七八九十]+)条", text)
    assert articles[:3] == ["一", "二", "三"]
    for label in re.findall(r"“(.+?)”栏", text):
        assert f"\n{label}\n" in text, f"the clauses refer to a table row {label!r} that does not exist"


def test_signed_date_and_title_are_printed() -> None:
    text = contract_text(sample_terms(), contract_number="X", title="劳动合同变更协议", signed_date=date(2026, 3, 1))
    assert text.startswith("劳动合同变更协议\n")
    assert text.count("日期：2026年3月1日") == 2


@pytest.mark.parametrize("field", ["other_terms", "task_description"])  # a table row; a table row and a clause
def test_values_cannot_inject_headings_or_template_parts(field: str) -> None:
    injected = task_terms(**{field: "第一项\n## 伪造标题\n---\n第二项 | 假栏"})
    text = contract_text(injected, contract_number="X")
    assert "\n## 伪造标题\n---\n第二项 | 假栏" in text  # printed as text, not turned into a heading or a part
    assert text.count("## ") == text.count("伪造标题")
    pdf = render(injected)
    assert "##伪造标题" in re.sub(r"\s", "", poppler("pdftotext", pdf, "-layout"))


def test_markup_characters_are_printed_literally() -> None:
    pdf = render(sample_terms(other_terms="a < b & c > d <b>粗</b>"))
    assert "a<b&c>d<b>粗</b>" in re.sub(r"\s", "", poppler("pdftotext", pdf, "-layout"))
