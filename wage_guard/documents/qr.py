"""QR codes as SVG (for pages and posters) and PNG (for download); the only module importing ``qrcode``."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def render_svg(data: str) -> bytes:
    """An SVG path image that scales crisply on screen and in print."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, error_correction=ERROR_CORRECT_M, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def render_png(data: str, *, box_size: int = 12) -> bytes:
    """A PNG for download and printing (about 500 px for a typical enrolment URL)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
