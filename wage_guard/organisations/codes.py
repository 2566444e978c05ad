"""Identifiers of organisations: unified social credit codes (GB 32100-2015) and division codes (GB/T 2260).

Pure functions; the GB 32100 check character has no maintained Python implementation on PyPI.
"""

from __future__ import annotations

import re

from wage_guard.i18n import _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DIVISION = re.compile(r"[1-9]\d{5}")


class InvalidCode(ValueError):
    """An organisation identifier is malformed; ``str()`` is the user-facing reason."""


def uscc_check_character(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(raw: str) -> str:
    """Normalise and validate an 18-character unified social credit code (统一社会信用代码).

    :raises InvalidCode: naming the length, the bad character or the wrong check character.
    """
    text = (raw or "").strip().upper()
    if len(text) != 18:
        raise InvalidCode(_("A unified social credit code has 18 characters; this one has %(n)d.", n=len(text)))
    bad = [c for c in text if c not in USCC_ALPHABET]
    if bad:
        raise InvalidCode(
            _("The character %(c)s cannot appear in a unified social credit code (I, O, S, V and Z are never used).", c=bad[0])
        )
    if not text[2:8].isdigit():
        raise InvalidCode(_("Characters 3 to 8 of a unified social credit code are the division code and must be digits."))
    if uscc_check_character(text[:17]) != text[17]:
        raise InvalidCode(_("The last character of this unified social credit code does not match the others."))
    return text


def parse_division_code(raw: str) -> str:
    """Validate a 6-digit administrative division code.

    :raises InvalidCode: when it is not six digits.
    """
    text = (raw or "").strip()
    if not _DIVISION.fullmatch(text):
        raise InvalidCode(_("A division code has 6 digits, for example 370322."))
    return text


def province_code(code: str) -> str:
    return code[:2] + "0000"


def city_code(code: str) -> str:
    return code[:4] + "00"


def scope_prefix(code: str) -> str:
    """Return the code prefix an area covers: ``37`` for a province, ``3703`` for a city, all six for a county."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code
