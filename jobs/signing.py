"""Keep the published CRLs current: a CRL past its next update proves nothing, and validators then refuse it."""

from datetime import datetime

from wage_guard.signing import crls


def renew_crls(*, now: datetime) -> dict[str, str]:
    """Renew the issuing CA's CRL when half its life is gone (and warn about the root's); returns their next updates."""
    del now  # CRLs follow the real clock (``clock.wallclock``), which validators use
    return crls.renew_crls_when_due()
