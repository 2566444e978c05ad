"""A report people understand: for a file that is not valid the page says in plain words what is wrong and what to
do, every error answer keeps the upload form, times are China time and labelled, and the platform's certificate
names and other English do not leak onto the Chinese page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.journeys.conftest import WORKERS, SigningWorld, final_pdf
from tests.journeys.test_signing_journey import sign_one
from tests.portal.test_portal_sessions import portal_login
from tests.verification.support import check
from wage_guard.extensions import limiter
from wage_guard.verification import model

FORM = 'id="verify-form"'


@pytest.fixture
def signed(app: Flask, signing_world: SigningWorld) -> tuple[int, bytes]:
    contract_id = sign_one(app, signing_world)
    return contract_id, final_pdf(app, contract_id)


def _tampered(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[pdf.index(b"stream", pdf.index(b"/Contents")) + 20] ^= 0x01
    return bytes(changed)


def test_a_tampered_file_says_what_is_wrong_and_what_to_do(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    _contract_id, pdf = signed
    result = check(app, _tampered(pdf), tmp_path)
    assert result.exit_code == model.EXIT_INVALID
    assert result.status == 422
    assert result.page_text("verdict") == "无效：此文件在签署后被修改过"
    assert result.page_text("version") == "此文件与本平台保存的任何合同版本都不相符。"
    assert "此文件在签署后被修改过：内容与第 1 个签名不再相符。" in result.page_text("findings")
    assert "请向用人单位索取，或在“我的合同”中重新下载您的合同。" in result.page_text("advice")
    assert FORM in result.html
    english = check(app, _tampered(pdf), tmp_path, lang="?lang=en")
    assert "This file was changed after signing" in english.page_text("findings")
    assert "ask the employer, or download your copy again from 我的合同 (My contracts)" in english.page_text("advice")
    assert english.data["findings"][0]["code"] == "changed"
    assert english.data["findings"][0]["message_en"].startswith("This file was changed after signing")
    assert "我的合同" in english.data["findings"][0]["advice"]


def test_the_chinese_report_has_china_time_labels_and_no_english_certificate_names(
    app: Flask, signed: tuple[int, bytes], tmp_path: Path
) -> None:
    _contract_id, pdf = signed
    result = check(app, pdf, tmp_path)
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", result.html, flags=re.S))
    for leak in ("Signing CA", "Root CA", "Timestamp Authority", "wage_guard", "employer", "worker", "INTACT", "Signature"):
        assert leak not in visible, leak
    assert "本平台的签名证书机构" in visible
    assert "以下时间均为北京时间（UTC+8）。" in visible
    assert "签署人声明的签署时间（北京时间）" in visible
    assert "时间戳（北京时间）" in visible
    assert re.search(r"2026-\d\d-\d\d \d\d:\d\d:\d\d \(北京时间\)", visible)  # the china_time filter's label
    # The CLI and JSON keep the certificate's own names for tools.
    assert result.data["signatures"][0]["issuer_cn"].endswith("Signing CA")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, not a pdf", "This file is not a PDF."),
        (b"", "The file is empty."),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage garbage", "This PDF is damaged and cannot be read."),
    ],
)
def test_error_answers_keep_the_upload_form(app: Flask, signing_world: SigningWorld, data: bytes, message: str) -> None:
    files = {"file": (io.BytesIO(data), "c.pdf")}
    response = app.test_client().post("/verify/?lang=en", data=files, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert FORM in html
    assert f'<p class="field-error" id="file-error" role="alert">{message}</p>' in html


def test_no_file_chosen_keeps_the_form(app: Flask) -> None:
    response = app.test_client().post("/verify/", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert FORM in response.get_data(as_text=True)
    assert "请选择" in response.get_data(as_text=True)


def test_too_many_checks_keep_the_form(app: Flask) -> None:
    limiter.enabled = True
    app.config["RATELIMIT_VERIFY_PER_IP"] = "1 per hour"
    try:
        client = app.test_client()
        answers = [client.post("/verify/?lang=en", data={}, content_type="multipart/form-data") for _ in range(2)]
    finally:
        app.config["RATELIMIT_VERIFY_PER_IP"] = "30 per 10 minutes"
    assert answers[-1].status_code == 429
    assert FORM in answers[-1].get_data(as_text=True)
    assert "Too many requests" in answers[-1].get_data(as_text=True)


def test_too_large_keeps_the_form(app: Flask, signed: tuple[int, bytes]) -> None:
    _contract_id, pdf = signed
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + pdf + b"\0" * (1024 * 1024) + b"\r\n--b--\r\n"
        )
        with app.test_client().post("/verify/?lang=en", data=body, content_type="multipart/form-data; boundary=b") as response:
            assert response.status_code == 413
            assert FORM in response.get_data(as_text=True)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved


def test_the_workers_own_check_in_the_portal_uses_the_same_report(app: Flask, signed: tuple[int, bytes]) -> None:
    contract_id, _pdf = signed
    client = app.test_client()
    portal_login(app, client, WORKERS["李四"][1])
    response = client.get(f"/me/contracts/{contract_id}/verify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="verdict valid"' in html
    assert "双方已签署（最终版本）" in html
    assert "该合同生效中。" in html
