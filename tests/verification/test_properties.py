"""Property tests for the pure parts of verification: revision ends found in any byte layout, prefix hashes computed
in one pass equal to hashing each prefix, and the parties rule (exactly the employer, then the worker)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from wage_guard.contracts.lifecycle import Kind
from wage_guard.i18n import force_locale
from wage_guard.signing import services as signing
from wage_guard.verification import matching, model, wording
from wage_guard.verification import services as verification

NO_REPORT: Any = SimpleNamespace(signatures=[], document_timestamps=[])
chunks = st.binary(max_size=64).filter(lambda b: b"%%EOF" not in b and b"%%EO" not in b[-4:])
endings = st.sampled_from([b"%%EOF", b"%%EOF\n", b"%%EOF\r\n", b"%%EOF\r"])


@given(st.lists(st.tuples(chunks, endings), min_size=1, max_size=8))
def test_every_revision_end_is_a_cut_point(parts: list[tuple[bytes, bytes]]) -> None:
    pdf, ends = b"%PDF-1.7\n", []
    for chunk, ending in parts:
        pdf += chunk + ending
        ends.append(len(pdf))
    points = matching.cut_points(pdf, NO_REPORT)
    assert set(ends) <= set(points)
    assert all(0 < p <= len(pdf) for p in points)
    assert points == sorted(set(points))


@given(st.binary(max_size=2048), st.lists(st.integers(min_value=0, max_value=2048), max_size=20))
def test_prefix_digests_hash_each_prefix(data: bytes, raw_points: list[int]) -> None:
    points = sorted({min(p, len(data)) for p in raw_points})
    digests = matching.prefix_digests(data, points)
    assert digests == {hashlib.sha256(data[:p]).hexdigest(): p for p in points}


@given(st.binary(max_size=256))
def test_a_hostile_number_of_markers_is_bounded(noise: bytes) -> None:
    pdf = b"%PDF-1.7\n" + (noise + b"%%EOF\n") * (matching.MAX_CUT_POINTS + 50)
    points = matching.cut_points(pdf, NO_REPORT)
    assert len(points) <= matching.MAX_CUT_POINTS
    assert points[-1] == len(pdf)


CONTRACT: Any = SimpleNamespace(employer_id=1, worker_id=7, kind=Kind.ORIGINAL)
NOTICE: Any = SimpleNamespace(employer_id=1, worker_id=7, kind=Kind.RESCISSION_NOTICE)
#: Who may sign a file: the contract's parties, and platform certificates of other people.
SIGNERS = {
    "employer": ("employer", 1),
    "worker": ("worker", 7),
    "other_worker": ("worker", 8),
    "other_employer": ("employer", 2),
    "employer_as_worker": ("worker", 1),
}


def _signature(who: str) -> Any:
    role, owner = SIGNERS[who]
    return SimpleNamespace(
        role=role, signer_pseudonym=signing.pseudonym(role, owner), signer_cn=who, certificate_serial="01", signed_length=10
    )


@settings(max_examples=60)
@given(st.lists(st.sampled_from(sorted(SIGNERS)), max_size=4))
def test_only_the_parties_in_order_pass(app: Flask, order: list[str]) -> None:
    with app.app_context():
        report: Any = SimpleNamespace(signatures=[_signature(who) for who in order], document_timestamps=[])
        match = matching.Match(None, model.Relation.EXACT)
        findings = verification.party_findings(report, CONTRACT, match)
    assert (not findings) == (order == ["employer", "worker"][: len(order)])
    for finding in findings:
        assert finding.signature is not None
        assert finding.signer == order[finding.signature - 1]
    for position in range(2, len(order)):
        assert any(f.signature == position + 1 for f in findings), "every signature after the worker's is named"


@settings(max_examples=60)
@given(st.lists(st.sampled_from(sorted(SIGNERS)), max_size=3))
def test_a_notice_passes_with_the_employers_seal_alone(app: Flask, order: list[str]) -> None:
    """A notice is delivered, not countersigned: any signature after the employer's, the worker's too, is named."""
    with app.app_context():
        report: Any = SimpleNamespace(signatures=[_signature(who) for who in order], document_timestamps=[])
        findings = verification.party_findings(report, NOTICE, matching.Match(None, model.Relation.EXACT))
    assert (not findings) == (order in ([], ["employer"]))
    for position in range(1, len(order)):
        assert any(f.signature == position + 1 for f in findings), "every signature after the employer's is named"


def _validated(**changes: object) -> Any:
    base = {
        "intact": True,
        "valid": True,
        "trusted": True,
        "bottom_line": True,
        "revoked": False,
        "coverage": "ENTIRE_REVISION",
        "timestamp_trusted": True,
        "modification_level": "NONE",
        "signer_cn": "李四",
        "role": "worker",
        "certificate_serial": "0A",
    }
    return SimpleNamespace(**{**base, **changes})


@given(
    st.fixed_dictionaries(
        {
            "intact": st.booleans(),
            "trusted": st.booleans(),
            "revoked": st.booleans(),
            "timestamp_trusted": st.booleans(),
            "coverage": st.sampled_from(["ENTIRE_REVISION", "ENTIRE_FILE", "CONTIGUOUS_BLOCK_FROM_START"]),
            "modification_level": st.sampled_from(["NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER", None]),
        }
    )
)
def test_a_signature_is_clean_only_when_every_fact_is_good(facts: dict[str, Any]) -> None:
    report: Any = SimpleNamespace(signatures=[_validated(**facts)], document_timestamps=[], problems=[])
    findings = verification.signature_findings(report)
    good = (
        facts["intact"]
        and facts["trusted"]
        and not facts["revoked"]
        and facts["timestamp_trusted"]
        and facts["coverage"] != "CONTIGUOUS_BLOCK_FROM_START"
        and facts["modification_level"] in ("NONE", "LTA_UPDATES")
    )
    assert (not findings) == good
    if facts["intact"] and facts["revoked"] and facts["coverage"] != "CONTIGUOUS_BLOCK_FROM_START":
        assert findings[0].code == "revoked"


CODES = [
    "not_platform",
    "no_signatures",
    "changed",
    "added_after_signing",
    "added_data",
    "untrusted",
    "revoked",
    "not_valid",
    "no_timestamp",
    "timestamp_broken",
    "extra_signature",
    "extra_party_signature",
    "not_a_party",
    "out_of_order",
    "not_recorded",
    "unconfirmed",
]


@settings(max_examples=80)
@given(
    st.sampled_from([*CODES, "some_future_code"]),
    st.integers(min_value=1, max_value=9),
    st.sampled_from(["employer", "worker", None]),
    st.sampled_from(["zh_Hans_CN", "en"]),
)
def test_every_finding_reads_as_words_with_one_of_three_advices(
    app: Flask, code: str, position: int, expected: str | None, locale: str
) -> None:
    finding = model.Finding(
        code, signature=position, signer="王小明", signer_role="worker", certificate_serial="0A", expected=expected
    )
    with app.app_context(), force_locale(locale):
        message, advice = wording.finding_text(finding, mask=lambda name, _role: "王**")
        unconfirmed = wording.finding_text(model.Finding("unconfirmed"))
        advices = {wording.finding_text(model.Finding(c))[1] for c in CODES}
    assert message
    assert "%(" not in message
    assert "王小明" not in message
    assert advice in advices
    assert len(advices) == 3
    if code == "some_future_code":
        assert (message, advice) == unconfirmed
    if code in {"extra_signature", "extra_party_signature", "not_a_party", "out_of_order", "not_recorded"}:
        assert "王**" in message
        assert "0A" in message
    if code in {"changed", "untrusted", "revoked", "not_valid", "no_timestamp", "extra_signature", "not_recorded"}:
        assert str(position) in message
