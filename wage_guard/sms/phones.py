"""Mainland mobile numbers: parsing with ``phonenumbers`` and masking for display."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from wage_guard.i18n import _

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class InvalidPhoneNumber(ValueError):
    """Not a mainland China mobile number; ``str()`` is the user-facing reason."""


def parse_mobile(raw: str) -> str:
    """Return the E.164 form (``+8613812345678``) of a mainland mobile number.

    :raises InvalidPhoneNumber: for malformed numbers, landlines and numbers outside the mainland.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("Please enter your mobile phone number."))
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(_("This is not a phone number.")) from exc
    region = phonenumbers.region_code_for_number(number)
    if number.country_code != 86 or region not in (None, "CN"):
        raise InvalidPhoneNumber(_("Only mainland China mobile numbers (+86) can receive our text messages."))
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(_("This is not a valid mainland mobile number: it should have 11 digits and start with 1."))
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber(_("This looks like a landline; please enter a mobile number that can receive text messages."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_mobile(e164: str) -> str:
    """Show a mobile number as ``138****5678``."""
    national = e164.removeprefix("+86")
    return national[:3] + "****" + national[-4:]
