"""A fix for asn1crypto's test for BER indefinite lengths, which makes some signatures take seconds instead of
milliseconds.

asn1crypto 1.5.1 (the latest release, which pyHanko uses) decides that a value has an indefinite length when
the last byte of its header is ``0x80`` (``_header[-1:] == b"\\x80"`` in the ``dump`` of ``Asn1Value``, ``Choice``,
``Primitive``, ``Sequence`` and ``SequenceOf``). That also matches a definite length in the long form whose last
byte is ``0x80``: 128, 384, 640, 1,920 bytes and so on (``81 80``, ``82 01 80``, ``82 07 80``). Such a value is
then re-encoded from its Python form, with all it contains, on every ``dump``, and pyHanko dumps the parts of a
CMS signature many times while it assembles them. Upstream: wbond/asn1crypto issue #249 (open since 2022).

Found by the load test (docs/performance.md, "Load"): a signature's unsigned attributes (the timestamp token)
are about 1,920 bytes, and their length varies with the token's random serial number and the ECDSA signatures.
When it came to exactly 1,920 (``a1 82 07 80``), that one signature took 10 to 30 s of CPU in
``Signer._package_signature``: the seed's employer sealing crawled, and signature requests stalled.

The fix: before asn1crypto's ``dump`` reads the header, a header that only looks indefinite is dropped, and
asn1crypto builds it again from the value's contents (the same bytes, for DER). A real indefinite length (the
length octet of the innermost tag is ``0x80`` alone) is left as it was, and so is every other header.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asn1crypto import core

_PATCHED = "_wage_guard_definite_lengths"


def indefinite(header: bytes) -> bool:
    """Whether the innermost tag of ``header`` (outer explicit tags first, as asn1crypto stores them) has the
    indefinite length form, a single length octet ``0x80``."""
    index, last = 0, False
    while index < len(header):
        if header[index] & 0x1F == 0x1F:  # a tag number above 30: more tag octets, the last without bit 8
            index += 1
            while header[index] & 0x80:
                index += 1
        index += 1
        length = header[index]
        last = length == 0x80
        index += 1 + (length & 0x7F if length > 0x80 else 0)
    return last


def _checked(dump: Callable[..., bytes]) -> Callable[..., bytes]:
    @functools.wraps(dump)
    def checked_dump(self: Any, force: bool = False) -> bytes:
        header = self._header
        if header is not None and header[-1:] == b"\x80":
            try:
                definite = not indefinite(header)
            except IndexError:  # not a header this function understands: asn1crypto decides, as before
                definite = False
            if definite:
                self._header = None  # rebuilt by asn1crypto's dump from the contents
        return dump(self, force)

    setattr(checked_dump, _PATCHED, True)
    return checked_dump


def install() -> None:
    """Wrap the ``dump`` of each asn1crypto class that makes the test (once per process)."""
    for cls in (core.Asn1Value, core.Choice, core.Primitive, core.Sequence, core.SequenceOf):
        dump = cls.__dict__["dump"]
        if not getattr(dump, _PATCHED, False):
            cls.dump = _checked(dump)  # type: ignore[method-assign]
