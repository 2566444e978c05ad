"""The contract font: which characters it can draw, and clear errors when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contracts.support import require_font
from wage_guard.documents import fonts
from wage_guard.documents.fonts import FontNotFound, MissingGlyphError, missing_glyphs, require_glyphs


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: pure functions, no app or database."""
    require_font()


def test_font_draws_common_contract_text() -> None:
    text = "甲方（用人单位）：山东鲁建建筑劳务有限公司，统一社会信用代码91370322MA3C1234X5。"
    text += "\n\t乙方：欧阳娜娜、阿依古丽·买买提 ¥350.00/㎡"
    assert missing_glyphs(text) == []


def test_missing_glyphs_lists_each_character_once_in_order() -> None:
    assert missing_glyphs("😀李𠀀四😀") == ["😀", "𠀀"]


@pytest.mark.parametrize("char", ["\x00", "\r", "\u202e", "\u200b", "\ue000"])
def test_invisible_characters_count_as_missing(char: str) -> None:
    # Control, bidi-override, zero-width and private-use characters would hide or reorder text.
    assert missing_glyphs(f"李{char}四") == [char]


def test_newlines_and_tabs_are_layout_but_spaces_are_checked() -> None:
    assert missing_glyphs("a\nb\tc d\u3000e") == []


def test_require_glyphs_error_lists_characters_and_code_points() -> None:
    with pytest.raises(MissingGlyphError) as raised:
        require_glyphs("王𠀀😀")
    assert raised.value.chars == ("𠀀", "😀")
    assert "U+20000" in str(raised.value)
    assert "U+1F600" in str(raised.value)
    assert "𠀀" in str(raised.value)


def test_missing_font_file_names_the_path_and_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nope.ttc"
    monkeypatch.setenv(fonts.FONT_ENV, str(missing))
    with pytest.raises(FontNotFound) as raised:
        fonts.contract_font()
    assert str(missing) in str(raised.value)
    assert "fonts-wqy-microhei" in str(raised.value)


def test_font_is_registered_once() -> None:
    assert fonts.contract_font() is fonts.contract_font()
