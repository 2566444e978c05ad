"""The one font contracts and seals are drawn with, and the check that it can draw every character.

Why one TrueType font: reportlab reads TrueType outlines only (it rejects the CFF outlines of every Noto CJK face),
and WenQuanYi Micro Hei renders a typical contract well under our 150 ms budget (see signing-notes.md). It is
embedded as a subset, so the worker's phone needs no Chinese font of its own.

Why the glyph check: a renderer that drops or swaps a character it cannot draw produces a contract whose text
differs from what the parties agreed (DocuSeal turns missing glyphs into spaces). We refuse such documents instead,
so a rare character in a name (生僻字) is reported to the employer before anything is signed.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
