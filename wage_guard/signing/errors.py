"""Exceptions raised by the signing library, each with a plain ``reason`` that may be shown to staff.

The service layer maps these onto ``wage_guard.errors``; it must never see a pyHanko, asn1crypto or
PKCS#11 exception, so every module here catches those where they arise and re-raises one of these with
the original chained as ``__cause__`` (for the log, not for the user).
"""

from __future__ import annotations


class SigningError(Exception):
    """Base class: signing, sealing or validating could not be done."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TimestampUnavailable(SigningError):
    """The timestamp authority was unreachable or answered badly; the document was not signed.

    Signing never falls back to the server's own clock: a signature without a trusted time is not B-T.
    """


class KeyStoreUnavailable(SigningError):
    """The key store (HSM, PKCS#11 library, token, PIN or a wrapped key) could not be used."""


class NotAPdf(SigningError):
    """The input is not a readable PDF (not a PDF at all, encrypted, or damaged)."""


class PlacementError(SigningError):
    """The seal box lies outside the page, or the page does not exist."""


class KeyFileUnreadable(SigningError):
    """A key file is missing, unreadable, or not a passphrase-encrypted PKCS#8 private key."""


class WrongPassphrase(SigningError):
    """The passphrase does not open the encrypted key file (or the file was damaged)."""


class KeyMismatch(SigningError):
    """A key was given for a certificate it does not belong to (e.g. another installation's root key)."""
