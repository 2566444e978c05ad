"""The contract's text model: sentences split without losing a character, sections and table groups in the PDF's
order, key terms first with the PDF's own words, and one model behind both the PDF and the reading view."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.contracts.support import CONTRACT_NUMBER, sample_terms
from wage_guard.documents.contract import contract_content, contract_text
from wage_guard.documents.text import KEY_TERM_LABELS, ContractContent, sentences

ENDS = "。；！？!?;"


@given(st.text(alphabet=st.sampled_from(list("甲乙丙工资，、（）“”」 \nab1" + ENDS)), max_size=200))
def test_sentences_give_back_the_text_exactly(text: str) -> None:
    pieces = sentences(text)
    assert "".join(pieces) == text
    assert all(pieces)
    for piece in pieces[:-1]:  # every sentence but the last ends at a sentence end (or a newline)
        body = piece.rstrip("”’」』）)")
        assert body[-1] in ENDS + "\n", piece


def test_sentences_split_at_full_stops_and_semicolons() -> None:
    assert sentences("甲方支付工资。乙方按时出勤；双方遵守。") == ["甲方支付工资。", "乙方按时出勤；", "双方遵守。"]
    assert sentences("见“休息休假”栏。下一句") == ["见“休息休假”栏。", "下一句"]
    assert sentences("（以下无正文）") == ["（以下无正文）"]


def test_sections_table_and_key_terms() -> None:
    content = ContractContent(
        title="劳动合同书",
        number_line="合同编号：X",
        preamble=["前言。"],
        rows=["## 甲方", ("名称", "某公司"), "## 合同主要条款", ("工作地点", "工地"), ("劳动报酬", "日工资350元")],
        clauses=["## 一、期限", "第一条 一。", "第二条 二。", "## 二、工作", "第三条 三。"],
        signature=["甲方（盖章）："],
    )
    assert [(g.heading, [r.label for r in g.rows]) for g in content.table()] == [
        ("甲方", ["名称"]),
        ("合同主要条款", ["工作地点", "劳动报酬"]),
    ]
    assert [(s.heading, s.paragraphs) for s in content.sections()] == [
        ("一、期限", ["第一条 一。", "第二条 二。"]),
        ("二、工作", ["第三条 三。"]),
    ]
    assert [r.label for r in content.key_terms()] == ["劳动报酬", "工作地点"]  # pay first, in KEY_TERM_LABELS order


def test_the_pdf_and_the_reading_view_share_one_model() -> None:
    terms = sample_terms(probation_months=2)
    content = contract_content(terms, contract_number=CONTRACT_NUMBER)
    assert content.text() == contract_text(terms, contract_number=CONTRACT_NUMBER)
    assert [row.label for row in content.key_terms()] == list(KEY_TERM_LABELS)
    rows = [row for group in content.table() for row in group.rows]
    assert len(rows) == sum(1 for row in content.rows if not isinstance(row, str))
    paragraphs = [p for section in content.sections() for p in section.paragraphs]
    assert paragraphs == [c for c in content.clauses if not c.startswith("## ")]
