"""Evidence report PDFs: a valid PDF whose text holds every fact and step, masked identities only, China time,
deterministic bytes, refusal of undrawable characters, and long step tables that run over pages with their header."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from tests.contracts.support import ARTIFACTS, poppler, require_font
from wage_guard.documents.evidence_report import (
    TITLE,
    EvidenceReport,
    MissingGlyphError,
    SignatureLine,
    Step,
    footer_text,
    group_hex,
    render_evidence_report,
)
from wage_guard.documents.fonts import missing_glyphs

CONTRACT_NUMBER = "WG-370322-2026-000042"
FULL_ID = "370322198805061234"
MASKED_ID = "3703**********123X"
SIGNED_AT = datetime(2026, 11, 22, 6, 3, 5, tzinfo=UTC)
#: (action, method, actor) of a typical contract's life, in order.
LIFE = [
    ("合同已起草", "", "用人单位 高青县安居建筑劳务有限公司"),
    ("合同已发送给劳动者", "短信通知", "用人单位 高青县安居建筑劳务有限公司"),
    ("劳动者已打开合同", "短信链接", "劳动者 李*"),
    ("劳动者已通过身份验证", "短信验证码", "劳动者 李*"),
    ("劳动者已阅读全部条款", "", "劳动者 李*"),
    ("劳动者已同意签署", "短信验证码", "劳动者 李*"),
    ("劳动者已签署", "拖放签章", "劳动者 李*"),
    ("用人单位已签署", "平台签发证书 + RFC 3161 时间戳", "用人单位 高青县安居建筑劳务有限公司"),
    ("签名已加盖时间戳", "RFC 3161 时间戳", "系统"),
    ("已发送签署完成短信", "短信通知", "系统"),
    ("合同已归档", "", "系统"),
    ("已导出存证包", "", "用人单位 高青县安居建筑劳务有限公司"),
]


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: the report is pure (no app or database)."""
    require_font()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_steps(count: int) -> list[Step]:
    return [
        Step(
            seq=1000 + i,
            time=SIGNED_AT + timedelta(minutes=3 * i),
            action=LIFE[i % len(LIFE)][0],
            method=LIFE[i % len(LIFE)][1],
            actor=LIFE[i % len(LIFE)][2],
            leaf_hash=digest(f"leaf {i}"),
        )
        for i in range(count)
    ]


def sample_report(**changes: object) -> EvidenceReport:
    report = EvidenceReport(
        contract_number=CONTRACT_NUMBER,
        document_title="劳动合同",
        employer_name="高青县安居建筑劳务有限公司",
        worker_name_masked="李*",
        worker_id_masked=MASKED_ID,
        project_name="高青县第一中学教学楼项目",
        document_sha256=digest("contract.pdf"),
        document_sm3=digest("sm3 stand-in"),
        generated_at=datetime(2026, 11, 23, 1, 0, 0, tzinfo=UTC),
        tree_size=52_817,
        tree_root=digest("root"),
        tree_head_time=datetime(2026, 11, 22, 16, 0, 0, tzinfo=UTC),
        log_key_fingerprint=digest("log key"),
        root_cert_fingerprint=digest("root cert"),
        steps=make_steps(len(LIFE)),
        signatures=[
            SignatureLine("劳动者", "李*", "wage_guard 平台签发 CA", SIGNED_AT, SIGNED_AT + timedelta(seconds=2), True),
            SignatureLine(
                "用人单位", "高青县安居建筑劳务有限公司", "wage_guard 平台签发 CA", SIGNED_AT + timedelta(minutes=21), None, True
            ),
        ],
        document_valid=True,
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def layout_text(pdf: bytes) -> str:
    return poppler("pdftotext", pdf, "-layout", "-enc", "UTF-8")


def test_render_evidence_report_is_a_pdf() -> None:
    pdf = render_evidence_report(sample_report())
    assert pdf.startswith(b"%PDF-")
    assert len(page_texts(pdf)) >= 1


def test_render_evidence_report_prints_every_fact() -> None:
    report = sample_report()
    text = layout_text(render_evidence_report(report))
    compact = re.sub(r"\s+", "", text)
    for expected in (CONTRACT_NUMBER, TITLE, "一、签署信息", "二、全过程存证记录", "三、存证日志", "如何核验", MASKED_ID):
        assert expected in text
    for step in report.steps:
        assert step.action in text
        assert f"{step.leaf_hash[:16]}…" in compact
    for value in (report.document_sha256, report.document_sm3, report.tree_root, report.log_key_fingerprint):
        assert value in compact
    for phrase in ("核验结论", "有效", "verify-package", "manifest.sig", "log_public_key.pem"):
        assert phrase in text


def test_render_evidence_report_prints_china_time() -> None:
    text = layout_text(render_evidence_report(sample_report()))
    assert "2026-11-23 09:00:00" in text  # generated_at, 01:00 UTC
    assert "2026-11-23 00:00:00" in text  # tree head, 16:00 UTC the day before


def test_render_evidence_report_never_prints_a_full_id_number() -> None:
    text = layout_text(render_evidence_report(sample_report()))
    assert FULL_ID not in re.sub(r"\s+", "", text)
    assert not re.search(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])", text)


def test_render_evidence_report_marks_invalid_documents() -> None:
    report = sample_report(document_valid=False, signatures=[replace(sample_report().signatures[0], valid=False)])
    text = layout_text(render_evidence_report(report))
    assert "无效" in text


def test_render_evidence_report_omits_sm3_when_absent() -> None:
    assert "SM3" not in layout_text(render_evidence_report(sample_report(document_sm3=None)))


def test_render_evidence_report_is_deterministic() -> None:
    assert render_evidence_report(sample_report()) == render_evidence_report(sample_report())


def test_render_evidence_report_refuses_characters_the_font_lacks() -> None:
    rare = "𠮷"
    assert missing_glyphs(rare) == [rare]
    with pytest.raises(MissingGlyphError) as excinfo:
        render_evidence_report(sample_report(worker_name_masked=f"{rare}*"))
    assert excinfo.value.chars == (rare,)


def test_render_evidence_report_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="time zone"):
        render_evidence_report(sample_report(generated_at=datetime(2026, 11, 23, 9, 0, 0)))


def test_render_evidence_report_runs_long_logs_over_pages_with_headers() -> None:
    report = sample_report(steps=make_steps(200))
    pages = page_texts(render_evidence_report(report))
    assert len(pages) >= 4
    first = next(i for i, page in enumerate(pages) if "二、全过程存证记录" in page)
    last = next(i for i, page in enumerate(pages) if "三、存证日志" in page)
    assert last - first >= 2
    for page in pages[first : last + 1]:
        assert "叶子哈希" in page  # the header row repeats
    everything = "".join(pages)
    assert all(str(step.seq) in everything for step in report.steps)


def test_render_evidence_report_footer_on_every_page() -> None:
    pages = page_texts(render_evidence_report(sample_report(steps=make_steps(60))))
    for number, page in enumerate(pages, start=1):
        for line in footer_text(CONTRACT_NUMBER, number, len(pages)).split("\n"):
            assert line in page


def test_render_evidence_report_prints_empty_tables() -> None:
    text = layout_text(render_evidence_report(sample_report(steps=[], signatures=[])))
    assert text.count("（无）") == 2


def test_group_hex_splits_into_groups_of_eight() -> None:
    assert group_hex("0123456789abcdef01") == "01234567 89abcdef 01"


def test_render_evidence_report_sample_artifact() -> None:
    """Keep a sample for people to look at (artifacts/evidence/report-sample.pdf)."""
    target = ARTIFACTS / "evidence" / "report-sample.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render_evidence_report(sample_report()))
    assert target.stat().st_size > 0
