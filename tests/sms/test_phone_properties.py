"""Property tests of the mobile-number parser (issue #14 part 5): for any text it either returns a canonical
mainland mobile number or raises the one user-facing error, never anything else; the result parses to itself;
the usual ways people write a number give the same result; the mask never shows more than seven digits."""

from __future__ import annotations

import re

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from wage_guard.sms.phones import InvalidPhoneNumber, mask_mobile, parse_mobile

E164_MOBILE = re.compile(r"\+861[3-9][0-9]{9}")
#: Mobile prefixes in use (China Mobile, Unicom, Telecom, Broadnet).
PREFIXES = ["134", "135", "138", "139", "150", "158", "182", "187", "130", "131", "155", "186", "133", "153", "180", "189", "192"]
mobiles = st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(PREFIXES), st.from_regex(r"[0-9]{8}", fullmatch=True))


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=40))
def test_any_text_is_a_canonical_mobile_or_one_clear_error(app: Flask, raw: str) -> None:
    with app.test_request_context():
        try:
            parsed = parse_mobile(raw)
        except InvalidPhoneNumber as error:
            message = str(error)
            parsed = ""
    if not parsed:
        assert message
        return
    assert E164_MOBILE.fullmatch(parsed)
    with app.test_request_context():
        assert parse_mobile(parsed) == parsed


@settings(max_examples=200, deadline=None)
@given(
    number=mobiles, style=st.sampled_from(["{n}", "+86{n}", "+86 {a} {b} {c}", "0086{n}", "{a}-{b}-{c}", " {n} ", "(+86) {n}"])
)
def test_the_usual_ways_of_writing_a_number_agree(app: Flask, number: str, style: str) -> None:
    written = style.format(n=number, a=number[:3], b=number[3:7], c=number[7:])
    with app.test_request_context():
        assert parse_mobile(written) == "+86" + number


@given(number=mobiles)
def test_the_mask_shows_the_first_three_and_last_four_digits_only(number: str) -> None:
    masked = mask_mobile("+86" + number)
    assert masked == number[:3] + "****" + number[-4:]
    assert sum(c.isdigit() for c in masked) == 7
