"""Render the evidence report (存证报告) of one contract: the readable PDF inside an evidence package for arbitration.

Why a report at all: an arbitrator, a worker or a lawyer cannot read ``entries.json`` or check an inclusion proof
by eye. The report lists the same facts in plain Chinese (who signed, how, when; every logged step; the tree head)
and says step by step how anyone can check them without trusting the platform. It asserts nothing the package does
not prove: it is a guide to the package, not evidence on its own.

Why it is pure: the package is assembled by a service, but the same report must render in tests and in the CLI, so
this module takes a plain :class:`EvidenceReport` and knows nothing of Flask or the database.

It reuses the contract font helpers (``wage_guard.documents.fonts``), so it shares their guarantees: every text
passes ``require_glyphs`` first (a character the font lacks raises ``MissingGlyphError``, never a blank), Chinese
lines break properly, and the font is embedded as a subset. Output is deterministic (reportlab's invariant mode).
Long hex strings are split into groups of ``HEX_GROUP`` characters with spaces, because reportlab does not break
them and zero-width spaces count as missing glyphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from wage_guard.documents import page
from wage_guard.documents.fonts import CJKParagraph, contract_font
from wage_guard.documents.fonts import MissingGlyphError as MissingGlyphError  # re-exported for callers

TITLE = "电子劳动合同存证报告"
#: China has one time zone and no daylight saving time, so a fixed offset is exact.
CHINA_TIME = timezone(timedelta(hours=8), "UTC+8")
HEX_GROUP = 8
LEAF_HASH_CHARS = 16
CONTENT_WIDTH = page.REPORT_MARGINS.content_width
LABEL_WIDTH = 38 * mm
SIGNATURE_COLUMNS = (("角色", 18), ("签署人", 36), ("证书签发机构", 42), ("签署时间", 27), ("时间戳时间", 27), ("是否有效", 24))
STEP_COLUMNS = (("序号", 11), ("时间", 21), ("操作", 33), ("方式", 36), ("操作人", 39), ("叶子哈希", 34))
VALID_COLOR, INVALID_COLOR = colors.HexColor("#1a7f37"), colors.HexColor("#c62828")


@dataclass(frozen=True)
class Step:
    """One logged step of the contract's life, as printed (labels already in Chinese, people already masked)."""

    seq: int
    time: datetime  #: timezone-aware; printed in China time
    action: str
    method: str  #: how the step was authenticated or done; "" when not applicable
    actor: str
    leaf_hash: str  #: hex


@dataclass(frozen=True)
class SignatureLine:
    """One signature in the PDF as a validator reported it."""

    role: str
    signer: str  #: masked for workers (李*), full for employers
    issuer: str
    signing_time: datetime | None
    timestamp_time: datetime | None
    valid: bool


@dataclass(frozen=True)
class EvidenceReport:
    """Everything the report prints; hashes and fingerprints are hex, times timezone-aware."""

    contract_number: str
    document_title: str
    employer_name: str
    worker_name_masked: str
    worker_id_masked: str
    project_name: str
    document_sha256: str
    document_sm3: str | None
    generated_at: datetime
    tree_size: int
    tree_root: str
    tree_head_time: datetime
    log_key_fingerprint: str  #: SHA-256 of the log public key (DER SubjectPublicKeyInfo)
    root_cert_fingerprint: str  #: SHA-256 of the platform root certificate (DER)
    steps: list[Step]
    signatures: list[SignatureLine]
    document_valid: bool


def render_evidence_report(report: EvidenceReport) -> bytes:
    """Render the report as an A4 PDF with the font embedded; same input, same bytes.

    :raises MissingGlyphError: listing every character (with its U+ code) the font cannot draw.
    :raises ValueError: for a time without a time zone.
    """
    text = _Text(_styles(contract_font().name))
    story = _story(report, text)
    return page.render(
        story,
        title=TITLE,
        subject=report.contract_number,
        footer=page.Footer(number_line=f"{TITLE} 合同编号：{report.contract_number}"),
        margins=page.REPORT_MARGINS,
        printed_text="\n".join(text.printed),
    )


def footer_text(contract_number: str, page_number: int, pages: int) -> str:
    """Return the text of one page footer: the report's title and contract number, then the page line."""
    return page.Footer(number_line=f"{TITLE} 合同编号：{contract_number}").text(page_number, pages)


def china_time(moment: datetime) -> str:
    """Format an aware time in China time, e.g. ``2026-11-22 14:03:05``.

    :raises ValueError: for a naive time, whose meaning would be a guess.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"time without a time zone in an evidence report: {moment!r}")
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S")


def group_hex(value: str) -> str:
    """Split a hex string into space-separated groups so it can wrap and be compared group by group."""
    return " ".join(value[i : i + HEX_GROUP] for i in range(0, len(value), HEX_GROUP))


# --- content -------------------------------------------------------------------------------------------------


@dataclass
class _Text:
    """Makes every paragraph and remembers its text, so the glyph check sees exactly what is printed."""

    styles: dict[str, ParagraphStyle]
    printed: list[str] = field(default_factory=list)

    @property
    def font(self) -> str:
        return self.styles["cell"].fontName

    def __call__(self, text: str, style: str = "cell", color: colors.Color | None = None) -> CJKParagraph:
        self.printed.append(text)
        markup = page.markup(text)
        if color is not None:
            markup = f'<font color="{color.hexval()}">{markup}</font>'
        return CJKParagraph(markup, self.styles[style])


def _story(report: EvidenceReport, text: _Text) -> list[Flowable]:
    return [
        text(TITLE, "title"),
        text("本报告中的时间均为北京时间（UTC+8）。哈希值按每 8 位一组显示，核对时忽略空格即可。", "note"),
        _key_value_table(_summary_rows(report, text), text.font),
        text("一、签署信息", "heading"),
        _grid(text, SIGNATURE_COLUMNS, [_signature_row(line) for line in report.signatures]),
        text("二、全过程存证记录", "heading"),
        _grid(text, STEP_COLUMNS, [_step_row(step) for step in report.steps], style="small"),
        text("三、存证日志", "heading"),
        _key_value_table(_log_rows(report, text), text.font),
        Spacer(1, 2 * mm),
        *[text(p, "body") for p in LOG_EXPLANATION],
        text("四、如何核验", "heading"),
        *[text(item, style) for style, item in HOW_TO_VERIFY],
    ]


def _summary_rows(report: EvidenceReport, text: _Text) -> list[list[Flowable]]:
    rows = [
        ("合同编号", report.contract_number),
        ("文件名称", report.document_title),
        ("项目", report.project_name),
        ("用人单位", report.employer_name),
        ("劳动者", f"{report.worker_name_masked}　身份证号：{report.worker_id_masked}"),
        ("文件 SHA-256", group_hex(report.document_sha256)),
    ]
    if report.document_sm3:
        rows.append(("文件 SM3", group_hex(report.document_sm3)))
    rows.append(("报告生成时间", china_time(report.generated_at)))
    verdict = text(_validity(report.document_valid), color=VALID_COLOR if report.document_valid else INVALID_COLOR)
    return [[text(label), text(value)] for label, value in rows] + [[text("核验结论"), verdict]]


def _log_rows(report: EvidenceReport, text: _Text) -> list[list[Flowable]]:
    rows = [
        ("日志条目总数", str(report.tree_size)),
        ("根哈希", group_hex(report.tree_root)),
        ("树头签署时间", china_time(report.tree_head_time)),
        ("日志公钥指纹\n（SHA-256）", group_hex(report.log_key_fingerprint)),
        ("平台根证书指纹\n（SHA-256）", group_hex(report.root_cert_fingerprint)),
    ]
    return [[text(label), text(value)] for label, value in rows]


def _signature_row(line: SignatureLine) -> list[str]:
    times = [china_time(t) if t else "—" for t in (line.signing_time, line.timestamp_time)]
    return [line.role, line.signer, line.issuer, *times, _validity(line.valid)]


def _step_row(step: Step) -> list[str]:
    short = f"{step.leaf_hash[:LEAF_HASH_CHARS]}…" if len(step.leaf_hash) > LEAF_HASH_CHARS else step.leaf_hash
    return [str(step.seq), china_time(step.time), step.action, step.method or "—", step.actor, short]


def _validity(valid: bool) -> str:
    return "有效" if valid else "无效"


LOG_EXPLANATION = (
    "平台把合同从起草、发送、身份验证、签署到归档的每一步都写入存证日志，上表第二部分即本合同的全部记录。"
    "存证日志是一棵只能追加、不能修改或删除的默克尔树（Merkle tree），采用证书透明度日志（RFC 6962）的设计："
    "每条记录的哈希值（叶子哈希）都参与计算整棵树的根哈希，平台定期用日志私钥对“条目总数、根哈希、时间”签名，形成签名树头。",
    "此后任何人改动、删除或插入任何一条记录，重新计算出的根哈希都会改变，与已经签名公布的树头对不上，因此任何事后改动都能被发现。"
    "存证包中的包含证明可以证明每条记录确实在这棵树中。",
)

#: (style, text): "item" is a numbered step, "detail" a line under it, "continued" more text of the step.
HOW_TO_VERIFY = (
    ("item", "1. 存证包（.zip 文件）包含以下文件："),
    ("detail", "contract.pdf：已签署的电子劳动合同，内含双方的电子签名和时间戳；"),
    ("detail", "entries.json：本合同全过程的存证记录原文，以及每条记录的包含证明；"),
    ("detail", "tree_head.json：存证日志的签名树头（条目总数、根哈希、时间和签名）；"),
    ("detail", "certificates.pem：平台根证书及签名证书链；"),
    ("detail", "log_public_key.pem：存证日志的公钥（Ed25519），用于核验树头和清单的签名；"),
    ("detail", "manifest.json：存证包中各文件的名称和 SHA-256 哈希值清单；"),
    ("detail", "manifest.sig：存证日志私钥对 manifest.json 的签名；"),
    ("detail", "report.pdf：本报告。"),
    (
        "item",
        "2. 自动核验：在平台上运行核验命令 flask --app wsgi ledger verify-package 文件.zip，显示“result: VALID”即全部通过；"
        "在其他电脑上离线核验时，加上平台在 /log/root-certificate 页面公布的两个指纹："
        "--offline --root-fingerprint 根证书指纹 --log-key-fingerprint 日志公钥指纹。"
        "未给出指纹时，结论为“result: VALID (anchors not pinned …)”：只说明存证包内部一致，"
        "须再把显示的两个指纹与平台公布的指纹比对。",
    ),
    ("continued", "也可以用通用工具逐项手工核验："),
    ("detail", "（1）计算每个文件的 SHA-256，与 manifest.json 中记录的值逐一比对；"),
    ("detail", "（2）用 log_public_key.pem 中的公钥（Ed25519）核验 manifest.sig 是 manifest.json 的有效签名；"),
    (
        "detail",
        "（3）对 entries.json 中的每条记录，计算叶子哈希 = SHA-256(0x00 ‖ 记录原文)，"
        "再用该记录的包含证明算出根哈希，应与 tree_head.json 中的根哈希一致；",
    ),
    ("detail", "（4）用同一公钥核验 tree_head.json 中的树头签名；"),
    (
        "detail",
        "（5）用任一 PDF 签名核验工具（如 pyHanko、Adobe Acrobat Reader、poppler 的 pdfsig）核验 contract.pdf 中的签名，"
        "只信任 certificates.pem 中的平台根证书；",
    ),
    (
        "detail",
        "（6）计算根证书指纹（DER 格式证书的 SHA-256）和日志公钥指纹（DER 格式公钥 SubjectPublicKeyInfo 的 SHA-256），"
        "与平台在 /log/root-certificate 页面公开发布的指纹比对，应完全一致；本报告第三部分也列出了这两个指纹。"
        "只核对存证包自带的证书和公钥不够：伪造者可以用同名的新证书和新密钥制作一个内部一致的存证包。",
    ),
    ("item", "3. 任何人也可以在平台的公开核验页面上传 contract.pdf，在线查看签名和存证的核验结果。"),
)


# --- layout --------------------------------------------------------------------------------------------------


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return page.styles(font, size=9.5, leading=15)


def _grid(text: _Text, columns: Sequence[tuple[str, int]], rows: list[list[str]], style: str = "cell") -> Table:
    """A table with a header row that repeats on every page it runs over."""
    data: list[list[Any]] = [[text(label, "header") for label, _ in columns]]
    data += [[text(value, style) for value in row] for row in rows]
    commands: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    if not rows:
        data.append([text("（无）", style)] + [""] * (len(columns) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(data, colWidths=[width * mm for _, width in columns], repeatRows=1)
    table.setStyle(TableStyle(page.grid_commands(text.font) + commands))
    return table


def _key_value_table(rows: list[list[Flowable]], font: str) -> Table:
    table = Table(rows, colWidths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH])
    table.setStyle(TableStyle([*page.grid_commands(font), ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f5f5"))]))
    return table
