"""Resident identity numbers (居民身份证号码, GB 11643-1999): validation, normalisation and masking.

Pure functions with no database or Flask, so the parser is property-tested on its own. No library on PyPI
covers GB 11643 with the birth-date and region checks we need, hence the hand-written checksum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from wage_guard.i18n import _

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARACTERS = "10X98765432"
#: First two digits of mainland province-level divisions (GB/T 2260).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65".split()
)
_SHAPE = re.compile(r"\d{17}[\dX]", re.ASCII)  # ASCII: \d alone also matches other scripts' digits


class InvalidIdNumber(ValueError):
    """The text is not a valid 18-character resident ID number; ``str()`` is the user-facing reason."""


@dataclass(frozen=True)
class IdNumber:
    value: str

    @property
    def birth_date(self) -> date:
        return date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)


def check_character(first17: str) -> str:
    """Return the GB 11643 check character for 17 ASCII digits.

    The standard sums digit × (2^(17-i) mod 11) and takes the sum mod 11. Since 13 ≡ 2 (mod 11), reading the 17
    digits as a base-13 number gives that sum (halved) mod 11 in one C call: payroll files check tens of
    thousands of ID numbers, and a Python step per digit was most of the cost. A property test holds this
    against the standard's formula written out.
    """
    if len(first17) != len(WEIGHTS) or not (first17.isascii() and first17.isdigit()):
        raise ValueError("17 digits expected")
    return CHECK_CHARACTERS[2 * int(first17, 13) % 11]


def parse_id_number(raw: str, *, today: date) -> IdNumber:
    """Normalise (trim, full-width to ASCII, lowercase x) and validate an ID number.

    :raises InvalidIdNumber: with a message naming exactly what is wrong.
    """
    text = to_ascii(raw).strip().replace(" ", "").upper()
    if not text:
        raise InvalidIdNumber(_("Please enter your ID number."))
    if len(text) == 15 and text.isdigit():
        raise InvalidIdNumber(
            _("This is an old 15-digit ID number. Please enter the 18-character number on your current ID card.")
        )
    if len(text) != 18:
        raise InvalidIdNumber(_("An ID number has 18 characters; you entered %(n)d.", n=len(text)))
    if not _SHAPE.fullmatch(text):
        raise InvalidIdNumber(_("An ID number has 17 digits followed by a digit or X."))
    if text[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber(_("The first two digits of this ID number are not a mainland region code."))
    birth = _birth_date(text)
    if birth is None:
        raise InvalidIdNumber(_("The birth date in this ID number (digits 7 to 14) is not a real date."))
    if birth > today or birth.year < 1900:
        raise InvalidIdNumber(_("The birth date in this ID number (digits 7 to 14) is not possible."))
    if check_character(text[:17]) != text[17]:
        raise InvalidIdNumber(
            _("The last character of this ID number does not match the others. Please check for a typing mistake.")
        )
    return IdNumber(text)


def mask_id_number(value: str) -> str:
    """Show the first four and last four characters only (``3703**********123X``)."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def age_on(birth: date, day: date) -> int:
    """Return completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _birth_date(text: str) -> date | None:
    try:
        return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


#: Full-width digits, letters and signs (from Chinese input methods) to ASCII, and the ideographic space to a space.
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_ascii(text: str) -> str:
    """Map full-width digits, letters and signs (common from Chinese input methods) to ASCII."""
    return text if text.isascii() else text.translate(FULL_WIDTH_TO_ASCII)
