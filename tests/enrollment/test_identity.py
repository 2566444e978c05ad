"""GB 11643 ID numbers: property tests for the checksum, normalisation and birth-date rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wage_guard.enrollment.identity import (
    PROVINCE_PREFIXES,
    InvalidIdNumber,
    age_on,
    check_character,
    mask_id_number,
    parse_id_number,
)

TODAY = date(2026, 11, 22)
provinces = st.sampled_from(sorted(PROVINCE_PREFIXES))
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    first17 = (
        draw(provinces)
        + draw(st.text("0123456789", min_size=4, max_size=4))
        + draw(births).strftime("%Y%m%d")
        + draw(st.text("0123456789", min_size=3, max_size=3))
    )
    return first17 + check_character(first17)


@given(valid_ids())
def test_valid_ids_parse_to_themselves(value: str) -> None:
    assert parse_id_number(value, today=TODAY).value == value


@given(valid_ids(), st.data())
def test_any_single_character_change_is_caught(value: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, 17))
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != value[position]]))
    changed = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(changed, today=TODAY)


@given(valid_ids())
def test_lowercase_x_spaces_and_full_width_are_normalised(value: str) -> None:
    messy = " " + value[:6] + " " + value[6:].lower() + " "
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in value)
    assert parse_id_number(messy, today=TODAY).value == value
    assert parse_id_number(full_width, today=TODAY).value == value


@given(valid_ids())
def test_mask_hides_the_middle(value: str) -> None:
    masked = mask_id_number(value)
    assert masked[:4] == value[:4]
    assert masked[-4:] == value[-4:]
    assert masked[4:14] == "*" * 10


def test_known_example_with_x() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).value == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "enter"),
        ("370322850315123", "15-digit"),
        ("3703221985031512", "18 characters"),
        ("37032219850315123A", "digit or X"),
        ("99032219850315123" + check_character("99032219850315123"), "region"),
        ("37032219850230123" + check_character("37032219850230123"), "not a real date"),
        ("37032218990101123" + check_character("37032218990101123"), "not possible"),
        (
            "370322"
            + (TODAY + timedelta(days=1)).strftime("%Y%m%d")
            + "123"
            + check_character("370322" + (TODAY + timedelta(days=1)).strftime("%Y%m%d") + "123"),
            "not possible",
        ),
    ],
)
def test_invalid_ids_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        parse_id_number(raw, today=TODAY)


@given(births, st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_age_matches_calendar_arithmetic(birth: date, day: date) -> None:
    age = age_on(birth, day)
    if day >= birth:
        try:
            anniversary = birth.replace(year=birth.year + age)
        except ValueError:  # 29 February
            anniversary = date(birth.year + age, 3, 1)
        assert anniversary <= day


@given(st.text("0123456789", min_size=17, max_size=17))
def test_the_check_character_is_the_gb11643_weighted_sum(first17: str) -> None:
    """The byte-wise computation against the standard's formula written out."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    assert check_character(first17) == "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def test_digits_of_other_scripts_are_no_id_number() -> None:
    """``\\d`` and ``int()`` accept Arabic-Indic or Devanagari digits; an ID number is ASCII after full-width folding."""
    arabic = "٣٧٠٣٢٢١٩٨٥٠٣١٥١٢٣"
    with pytest.raises(InvalidIdNumber):
        parse_id_number(arabic + "4", today=TODAY)
    with pytest.raises(ValueError, match="17 digits"):
        check_character(arabic[:17])
