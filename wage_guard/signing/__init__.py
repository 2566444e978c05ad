"""Signing: the platform CA, the key stores, PAdES signatures and their validation.

Importing any of it first fixes asn1crypto's reading of definite lengths ending in ``0x80``
(:mod:`wage_guard.signing.asn1_lengths`), so that every process that signs or validates has the fix.
"""

from wage_guard.signing import asn1_lengths

asn1_lengths.install()
