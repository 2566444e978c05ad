"""The error the signing services raise to their callers, worded for the person signing.

The signing library's errors (``signing.errors``) carry reasons for operators: the timestamp authority's internal
address, the HSM's library. :func:`failure` turns one into a :class:`SigningFailed` whose message a worker at the
signing page may read, and sends the reason to the log instead.
"""

from __future__ import annotations

import logging

from wage_guard.errors import WageGuardError
from wage_guard.i18n import _
from wage_guard.signing.errors import KeyStoreUnavailable, SigningError, TimestampUnavailable

log = logging.getLogger(__name__)


class SigningFailed(WageGuardError):
    """Signing could not be completed; nothing was stored. ``message`` says why in the user's language."""

    status = 503


def failure(exc: SigningError) -> SigningFailed:
    """A message for the person signing, in their language and without internals; the details go to the log.

    The reason of a signing error can name the timestamp authority's internal address or the HSM's library:
    operators need it, the worker at the signing page must never see it.
    """
    log.warning("signing failed (%s): %s", type(exc).__name__, exc.reason)
    if isinstance(exc, TimestampUnavailable):
        return SigningFailed(
            _(
                "The trusted time service could not be reached, so nothing was signed. "
                "Please try again in a few minutes; your link still works."
            )
        )
    if isinstance(exc, KeyStoreUnavailable):
        return SigningFailed(
            _(
                "The signing service is not available right now, so nothing was signed. "
                "Please try again later; your link still works."
            )
        )
    return SigningFailed(_("Signing failed and nothing was saved. Please try again; if it fails again, tell the site office."))
