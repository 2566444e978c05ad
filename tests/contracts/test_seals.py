"""Seal images: transparent red PNGs of modest size, the traditional character layout, refusal of names the font
cannot draw. Samples are written to artifacts/seals/ for a human to look at."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from tests.contracts.support import ARTIFACTS, CONTRACT_NUMBER, VERIFY_URL, require_font, sample_terms
from wage_guard.documents import seals
from wage_guard.documents.contract import SEAL_BOXES, render_contract_pdf
from wage_guard.documents.fonts import MissingGlyphError
from wage_guard.documents.previews import page_sizes, pdf_to_preview_box, render_previews
from wage_guard.documents.seals import company_seal_png, personal_seal_png

SEAL_DIR = ARTIFACTS / "seals"
PERSONAL_NAMES = {"2": "李四", "3": "王小明", "4": "欧阳娜娜", "6": "阿依古丽·买", "1": "一"}
COMPANY_NAMES = {
    "short": ("华建公司", ""),
    "typical": ("山东鲁建建筑劳务有限公司", ""),
    "long": ("淄博市高青县第一建筑工程有限责任公司", "合同专用章"),
}


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: seals are pure (no app or database)."""
    require_font()


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    return image


def red_pixels(image: Image.Image) -> int:
    r, g, b, a = image.split()
    mask = ImageChops.multiply(r.point(lambda v: 255 if v > 150 else 0), g.point(lambda v: 255 if v < 80 else 0))
    mask = ImageChops.multiply(mask, b.point(lambda v: 255 if v < 80 else 0))
    mask = ImageChops.multiply(mask, a.point(lambda v: 255 if v > 100 else 0))
    return mask.histogram()[255]


def alpha(image: Image.Image, xy: tuple[int, int]) -> int:
    value = image.getchannel("A").getpixel(xy)
    assert isinstance(value, int)
    return value


def transparent_share(image: Image.Image) -> float:
    return image.getchannel("A").histogram()[0] / (image.width * image.height)


@pytest.mark.parametrize("name", PERSONAL_NAMES.values())
def test_personal_seal_is_a_small_transparent_red_square(name: str) -> None:
    data = personal_seal_png(name)
    image = open_png(data)
    assert image.size == (240, 240)
    assert len(data) < 40 * 1024
    assert alpha(image, (0, 0)) == 0  # rounded corner
    assert transparent_share(image) > 0.2  # the paper shows between the strokes
    assert red_pixels(image) > 240 * 240 * 0.15  # a solid border plus the characters


@pytest.mark.parametrize(("name", "bottom"), COMPANY_NAMES.values())
def test_company_seal_is_a_transparent_red_circle(name: str, bottom: str) -> None:
    data = company_seal_png(name, bottom_text=bottom)
    image = open_png(data)
    assert image.size == (360, 360)
    assert len(data) < 80 * 1024
    for corner in [(0, 0), (359, 0), (0, 359), (359, 359), (40, 40)]:
        assert alpha(image, corner) == 0
    assert alpha(image, (180, 180)) > 150  # the star's centre
    assert transparent_share(image) > 0.5
    assert red_pixels(image) > 360 * 360 * 0.08


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("李四", [["李", "四"], ["之", "印"]]),
        ("王小明", [["王", "小"], ["明", "印"]]),
        ("欧阳娜娜", [["欧", "阳"], ["娜", "娜"]]),
        ("一", [["一"], ["之", "印"]]),
        ("阿依古丽买", [["阿", "依", "古"], ["丽", "买", "印"]]),
        ("阿依古丽买买提", [["阿", "依", "古"], ["丽", "买", "买"], ["提", "印"]]),
        ("a" * 10, [["a"] * 4, ["a"] * 4, ["a", "a", "印"]]),
    ],
)
def test_personal_seal_reads_right_column_first(name: str, columns: list[list[str]]) -> None:
    assert seals._personal_layout(list(name)) == columns


@pytest.mark.parametrize("make", [personal_seal_png, company_seal_png])
@pytest.mark.parametrize("name", ["李𠀀", "王😀", "张\u202e三"])
def test_seal_refuses_names_the_font_cannot_draw(make: object, name: str) -> None:
    with pytest.raises(MissingGlyphError):
        make(name)  # type: ignore[operator]


def test_company_seal_refuses_undrawable_bottom_text() -> None:
    with pytest.raises(MissingGlyphError):
        company_seal_png("华建公司", bottom_text="合同😀章")


@pytest.mark.parametrize(("make", "limit"), [(personal_seal_png, 16), (company_seal_png, 30)])
def test_seal_refuses_empty_and_overlong_names(make: object, limit: int) -> None:
    with pytest.raises(ValueError, match="needs a name"):
        make(" \u3000")  # type: ignore[operator]
    with pytest.raises(ValueError, match="at most"):
        make("建" * (limit + 1))  # type: ignore[operator]


def test_seals_are_deterministic() -> None:
    assert personal_seal_png("李四") == personal_seal_png("李四")
    assert company_seal_png("华建公司") == company_seal_png("华建公司")
    assert personal_seal_png("李四") != personal_seal_png("李五")


def test_save_samples_for_a_human_to_look_at() -> None:
    """Writes artifacts/seals/*.png, including the last contract page with both seals in their default boxes."""
    SEAL_DIR.mkdir(parents=True, exist_ok=True)
    for key, name in PERSONAL_NAMES.items():
        (SEAL_DIR / f"personal-{key}.png").write_bytes(personal_seal_png(name))
    for key, (name, bottom) in COMPANY_NAMES.items():
        (SEAL_DIR / f"company-{key}.png").write_bytes(company_seal_png(name, bottom_text=bottom))
    pdf = render_contract_pdf(sample_terms(), contract_number=CONTRACT_NUMBER, verify_url=VERIFY_URL)
    page = Image.open(io.BytesIO(render_previews(pdf)[-1])).convert("RGBA")
    for role, seal in [("employer", company_seal_png("山东鲁建建筑劳务有限公司")), ("worker", personal_seal_png("李四"))]:
        left, top, right, lower = pdf_to_preview_box(page_sizes(pdf)[-1], page.size, SEAL_BOXES[role])
        image = open_png(seal)
        size = round((right - left) * (0.87 if role == "employer" else 0.78))  # 40 mm and 25 mm seals
        image = image.resize((size, size), Image.Resampling.LANCZOS)
        page.alpha_composite(image, (round((left + right - size) / 2), round((top + lower - size) / 2)))
    page.convert("RGB").save(SEAL_DIR / "signature-page.png")
    assert (SEAL_DIR / "signature-page.png").stat().st_size > 0
