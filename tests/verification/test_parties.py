"""Signers against the parties: a signature by a platform certificate that is not a party of the contract (another
worker, another employer), added after completion with or without a white seal box hiding text on page 1, or put in
the worker's place, makes the file invalid, and the CLI, its JSON and the page name the extra signer. An extra
signature by a party itself is refused too: a contract carries exactly the employer's seal, then the worker's."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.journeys.conftest import SigningWorld, final_pdf
from tests.journeys.test_signing_journey import sign_one
from tests.verification.support import check, revisions, sign_again, worker_id
from wage_guard.verification import model


@pytest.fixture
def signed(app: Flask, signing_world: SigningWorld) -> bytes:
    return final_pdf(app, sign_one(app, signing_world))


@pytest.mark.parametrize("covering_box", [True, False], ids=["white-box-over-text", "ordinary-seal"])
def test_a_non_party_signature_after_completion_is_rejected_and_named(
    app: Flask, signing_world: SigningWorld, signed: bytes, tmp_path: Path, covering_box: bool
) -> None:
    wang = worker_id(app, signing_world.enrollments["王五"])
    extra = sign_again(
        app, signed, owner_kind="worker", owner_id=wang, name="王五", field_name="witness", covering_box=covering_box
    )
    assert extra.startswith(signed)
    result = check(app, extra, tmp_path)
    assert result.exit_code == model.EXIT_INVALID, result.output
    # The signature itself is a valid platform signature: only the parties check catches it.
    assert result.data["signatures_valid"] is True
    assert result.data["ok"] is False
    assert result.data["result"] == "invalid"
    [finding] = [f for f in result.data["findings"] if f["code"] == "extra_signature"]
    assert finding["signature"] == 3
    assert finding["signer"] == "王五"
    assert "王五" in finding["message"]
    assert "不是本合同的当事人" in finding["message"]
    assert "Signature 3 was added by 王五 (worker, certificate " in finding["message_en"]
    assert "第 3 个签名由 王五（劳动者，证书序列号" in result.output
    assert "Signature 3 was added by 王五" in result.output
    assert "result: NOT VALID" in result.output
    assert result.status == 422
    assert result.verdict_class == "invalid"
    assert "无效：有不是合同当事人的人添加了签名" in result.page_text("verdict")
    # The public page names the signer as it names workers there (王*) with the certificate's serial number.
    serial = finding["certificate_serial"]
    assert f"第 3 个签名由 王*（劳动者，证书序列号 {serial}） 添加，此人不是本合同的当事人。" in result.page_text("findings")
    assert "王五" not in result.html
    assert 'id="verify-form"' in result.html


def test_another_employer_signing_after_completion_is_named_in_full(
    app: Flask, signing_world: SigningWorld, signed: bytes, tmp_path: Path
) -> None:
    extra = sign_again(
        app,
        signed,
        owner_kind="employer",
        owner_id=signing_world.base.employer_b,
        name="乙建筑公司",
        field_name="employer2",
        covering_box=True,
    )
    result = check(app, extra, tmp_path)
    assert result.exit_code == model.EXIT_INVALID
    assert "第 3 个签名由 乙建筑公司（用人单位，证书序列号" in result.page_text("findings")


def test_the_worker_signing_twice_is_an_extra_signature(
    app: Flask, signing_world: SigningWorld, signed: bytes, tmp_path: Path
) -> None:
    li = worker_id(app, signing_world.enrollments["李四"])
    extra = sign_again(app, signed, owner_kind="worker", owner_id=li, name="李四", field_name="again", covering_box=True)
    result = check(app, extra, tmp_path)
    assert result.exit_code == model.EXIT_INVALID
    assert [f["code"] for f in result.data["findings"]] == ["extra_party_signature"]
    assert "添加后" not in result.page_text("findings")
    assert "多加的签名" in result.page_text("findings")


def test_someone_else_signing_in_the_workers_place_is_rejected(
    app: Flask, signing_world: SigningWorld, signed: bytes, tmp_path: Path
) -> None:
    """The employer-sealed revision signed by another worker: two valid signatures, the second by a stranger."""
    employer_only = revisions(signed)[1]
    wang = worker_id(app, signing_world.enrollments["王五"])
    forged = sign_again(
        app, employer_only, owner_kind="worker", owner_id=wang, name="王五", field_name="worker", covering_box=False
    )
    result = check(app, forged, tmp_path)
    assert result.exit_code == model.EXIT_INVALID, result.output
    assert result.data["signatures_valid"] is True
    [finding] = result.data["findings"]
    assert finding["code"] == "not_a_party"
    assert finding["expected"] == "worker"
    assert finding["message"].startswith("第 2 个签名应当是劳动者的签名，却由 王五（劳动者")


def test_the_worker_signing_a_copy_the_platform_did_not_record_is_rejected(
    app: Flask, signing_world: SigningWorld, signed: bytes, tmp_path: Path
) -> None:
    """The right people, in the right order, but not the signature the platform made: not the contract."""
    employer_only = revisions(signed)[1]
    li = worker_id(app, signing_world.enrollments["李四"])
    resigned = sign_again(
        app, employer_only, owner_kind="worker", owner_id=li, name="李四", field_name="worker", covering_box=True
    )
    result = check(app, resigned, tmp_path)
    assert result.exit_code == model.EXIT_INVALID, result.output
    assert [f["code"] for f in result.data["findings"]] == ["not_recorded"]


def test_the_employer_seal_on_the_draft_by_another_employer(
    app: Flask, signing_world: SigningWorld, signed: bytes, tmp_path: Path
) -> None:
    draft = revisions(signed)[0]
    forged = sign_again(
        app,
        draft,
        owner_kind="employer",
        owner_id=signing_world.base.employer_b,
        name="乙建筑公司",
        field_name="employer",
        covering_box=False,
    )
    result = check(app, forged, tmp_path)
    assert result.exit_code == model.EXIT_INVALID
    assert [f["code"] for f in result.data["findings"]] == ["not_a_party"]
    assert result.data["findings"][0]["expected"] == "employer"
