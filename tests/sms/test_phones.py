"""Mainland mobile numbers."""

from __future__ import annotations

import pytest

from wage_guard.sms.phones import InvalidPhoneNumber, mask_mobile, parse_mobile


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "008613812345678", "138-1234-5678", "19912345678"])
def test_mainland_mobiles_are_normalised(raw: str) -> None:
    assert parse_mobile(raw) in ("+8613812345678", "+8619912345678")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "enter"),
        ("+85291234567", "mainland"),
        ("+886912345678", "mainland"),
        ("+85366123456", "mainland"),
        ("+14155550123", "mainland"),
        ("1381234567", "11 digits"),
        ("hello", "not a phone number"),
        ("05336960000", "landline"),
    ],
)
def test_other_numbers_are_refused_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumber, match=reason):
        parse_mobile(raw)


def test_mask() -> None:
    assert mask_mobile("+8613812345678") == "138****5678"
