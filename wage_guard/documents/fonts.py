"""The one font contracts and seals are drawn with, the check that it can draw every character, and Chinese line
breaking for it.

Why one TrueType font: reportlab reads TrueType outlines only (it rejects the CFF outlines of every Noto CJK face),
and WenQuanYi Micro Hei renders a typical contract well under our 150 ms budget (see signing-notes.md). It is
embedded as a subset, so the worker's phone needs no Chinese font of its own.

Why the glyph check: a renderer that drops or swaps a character it cannot draw produces a contract whose text
differs from what the parties agreed (DocuSeal turns missing glyphs into spaces). We refuse such documents instead,
so a rare character in a name (生僻字) is reported to the employer before anything is signed.

Why our own line breaking: a contract line starting with "，" or "。" looks like a forgery to a Chinese reader, and
reportlab's CJK wrapping allows it (see ``CJKParagraph``).
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

from wage_guard.i18n import _

FONT_ENV = "WAGE_GUARD_CONTRACT_FONT"
DEFAULT_FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEBIAN_PACKAGE = "fonts-wqy-microhei"
#: Face 0 of the collection is WenQuanYi Micro Hei (face 1 is the monospaced variant).
SUBFONT_INDEX = 0
#: Characters that lay out text rather than being drawn.
LAYOUT_CHARACTERS = frozenset("\n\t")
#: Unicode categories that are never drawable even when the font maps them: control, format (zero-width and
#: bidi overrides, which could hide or reorder text) and private use (meaning depends on the font).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co"})


class FontNotFound(FileNotFoundError):
    """The configured contract font file does not exist; an operator problem, so the message is not translated."""


class MissingGlyphError(ValueError):
    """Text contains characters the contract font cannot draw; ``str()`` is the user-facing message."""

    def __init__(self, chars: list[str] | tuple[str, ...]) -> None:
        self.chars = tuple(chars)
        listed = "、".join(f"{c} (U+{ord(c):04X})" for c in self.chars)
        super().__init__(
            _(
                "These characters cannot be printed in the contract: %(chars)s. Please replace them or contact support.",
                chars=listed,
            )
        )


@dataclass(frozen=True)
class ContractFont:
    """The registered reportlab font and the code points it can draw."""

    name: str
    path: Path
    code_points: frozenset[int]


_lock = threading.Lock()
_loaded: dict[Path, ContractFont] = {}


def font_path() -> Path:
    """Return the font file: ``$WAGE_GUARD_CONTRACT_FONT`` or the Debian default."""
    configured = os.environ.get(FONT_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_FONT_PATH


def contract_font() -> ContractFont:
    """Load and register the contract font with reportlab once per path (parsing it takes about 60 ms).

    :raises FontNotFound: naming the path and the Debian package that provides the default font.
    """
    path = font_path()
    with _lock:
        font = _loaded.get(path)
        if font is None:
            font = _loaded[path] = _register(path)
    return font


def missing_glyphs(text: str) -> list[str]:
    """Return each character of ``text`` that has no glyph in the font, once, in order of first appearance.

    Newlines and tabs are ignored because they lay out text rather than being drawn. Spaces are checked like any
    other character. Control, format and private-use characters always count as missing (see
    ``INVISIBLE_CATEGORIES``).
    """
    drawable = contract_font().code_points
    missing: dict[str, None] = {}
    for char in text:
        if char not in LAYOUT_CHARACTERS and ord(char) not in drawable:
            missing[char] = None
    return list(missing)


def require_glyphs(text: str) -> None:
    """Refuse text the font cannot draw in full.

    :raises MissingGlyphError: listing every character that has no glyph.
    """
    missing = missing_glyphs(text)
    if missing:
        raise MissingGlyphError(missing)


def _register(path: Path) -> ContractFont:
    if not path.is_file():
        raise FontNotFound(
            f"Contract font not found at {path}. Install the Debian package {DEBIAN_PACKAGE} "
            f"or set {FONT_ENV} to a TrueType font file."
        )
    name = "WageGuardContract" if path == DEFAULT_FONT_PATH else f"WageGuardContract-{path.stem}"
    font = TTFont(name, str(path), subfontIndex=SUBFONT_INDEX)
    pdfmetrics.registerFont(font)
    # Glyph 0 is .notdef (an empty box): a character mapped to it cannot be drawn either.
    code_points = frozenset(
        cp for cp, glyph in font.face.charToGlyph.items() if glyph and unicodedata.category(chr(cp)) not in INVISIBLE_CATEGORIES
    )
    return ContractFont(name=name, path=path, code_points=code_points)


#: Characters reportlab must never put at the start of a line (closing punctuation) or at the end (opening).
CANNOT_START = frozenset("，。、；：！？）」』》〉】〕］｝”’…·%‰,.;:!?)]}℃°")
CANNOT_END = frozenset("（「『《〈【〔［｛“‘([{¥￥$")


class CJKParagraph(Paragraph):
    """A reportlab paragraph (use ``wordWrap="CJK"``) that breaks Chinese lines properly.

    reportlab's own CJK wrapping lets ，；： and the second of two closing marks (。」) start a line; this one moves
    characters down until no line starts with closing punctuation or ends with opening punctuation.
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802 - reportlab's name
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        if not self.frags:
            style = self.style
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor, lines=[])
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        return _break_cjk(self.frags, list(maxWidths), auto_leading not in ("", "off"))


def _break_cjk(frags: list[Any], max_widths: list[float], calc_bounds: bool) -> ParaLines:
    """Break characters into lines, moving a character down when the next line would start with closing punctuation
    or the line would end with an opening one, and keeping Latin words and numbers whole where possible."""
    chars = [cjkU(c, f, "utf8") for f in frags for c in (f.text or [""])]
    lines: list[Any] = []
    start = i = 0
    used = 0.0
    while i < len(chars):
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        if hasattr(chars[i].frag, "lineBreak"):
            lines.append(makeCJKParaLine(chars[start : i + 1], max_width, used, max_width - used, True, calc_bounds))
            start, i, used = i + 1, i + 1, 0.0
        elif used + chars[i].width > max_width + 1e-8 and i > start:
            cut = _break_before(chars, start, i)
            width = sum(c.width for c in chars[start:cut])
            lines.append(makeCJKParaLine(chars[start:cut], max_width, width, max_width - width, False, calc_bounds))
            start, i, used = cut, cut, 0.0
        else:
            used += chars[i].width
            i += 1
    if start < len(chars):
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        lines.append(makeCJKParaLine(chars[start:], max_width, used, max_width - used, False, calc_bounds))
    return ParaLines(kind=1, lines=lines)


def _break_before(chars: list[str], start: int, cut: int) -> int:
    """Move the break left from ``cut`` until it is allowed; fall back to ``cut`` when the line has no allowed break."""
    candidate = cut
    while candidate > start + 1:
        before, after = chars[candidate - 1], chars[candidate]
        inside_word = before.isascii() and after.isascii() and not before.isspace() and not after.isspace()
        if after not in CANNOT_START and before not in CANNOT_END and not inside_word:
            return candidate
        candidate -= 1
    return cut


class PageCountCanvas(Canvas):
    """Keeps each page until the end so the footer can say 共 N 页 (the usual reportlab page-count recipe)."""

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._footer(self, number, len(self._pages))
            super().showPage()
        super().save()
