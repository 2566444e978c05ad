"""Decoded images for other packages that must not import Pillow themselves.

Pillow is imported only in ``wage_guard.documents``. The signing package draws the visible seal through pyHanko,
which wants a decoded image object (a Pillow image) rather than PNG bytes; :func:`seal_image` decodes the seal here,
so ``wage_guard.signing`` receives that object without importing Pillow.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError


class UnreadableImage(ValueError):
    """The bytes are not a readable image of the expected format."""


def seal_image(image_png: bytes) -> Image.Image:
    """Decode a seal PNG into an RGBA image, as pyHanko's ``PdfImage`` draws it.

    :raises UnreadableImage: the bytes are not a readable PNG.
    """
    try:
        image = Image.open(io.BytesIO(image_png), formats=["PNG"])
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise UnreadableImage("the seal image is not a readable PNG") from exc
    return image if image.mode == "RGBA" else image.convert("RGBA")
