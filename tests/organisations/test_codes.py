"""GB 32100 unified social credit codes and division codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wage_guard.organisations.codes import (
    USCC_ALPHABET,
    InvalidCode,
    parse_division_code,
    parse_uscc,
    scope_prefix,
    uscc_check_character,
)

KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B"]


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    first17 = (
        draw(st.sampled_from("159Y"))
        + draw(st.sampled_from("1239"))
        + draw(st.text("0123456789", min_size=6, max_size=6))
        + draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    )
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_are_valid(code: str) -> None:
    assert parse_uscc(code) == code


@given(valid_codes())
def test_generated_codes_round_trip(code: str) -> None:
    assert parse_uscc(code.lower()) == code


@given(valid_codes(), st.data())
def test_any_single_substitution_is_caught(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
    with pytest.raises(InvalidCode):
        parse_uscc(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("9135", "18 characters"), ("91350100M000100YI3", "cannot appear"), ("913501A0M000100Y43", "division code")],
)
def test_bad_codes_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidCode, match=reason):
        parse_uscc(raw)


def test_division_codes_and_scopes() -> None:
    assert parse_division_code(" 370322 ") == "370322"
    for bad in ("37032", "037032", "37032a"):
        with pytest.raises(InvalidCode):
            parse_division_code(bad)
    assert (scope_prefix("370000"), scope_prefix("370300"), scope_prefix("370322")) == ("37", "3703", "370322")
