"""What the signed document says about its signing (issue 8, finding 6): dates, the representative, the phone,
and what the person signing sees when the timestamp authority is down (tests/journeys/test_signing_journey.py)."""

from __future__ import annotations

import io
from datetime import date

from flask import Flask
from PIL import Image

from tests.contracts.support import poppler
from tests.journeys.conftest import SIGNATORY_PHONE, SigningWorld, final_pdf
from tests.journeys.test_signing_journey import sign_one
from wage_guard.documents import seals


def test_the_signed_contract_names_the_representative_the_phone_and_where_the_dates_are(
    app: Flask, signing_world: SigningWorld
) -> None:
    contract_id = sign_one(app, signing_world)
    text = poppler("pdftotext", final_pdf(app, contract_id), "-layout")
    flat = "".join(text.split())
    assert "委托代理人（签字或盖章）：王建国" in flat  # the employer's legal representative, by name
    assert SIGNATORY_PHONE.removeprefix("+86") in flat  # the employer's contact phone is filled
    assert "年月日" not in flat  # no blank date line left
    assert flat.count("日期：以签章下方所示日期为准") == 2


def test_a_dated_seal_carries_the_date_under_the_seal(app: Flask) -> None:
    with app.app_context():
        plain = seals.personal_seal_png("李四")
        dated = seals.dated_seal_png(plain, date(2026, 11, 2))
    before, after = Image.open(io.BytesIO(plain)), Image.open(io.BytesIO(dated)).convert("RGBA")
    assert after.width == before.width
    assert after.height > before.height
    caption = after.crop((0, before.height, after.width, after.height))
    dark = [p for p in caption.get_flattened_data() if p[3] > 200 and max(p[:3]) < 90]
    assert len(dark) > 50  # the date is written in dark ink under the seal
    assert after.crop((0, 0, before.width, before.height)).tobytes() == before.convert("RGBA").tobytes()
