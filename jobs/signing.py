"""Signing upkeep: keep the published CRLs current (a CRL past its next update proves nothing, and validators then
refuse it), and complete newly signed contracts to B-LTA after their signing request."""

from datetime import datetime

from wage_guard.journeys import long_term
from wage_guard.signing import crls


def renew_crls(*, now: datetime) -> dict[str, str]:
    """Renew the issuing CA's CRL when half its life is gone (and warn about the root's); returns their next updates."""
    del now  # CRLs follow the real clock (``clock.wallclock``), which validators use
    return crls.renew_crls_when_due()


def complete_long_term(*, now: datetime) -> dict[str, int]:
    """Add the long-term validation data (B-LTA) to contracts signed since the last run, retrying failures."""
    return long_term.complete_due(now=now)
