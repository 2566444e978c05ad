"""Which version a file is: every earlier revision of a signed contract, cut from the final file, is reported by what
it holds (exit status 3, ``complete: false``, no "in force" on the page); only the final file is a complete contract.
Also: later documents (an amendment) make the original's final version superseded, validation data added by
someone else is accepted, anything else added is not, and a file the platform never issued is named as such."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from tests.journeys.conftest import SigningWorld, final_pdf, issue
from tests.journeys.test_changes import change, sign_change
from tests.journeys.test_signing_journey import sign_one
from tests.verification.support import check, revision_ends, revisions, sign_again, worker_id
from wage_guard import clock
from wage_guard.contracts.models import Contract
from wage_guard.extensions import db
from wage_guard.signing import services as signing
from wage_guard.verification import model

IN_FORCE = "生效中"


@pytest.fixture
def signed(app: Flask, signing_world: SigningWorld) -> tuple[int, bytes]:
    contract_id = sign_one(app, signing_world)
    return contract_id, final_pdf(app, contract_id)


def test_every_earlier_revision_is_reported_as_what_it_holds(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    _contract_id, pdf = signed
    cuts = revisions(pdf)
    # The rendered draft, the employer's seal, the worker's signature (B-T), then validation data + archive
    # timestamp (B-LTA, added by a job after the signing request). The signed B-T version is already the final
    # contract: only its long-term data follows it.
    assert len(cuts) == 4
    expected = [
        ("unsigned", "未签署", "这是未签署的草稿"),
        ("employer_only", "只有用人单位盖了章", "劳动者没有签署"),
    ]
    for cut, (stage, headline, wording) in zip(cuts, expected, strict=False):
        result = check(app, cut, tmp_path)
        assert result.exit_code == model.EXIT_INCOMPLETE, (stage, result.output)
        assert result.data["ok"] is False
        assert result.data["complete"] is False
        assert result.data["result"] == "incomplete"
        assert result.data["version"]["stage"] == stage
        assert result.data["version"]["in_force"] is False
        assert result.status == 200
        assert result.verdict_class == "incomplete"
        assert headline in result.page_text("verdict")
        assert wording in result.page_text("version")
        assert IN_FORCE not in result.html
        assert "有效：" not in result.page_text("verdict")
    for cut in cuts[2:]:
        final = check(app, cut, tmp_path)
        assert final.exit_code == model.EXIT_VALID, final.output
        assert final.data["ok"] is True
        assert final.data["complete"] is True
        assert final.data["version"]["stage"] == "final"
        assert final.data["version"]["in_force"] is True
        assert final.verdict_class == "valid"
        assert "双方已签署（最终版本）" in final.page_text("version")
        assert IN_FORCE in final.page_text("version")


def test_employer_only_revision_in_english_and_in_the_cli(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    _contract_id, pdf = signed
    employer_only = revisions(pdf)[1]
    result = check(app, employer_only, tmp_path, lang="?lang=en")
    assert "Only the employer has sealed; the worker has not signed." in result.page_text("version")
    assert "The worker signed on 2026-11-02: the complete contract is a different file." in result.page_text("version")
    assert "In force" not in result.html
    assert "只有用人单位盖了章" in result.output
    assert "Only the employer has sealed" in result.output
    assert "result: VALID SIGNATURES, INCOMPLETE OR SUPERSEDED VERSION" in result.output
    assert result.data["version"]["description_en"].startswith("Document: Labour contract WG-")


def test_a_cut_that_is_not_at_a_revision_end_is_never_complete(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    _contract_id, pdf = signed
    ends = revision_ends(pdf)
    for end in ends[:-1]:
        for cut in (pdf[: end - 1], pdf[: end + 10]):
            result = app.test_cli_runner().invoke(args=["contracts", "verify", str(_write(tmp_path, cut))])
            assert result.exit_code != model.EXIT_VALID, result.output


def test_an_employer_sealed_contract_still_waiting_for_the_worker(
    app: Flask, signing_world: SigningWorld, tmp_path: Path
) -> None:
    from tests.journeys.conftest import SIGNATORY_PHONE, link_in_sms, seal_batch

    [contract_id] = issue(app, signing_world, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    result = check(app, final_pdf(app, contract_id), tmp_path)
    assert result.exit_code == model.EXIT_INCOMPLETE
    assert result.data["version"]["stage"] == "employer_only"
    assert "该合同仍在等待劳动者签署。" in result.page_text("version")
    assert IN_FORCE not in result.html


def test_an_amended_contract_says_a_later_version_exists(
    app: Flask, signing_world: SigningWorld, signed: tuple[int, bytes], tmp_path: Path
) -> None:
    contract_id, pdf = signed
    amendment = change(app, signing_world, contract_id, "amendment", pay_amount="380")
    sign_change(app)
    original = check(app, pdf, tmp_path)
    assert original.exit_code == model.EXIT_INCOMPLETE, original.output
    assert original.data["complete"] is True
    assert original.data["version"]["superseded"] is True
    with app.app_context():
        number = db.session.get(Contract, amendment).number  # type: ignore[union-attr]
    assert original.data["version"]["later"] == [{"kind": "amendment", "number": number, "signed_at": clock.utcnow().isoformat()}]
    assert f"已有更新的版本：已于 2026-11-02 变更（{number}）。" in original.page_text("version")
    assert original.verdict_class == "incomplete"
    assert IN_FORCE not in original.html
    changed = check(app, final_pdf(app, amendment), tmp_path)
    assert changed.exit_code == model.EXIT_VALID, changed.output
    assert changed.data["version"]["changes_number"] == original.data["version"]["contract_number"]


def test_validation_data_added_later_is_accepted(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    """An arbitrator's tool may add a DSS and an archive timestamp (LTV update): still the final contract."""
    _contract_id, pdf = signed
    with app.app_context():
        extended = signing.complete(pdf, now=clock.utcnow())
    assert extended.startswith(pdf)
    assert len(extended) > len(pdf)
    result = check(app, extended, tmp_path)
    assert result.exit_code == model.EXIT_VALID, result.output
    assert result.data["version"]["relation"] == "added_to"


def test_anything_else_added_after_signing_is_not_valid(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    _contract_id, pdf = signed
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Extra"] = writer.add_object(
        generic.DictionaryObject({generic.NameObject("/Note"): generic.TextStringObject("x")})
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = check(app, out.getvalue(), tmp_path)
    assert result.exit_code == model.EXIT_INVALID, result.output
    assert "added_after_signing" in {f["code"] for f in result.data["findings"]}
    assert "最后一个签名之后" in result.page_text("findings")
    assert 'id="verify-form"' in result.html


def test_a_changed_unsigned_draft_is_not_valid(app: Flask, signed: tuple[int, bytes], tmp_path: Path) -> None:
    _contract_id, pdf = signed
    draft = revisions(pdf)[0]
    writer = IncrementalPdfFileWriter(io.BytesIO(draft))
    writer.root["/Extra"] = writer.add_object(generic.DictionaryObject())
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = check(app, out.getvalue(), tmp_path)
    assert result.exit_code == model.EXIT_INVALID, result.output
    assert [f["code"] for f in result.data["findings"]] == ["no_signatures", "added_data"]


def test_bytes_after_the_end_of_the_final_file_are_never_a_valid_contract(
    app: Flask, signed: tuple[int, bytes], tmp_path: Path
) -> None:
    _contract_id, pdf = signed
    result = app.test_cli_runner().invoke(args=["contracts", "verify", str(_write(tmp_path, pdf + b"junk after the end"))])
    assert result.exit_code in (model.EXIT_INVALID, model.EXIT_UNREADABLE), result.output


def test_a_file_this_platform_never_issued(app: Flask, signing_world: SigningWorld, tmp_path: Path) -> None:
    """A plain PDF, and one signed by a real party's platform certificate: neither is a document of this platform."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Labour contract")
    canvas.save()
    plain = check(app, buffer.getvalue(), tmp_path)
    assert plain.exit_code == model.EXIT_INVALID
    assert plain.data["version"]["stage"] == "unknown"
    assert "无效：不是本平台的文件" in plain.page_text("verdict")
    li = worker_id(app, signing_world.enrollments["李四"])
    forged = sign_again(
        app, buffer.getvalue(), owner_kind="worker", owner_id=li, name="李四", field_name="worker", covering_box=False
    )
    result = check(app, forged, tmp_path)
    assert result.exit_code == model.EXIT_INVALID, result.output
    assert result.data["signatures_valid"] is True
    assert result.data["findings"][0]["code"] == "not_platform"
    assert "不是本平台的文件" in result.page_text("verdict")
    assert 'id="evidence"' not in result.html


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "cut.pdf"
    path.write_bytes(data)
    return path
