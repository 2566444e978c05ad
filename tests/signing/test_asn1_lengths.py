"""asn1crypto read a definite length whose last byte is 0x80 (128, 384, 1,920 bytes) as indefinite and re-encoded
the value on every dump: one signature in a few took seconds (wage_guard.signing.asn1_lengths)."""

from __future__ import annotations

import pytest
from asn1crypto import core

from wage_guard.signing import asn1_lengths


class Strings(core.SequenceOf):
    _child_spec = core.OctetString


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3080", True),  # BER indefinite
        ("a0803080", True),  # explicit tag, indefinite inside
        ("bf810080", True),  # a tag number above 30
        ("048180", False),  # 128 bytes
        ("30820180", False),  # 384 bytes
        ("a1820780", False),  # 1,920 bytes: the unsigned attributes of the load run
        ("a082078430820780", False),  # explicit tag around 1,920 bytes
    ],
)
def test_only_a_lone_0x80_length_octet_is_indefinite(header: str, expected: bool) -> None:
    assert asn1_lengths.indefinite(bytes.fromhex(header)) is expected


def test_a_384_byte_value_is_not_re_encoded_on_every_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    import wage_guard.signing  # noqa: F401 - installs the fix

    value = Strings([core.OctetString(b"y" * 126) for _ in range(3)])
    first = value.dump()
    assert first[:4] == bytes.fromhex("30820180")
    sets = []
    original = core.OctetString.set
    monkeypatch.setattr(core.OctetString, "set", lambda self, v: (sets.append(v), original(self, v))[1])
    assert all(value.dump() == first for _ in range(10))
    assert sets == []


def test_real_indefinite_lengths_are_still_re_encoded_as_der() -> None:
    import wage_guard.signing  # noqa: F401

    der = Strings([core.OctetString(b"y" * 126) for _ in range(3)]).dump()
    ber = bytes.fromhex("3080") + der[4:] + b"\x00\x00"
    assert Strings.load(ber).dump() == der
