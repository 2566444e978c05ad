"""The exact ZIP layout of evidence packages: how each member is written, and a strict reader for hostile input.

An evidence package must be exactly what ``package.build_package`` writes (members stored uncompressed, fixed header
fields, nothing between or after them): then what the verifier checked is what every unzip tool shows, and no byte
of the file can change without a FAIL. :func:`zip_entry` fixes the header fields when writing; :class:`ZipContainer`
reads the file itself, member by member, with a size limit on each (no ZIP bombs), and collects every deviation as a
problem or a damaged member instead of raising. Packages made before members were stored keep verifying: their
deflated members are read with the same limits.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from wage_guard.i18n import _

_MAX_MEMBERS = 64

# ZIP records (APPNOTE 4.3.7, 4.3.12, 4.3.16) and the fixed values zip_entry writes into them.
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_VERSION, _MADE_BY = 20, (3 << 8) | 20  # version 2.0, made by Unix
_DOS_TIME, _DOS_DATE = 0, (2020 - 1980) << 9 | 1 << 5 | 1  # 2020-01-01 00:00:00
_EXTERNAL_ATTR = 0o600 << 16
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED


def zip_entry(name: str) -> zipfile.ZipInfo:
    """The header of member ``name`` as evidence packages write it: stored, fixed times and attributes."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed times: the same package, the same bytes
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # what a Unix server writes, wherever the package is made
    info.external_attr = _EXTERNAL_ATTR
    return info


@dataclass(frozen=True)
class ZipRecord:
    """One member as the central directory (or, failing that, its local header) describes it."""

    name: str
    offset: int  #: of the local header
    method: int
    crc: int
    compressed: int
    size: int
    header: tuple[int, ...]  #: version needed, flags, method, time, date, crc, sizes, name length as in the local header


class ZipContainer:
    """A strict reader of the ZIP layout build_package writes; collects problems instead of raising.

    ``limits`` is the largest each member may be once uncompressed; ``default_limit`` applies to any other name.
    """

    def __init__(self, data: bytes, limits: Mapping[str, int], default_limit: int) -> None:
        self.data = data
        self.limits, self.default_limit = limits, default_limit
        self.problems: list[str] = []
        self.damaged: dict[str, str] = {}
        self.directory_start = len(data)

    def central_directory(self) -> list[ZipRecord] | None:
        """Members listed by the end record's central directory; None if there is no usable one."""
        data = self.data
        at = data.rfind(_END_SIG, max(0, len(data) - _END.size - 0xFFFF))
        if at < 0 or at + _END.size > len(data):
            return None
        _sig, disk, cd_disk, on_disk, total, cd_size, cd_offset, comment = _END.unpack_from(data, at)
        if (disk, cd_disk, on_disk, comment) != (0, 0, total, 0) or at + _END.size != len(data):
            self.problems.append(_("the end record is not as the platform writes it"))
        if cd_offset + cd_size != at or total > _MAX_MEMBERS:
            return None
        records: list[ZipRecord] = []
        pos = cd_offset
        for _index in range(total):
            if pos + _CENTRAL.size > at or data[pos : pos + 4] != _CENTRAL_SIG:
                return None
            fields = _CENTRAL.unpack_from(data, pos)
            (_s, made_by, version, flags, method, time, date, crc, compressed, size, name_length, extra, note) = fields[:13]
            disk_start, internal, external, offset = fields[13:]
            name = _name(data[pos + _CENTRAL.size : pos + _CENTRAL.size + name_length])
            if (made_by, extra, note, disk_start, internal, external) != (_MADE_BY, 0, 0, 0, 0, _EXTERNAL_ATTR):
                self.problems.append(_("%(member)s: its central directory entry is not as the platform writes it", member=name))
            header = (version, flags, method, time, date, crc, compressed, size, name_length)
            records.append(ZipRecord(name, offset, method, crc, compressed, size, header))
            pos += _CENTRAL.size + name_length + extra + note
        if pos != at:
            self.problems.append(_("the central directory has bytes that belong to no member"))
        self.directory_start = cd_offset
        return records

    def walk_local_headers(self) -> list[ZipRecord]:
        """Members found by reading local headers from the start of the file (when the central directory is gone)."""
        data, pos = self.data, 0
        records: list[ZipRecord] = []
        while data[pos : pos + 4] == _LOCAL_SIG and pos + _LOCAL.size <= len(data) and len(records) < _MAX_MEMBERS:
            _sig, version, flags, method, time, date, crc, compressed, size, name_length, extra = _LOCAL.unpack_from(data, pos)
            name = _name(data[pos + _LOCAL.size : pos + _LOCAL.size + name_length])
            header = (version, flags, method, time, date, crc, compressed, size, name_length)
            records.append(ZipRecord(name, pos, method, crc, compressed, size, header))
            pos += _LOCAL.size + name_length + extra + compressed
        self.directory_start = min(pos, len(data))
        return records

    def read(self, records: list[ZipRecord]) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        seen: set[str] = set()
        end = 0
        for record in sorted(records, key=lambda r: r.offset):
            if record.offset != end:
                self.problems.append(_("there are bytes that belong to no member (at byte %(offset)s)", offset=end))
            content, end = self._member(record)
            if record.name in seen:
                self.damaged[record.name] = _("it appears more than once in the ZIP")
                files.pop(record.name, None)
            elif content is not None:
                files[record.name] = content
            seen.add(record.name)
        if end != self.directory_start:
            self.problems.append(_("there are bytes that belong to no member (at byte %(offset)s)", offset=end))
        return files

    def _member(self, record: ZipRecord) -> tuple[bytes | None, int]:
        """The member's content (None if damaged) and where its data ends."""
        data, name, at = self.data, record.name, record.offset
        if at + _LOCAL.size > len(data) or data[at : at + 4] != _LOCAL_SIG:
            self.damaged[name] = _("its ZIP header is damaged")
            return None, at + _LOCAL.size + record.header[-1] + record.compressed
        _sig, version, flags, method, time, date, crc, compressed, size, name_length, extra = _LOCAL.unpack_from(data, at)
        start = at + _LOCAL.size + name_length + extra
        end = start + compressed
        if (version, flags, method, time, date, crc, compressed, size, name_length) != record.header or (
            _name(data[at + _LOCAL.size : at + _LOCAL.size + name_length]) != name
        ):
            self.problems.append(_("%(member)s: its local header and central directory entry disagree", member=name))
        if (version, flags, time, date, extra) != (_VERSION, 0, _DOS_TIME, _DOS_DATE, 0) or method not in (_STORED, _DEFLATED):
            self.problems.append(_("%(member)s: its ZIP header is not as the platform writes it", member=name))
        if end > len(data):
            self.damaged[name] = _("its data runs past the end of the file")
            return None, len(data)
        limit = self.limits.get(name, self.default_limit)
        if size > limit:
            self.damaged[name] = _("it is larger than the limit of %(limit)s bytes", limit=limit)
            return None, end
        content = self._content(data[start:end], method, size, limit, name)
        if content is not None and zlib.crc32(content) != crc:
            self.damaged[name] = _("its CRC-32 does not match its content (the member is damaged)")
            return None, end
        return content, end

    def _content(self, raw: bytes, method: int, size: int, limit: int, name: str) -> bytes | None:
        if method == _STORED:
            if len(raw) != size:
                self.damaged[name] = _("its stored size does not match its data")
                return None
            return raw
        if method != _DEFLATED:
            self.damaged[name] = _("it uses a compression method the platform never writes")
            return None
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(raw, limit + 1)
        except zlib.error:
            self.damaged[name] = _("its compressed data is damaged")
            return None
        if len(content) > limit:
            self.damaged[name] = _("it is larger than the limit of %(limit)s bytes", limit=limit)
            return None
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data or len(content) != size:
            self.damaged[name] = _("its compressed data is damaged")
            return None
        return content


def _name(raw: bytes) -> str:
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return repr(raw)
