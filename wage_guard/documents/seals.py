"""Seal images for electronic signatures: a worker's square personal seal and a company's round seal.

Workers rarely own a seal or an electronic signature pad, and a drawn signature on a phone is hard to recognise; a
generated seal with their name is what they and the inspectors expect to see on a signed contract. The images are
appearances only: the legal weight comes from the PAdES signature they are attached to (signing/pades.py).

The characters are drawn with the contract font (a 黑体 face; real seals use 篆书 or 宋体, which we do not ship),
stretched to fill their cells as engravers do. Names the font cannot draw completely are refused, so a seal never
shows a name other than the signer's. Output is deterministic: the ink texture is seeded from the name.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from datetime import date
from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from wage_guard.documents.fonts import contract_font, require_glyphs

INK = (204, 28, 36)  # seal-paste red
#: Longest name a personal seal holds (4 columns of 4); longer names are refused.
MAX_PERSONAL_CHARACTERS = 16
#: Longest company name the round seal's arc holds legibly.
MAX_COMPANY_CHARACTERS = 30
_GLYPH_SIZE = 160  # px of the master glyph renderings that are scaled into cells


def personal_seal_png(name: str, *, size: int = 240) -> bytes:
    """Return a red square personal seal (RGBA PNG, transparent outside the ink) reading ``name``.

    Traditional layout, read from the right column top-down, then the next column to the left:

    * 2 characters get 之印 (李四之印) and 3 characters get 印 (王小明印), 4 characters stand alone: a 2×2 grid;
    * 1 character fills the right column, 之印 the left one;
    * 5 to 9 characters use three rows, 10 to 16 four rows, with as many columns as needed; 印 takes a cell left
      over, and a last column that is still short stretches its characters to the full height.
    Whitespace is not engraved.

    :raises MissingGlyphError: when the font cannot draw a character of the name.
    :raises ValueError: for an empty name or one longer than ``MAX_PERSONAL_CHARACTERS``.
    """
    chars = _seal_characters(name, MAX_PERSONAL_CHARACTERS)
    columns = _personal_layout(chars)
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    border = max(2, round(size * 0.07))
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(size * 0.04), outline=255, width=border)
    inner = border + round(size * 0.035)
    cell_w = (size - 2 * inner) / len(columns)
    for index, column in enumerate(columns):
        left = size - inner - (index + 1) * cell_w  # columns run right to left
        cell_h = (size - 2 * inner) / len(column)  # a shorter column stretches its characters
        for row, char in enumerate(column):
            box = (left, inner + row * cell_h, left + cell_w, inner + (row + 1) * cell_h)
            _paste_glyph(mask, char, box, padding=0.05)
    return _png(_ink(mask, name))


def company_seal_png(name: str, *, size: int = 360, bottom_text: str = "") -> bytes:
    """Return a red round company seal (RGBA PNG): the name along the upper arc, a five-pointed star in the
    centre, and optionally ``bottom_text`` (such as 合同专用章) in a line below the star.

    :raises MissingGlyphError: when the font cannot draw a character of the name or the bottom text.
    :raises ValueError: for an empty name or one longer than ``MAX_COMPANY_CHARACTERS``.
    """
    chars = _seal_characters(name, MAX_COMPANY_CHARACTERS)
    require_glyphs(bottom_text)
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    radius = size / 2 - 1
    ring = max(2, round(size * 0.035))
    draw.ellipse((1, 1, size - 2, size - 2), outline=255, width=ring)
    _draw_star(draw, (size / 2, size / 2), radius * 0.30)
    _draw_arc_text(mask, chars, radius, ring)
    line = [c for c in bottom_text if not c.isspace()]
    if line:
        char_h = radius * 0.18
        char_w = min(char_h * 0.9, radius * 1.1 / len(line))
        top = size / 2 + radius * 0.40
        left = size / 2 - char_w * len(line) / 2
        for index, char in enumerate(line):
            box = (left + index * char_w, top, left + (index + 1) * char_w, top + char_h)
            _paste_glyph(mask, char, box, padding=0.04)
    return _png(_ink(mask, name))


def _seal_characters(name: str, limit: int) -> list[str]:
    chars = [c for c in name if not c.isspace()]
    if not chars:
        raise ValueError("a seal needs a name")
    if len(chars) > limit:
        raise ValueError(f"a seal holds at most {limit} characters; {name!r} has {len(chars)}")
    require_glyphs("".join(chars))
    return chars


def _personal_layout(chars: list[str]) -> list[list[str]]:
    """Split the engraved characters into columns, rightmost column first."""
    if len(chars) == 1:
        return [chars, ["之", "印"]]
    if len(chars) <= 4:
        full = chars + {2: ["之", "印"], 3: ["印"], 4: []}[len(chars)]
        return [full[:2], full[2:]]
    rows = 3 if len(chars) <= 9 else 4
    columns = math.ceil(len(chars) / rows)
    if len(chars) < rows * columns:
        chars = [*chars, "印"]
    return [chars[i : i + rows] for i in range(0, len(chars), rows)]


def _draw_arc_text(mask: Image.Image, chars: list[str], radius: float, ring: int) -> None:
    """Place the characters along the upper arc, each rotated so its foot points at the centre."""
    count = len(chars)
    span = math.radians(min(260.0, max(140.0, 21.0 * count)))
    char_h = radius * 0.25
    text_radius = radius - ring - radius * 0.05 - char_h / 2
    char_w = min(char_h * 0.8, 0.85 * text_radius * span / count)
    centre = mask.width / 2
    for index, char in enumerate(chars):
        angle = -span / 2 + span * (index + 0.5) / count  # clockwise from the top
        tile = _glyph_tile(char, round(char_w), round(char_h))
        rotated = tile.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC, expand=True)
        x = centre + text_radius * math.sin(angle) - rotated.width / 2
        y = centre - text_radius * math.cos(angle) - rotated.height / 2
        mask.paste(255, (round(x), round(y)), rotated)


def _draw_star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], outer: float) -> None:
    inner = outer * 0.382
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        angle = math.pi * k / 5
        points.append((centre[0] + r * math.sin(angle), centre[1] - r * math.cos(angle)))
    draw.polygon(points, fill=255)


def _paste_glyph(mask: Image.Image, char: str, box: tuple[float, float, float, float], *, padding: float) -> None:
    left, top, right, bottom = box
    pad_x, pad_y = (right - left) * padding, (bottom - top) * padding
    width, height = round(right - left - 2 * pad_x), round(bottom - top - 2 * pad_y)
    if width > 0 and height > 0:
        mask.paste(255, (round(left + pad_x), round(top + pad_y)), _glyph_tile(char, width, height))


def _glyph_tile(char: str, width: int, height: int) -> Image.Image:
    """The character's inked area stretched to ``width``×``height``, strokes thickened like an engraving."""
    glyph = _master_glyph(char)
    tile = glyph.resize((width, height), Image.Resampling.LANCZOS)
    weight = 5 if min(width, height) > 80 else 3
    return tile.filter(ImageFilter.MaxFilter(weight))


@cache
def _master_glyph(char: str) -> Image.Image:
    """Render ``char`` large and crop to its ink, keeping thin characters such as 一 thin."""
    font = _pil_font()
    image = Image.new("L", (_GLYPH_SIZE * 2, _GLYPH_SIZE * 2), 0)
    ImageDraw.Draw(image).text((_GLYPH_SIZE, _GLYPH_SIZE), char, font=font, fill=255, anchor="mm")
    box = image.getbbox() or (0, 0, 1, 1)
    ink = image.crop(box)
    # Keep at least 60 % of the em in each direction so flat or narrow glyphs are not blown up into blocks.
    width, height = max(ink.width, round(_GLYPH_SIZE * 0.6)), max(ink.height, round(_GLYPH_SIZE * 0.6))
    framed = Image.new("L", (width, height), 0)
    framed.paste(ink, ((width - ink.width) // 2, (height - ink.height) // 2))
    return framed


@cache
def _pil_font() -> ImageFont.FreeTypeFont:
    font = contract_font()
    return ImageFont.truetype(str(font.path), _GLYPH_SIZE, index=0)


def _ink(mask: Image.Image, seed_text: str) -> Image.Image:
    """Colour the mask with seal-paste red and a faint, seeded unevenness of the ink."""
    rng = random.Random(hashlib.sha256(seed_text.encode()).digest())  # noqa: S311 - texture, not security
    grain = Image.new("L", (max(8, mask.width // 8), max(8, mask.height // 8)))
    grain.putdata([rng.randint(200, 255) for _ in range(grain.width * grain.height)])
    grain = grain.resize(mask.size, Image.Resampling.BICUBIC)
    alpha = ImageChops.multiply(mask, grain)
    seal = Image.new("RGBA", mask.size, (*INK, 0))
    seal.putalpha(alpha)
    return seal


#: The date under a seal is written in dark ink, as a hand-written date next to a stamped seal.
DATE_INK = (40, 40, 40)


def dated_seal_png(seal_png: bytes, day: date) -> bytes:
    """The seal with its signing date written under it (``2026年11月02日``): the party's date in the signed document.

    The contract is rendered before anyone signs, so its date lines cannot hold the dates; each party's seal
    appearance carries them instead, and the signature's trusted timestamp backs them.
    """
    seal = Image.open(io.BytesIO(seal_png), formats=["PNG"]).convert("RGBA")
    text = f"{day.year}年{day.month:02d}月{day.day:02d}日"
    require_glyphs(text)
    probe = ImageFont.truetype(str(contract_font().path), 100, index=0)
    size = max(8, int(100 * seal.width * 0.96 / probe.getlength(text)))
    font = ImageFont.truetype(str(contract_font().path), size, index=0)
    caption = int(size * 1.35)
    canvas = Image.new("RGBA", (seal.width, seal.height + caption), (0, 0, 0, 0))
    canvas.paste(seal, (0, 0))
    ImageDraw.Draw(canvas).text((seal.width / 2, seal.height + caption / 2), text, font=font, fill=(*DATE_INK, 255), anchor="mm")
    # Made while the worker waits, and only ever decoded again to go into the PDF (which compresses it anew):
    # the fastest compression level takes 3 ms instead of 9 for a file 30 % larger that nobody downloads.
    return _png(canvas, compress_level=1)


def _png(image: Image.Image, compress_level: int = 6) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=compress_level)  # optimize=True saves 7 % at ten times the time
    return buffer.getvalue()
