"""Helpers for the verification tests: a contract's revisions cut from the final file, a file re-signed by someone
else, and the three ways to check a file (the CLI's exit status, its JSON, the public page)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from wage_guard import clock
from wage_guard.documents import seals
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.signing import services as signing
from wage_guard.signing.pades import SealPlacement


def revision_ends(pdf: bytes) -> list[int]:
    """Where each revision of ``pdf`` ends, read from pyHanko's cross-reference sections (not from the code tested)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    ends = []
    for revision in range(reader.xrefs.total_revisions):
        after_xref = reader.xrefs.get_xref_container_info(revision).end_location
        eof = pdf.index(b"%%EOF", after_xref) + len(b"%%EOF")
        eol = re.match(rb"\r\n|\r|\n", pdf[eof : eof + 2])
        ends.append(eof + (eol.end() if eol else 0))
    return ends


def revisions(pdf: bytes) -> list[bytes]:
    """Every revision of ``pdf`` as the file it was when that revision was written (the last is ``pdf`` itself)."""
    cuts = [pdf[:end] for end in revision_ends(pdf)]
    assert cuts[-1] == pdf
    return cuts


@dataclass(frozen=True)
class Checked:
    """One file checked three ways."""

    exit_code: int
    output: str
    data: dict[str, Any]
    status: int
    html: str

    @property
    def verdict_class(self) -> str:
        match = re.search(r'class="verdict (\w+)" id="verdict"', self.html)
        assert match, self.html
        return match.group(1)

    def page_text(self, element_id: str) -> str:
        match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', self.html, re.S)
        assert match, f"no #{element_id} on the page"
        return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def check(app: Flask, pdf: bytes, tmp_path: Path, lang: str = "") -> Checked:
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    runner = app.test_cli_runner()
    text = runner.invoke(args=["contracts", "verify", str(path)])
    as_json = runner.invoke(args=["contracts", "verify", str(path), "--json"])
    assert as_json.exit_code == text.exit_code, (text.output, as_json.output)
    response = app.test_client().post(
        f"/verify/{lang}", data={"file": (io.BytesIO(pdf), "c.pdf")}, content_type="multipart/form-data"
    )
    return Checked(text.exit_code, text.output, json.loads(as_json.output), response.status_code, response.get_data(as_text=True))


def white_box_png() -> bytes:
    """An opaque white rectangle: as a seal image it hides whatever text lies under it."""
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 120), (255, 255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def sign_again(
    app: Flask,
    pdf: bytes,
    *,
    owner_kind: str,
    owner_id: int,
    name: str,
    field_name: str,
    covering_box: bool,
) -> bytes:
    """Sign ``pdf`` once more with a platform identity of ``owner_kind``/``owner_id`` (created if needed).

    With ``covering_box`` the seal is an opaque white box over the text at the top of page 1; otherwise it is the
    signer's ordinary seal in the bottom margin of page 1.
    """
    with app.app_context():
        organization = name if owner_kind == "employer" else None
        identity = signing.identity_for(owner_kind, owner_id, common_name=name, organization=organization, now=clock.utcnow())
        db.session.commit()
        if covering_box:
            placement = SealPlacement(0, (60.0, 700.0, 540.0, 780.0), white_box_png())
        else:
            image = seals.company_seal_png(name) if owner_kind == "employer" else seals.personal_seal_png(name)
            placement = SealPlacement(0, (480.0, 20.0, 540.0, 80.0), image)
        return signing.sign(pdf, identity, field_name=field_name, placement=placement, reason="追加签名", location="别处")


def worker_id(app: Flask, enrollment_id: int) -> int:
    with app.app_context():
        entry = db.session.get(Enrollment, enrollment_id)
        assert entry is not None
        return entry.worker_id
