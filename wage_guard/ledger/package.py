"""Evidence packages: a ZIP that proves one contract's history to an arbitrator, checkable offline.

Why it is built and checked this way:

- The manifest binds every file (SHA-256) and is signed with the log key; the entries prove inclusion in the signed
  tree head; the PDF validates against the platform root the package carries; the final signing entry names the
  PDF's hash. All of that only shows that the package *holds together*: anyone can make a fresh CA and a fresh log
  key with the same names and build a package that holds together just as well. So the two trust anchors (the
  root certificate and the log key) must also match the installation's, or fingerprints pinned by the verifier and
  compared with the ones the platform publishes (``/log/root-certificate``, ``/log/public-key``). Without that the
  verdict says that the anchors were not pinned.
- A package is hostile input. The verifier reads the ZIP itself, member by member, with a size limit on each
  (no ZIP bombs), and turns every damaged or missing member into a FAIL line that names it instead of raising.
- The container must be exactly what :func:`build_package` writes (members stored uncompressed, fixed header
  fields, nothing between or after them): then what the verifier checked is what every unzip tool shows, and no
  byte of the file can change without a FAIL (packages made before members were stored keep verifying: their
  deflated members are read with the same limits).
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wage_guard.i18n import _
from wage_guard.ledger import merkle

FILES = ("contract.pdf", "entries.json", "tree_head.json", "certificates.pem", "log_public_key.pem", "report.pdf")
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
MEMBERS = (*FILES, MANIFEST, SIGNATURE)

_MB = 1024 * 1024
#: The largest package the verifier reads, and the largest each member may be once uncompressed.
MAX_PACKAGE_BYTES = 256 * _MB
MEMBER_LIMITS = {
    "contract.pdf": 64 * _MB,
    "report.pdf": 64 * _MB,
    "entries.json": 32 * _MB,
    "tree_head.json": 64 * 1024,
    "certificates.pem": 1 * _MB,
    "log_public_key.pem": 64 * 1024,
    MANIFEST: 64 * 1024,
    SIGNATURE: 1024,
}
_OTHER_MEMBER_LIMIT = 1 * _MB
_MAX_MEMBERS = 64

# ZIP records (APPNOTE 4.3.7, 4.3.12, 4.3.16) and the fixed values build_package writes into them.
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_VERSION, _MADE_BY = 20, (3 << 8) | 20  # version 2.0, made by Unix
_DOS_TIME, _DOS_DATE = 0, (2020 - 1980) << 9 | 1 << 5 | 1  # 2020-01-01 00:00:00
_EXTERNAL_ATTR = 0o600 << 16
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED


class PackageError(ValueError):
    """A package cannot be built from these files."""


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex (what ``openssl x509 -outform DER | sha256sum`` prints)."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def public_key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex (``openssl pkey -pubin -outform DER | sha256sum``)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def normalise_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint as typed or pasted (colons, spaces, either case) in canonical form; ValueError if not one."""
    compact = "".join(text.split()).replace(":", "").replace("-", "").lower()
    if len(compact) != 64 or any(c not in "0123456789abcdef" for c in compact):
        raise ValueError("a SHA-256 fingerprint is 64 hexadecimal digits (colons and spaces are ignored)")
    return compact


@dataclass(frozen=True)
class Anchors:
    """Fingerprints the package's root certificate and log key must have; an empty set leaves that anchor unpinned."""

    source: str  #: where they come from, as the report names it ("this installation", "the pinned fingerprint")
    roots: frozenset[str] = frozenset()
    log_keys: frozenset[str] = frozenset()


@dataclass
class PackageReport:
    """What ``verify_package`` found. ``ok``: every check passed, so the package holds together; only with
    ``pinned`` as well is it this platform's (a forgery with a fresh CA and log key holds together too)."""

    lines: list[str] = field(default_factory=list)
    failures: int = 0
    #: False when the file is not a ZIP at all (or too large to read): nothing in it could be checked.
    readable: bool = True
    root_fingerprint: str | None = None
    log_key_fingerprint: str | None = None
    root_pinned: bool = False
    log_key_pinned: bool = False
    #: Members named by a FAIL line saying what is wrong with them.
    failed_members: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.readable

    @property
    def pinned(self) -> bool:
        """Both anchors were compared with the installation's or with pinned fingerprints (and matched, if ``ok``)."""
        return self.root_pinned and self.log_key_pinned

    def check(self, passed: bool, what: str) -> bool:
        self.lines.append(("ok    " if passed else "FAIL  ") + what)
        self.failures += 0 if passed else 1
        return passed

    def fail(self, what: str) -> None:
        self.check(False, what)

    def damaged(self, member: str, why: str) -> None:
        self.failed_members.add(member)
        self.fail(f"{member}: {why}")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def build_package(files: dict[str, bytes], log_key: Ed25519PrivateKey, *, contract_number: str, created: str) -> bytes:
    """Zip ``files`` (every name of FILES) with a manifest of their SHA-256 digests signed by the log key.

    Members are stored, not compressed (the PDFs are compressed already): with fixed header fields every byte of
    the file is then either a checked header field or checked content.
    """
    missing = set(FILES) - set(files)
    if missing:
        raise PackageError(f"missing files: {sorted(missing)}")
    manifest = canonical(
        {
            "contract": contract_number,
            "created": created,
            "files": {name: hashlib.sha256(files[name]).hexdigest() for name in FILES},
        }
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in FILES:
            archive.writestr(_entry(name), files[name])
        archive.writestr(_entry(MANIFEST), manifest)
        archive.writestr(_entry(SIGNATURE), log_key.sign(manifest).hex())
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed times: the same package, the same bytes
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # what a Unix server writes, wherever the package is made
    info.external_attr = _EXTERNAL_ATTR
    return info


# --- verification -------------------------------------------------------------------------------------------------


def verify_package(data: bytes, anchors: Sequence[Anchors] = ()) -> PackageReport:
    """Check an evidence package: its own consistency, then its root certificate and log key against ``anchors``.

    Never raises on bad input: every damaged, missing or inconsistent member is a FAIL line naming it.
    """
    report = PackageReport()
    files = read_members(data, report)
    if files is None:
        return report
    for name in MEMBERS:
        if name not in files and name not in report.failed_members:
            report.damaged(name, _("missing from the package"))
    manifest = _manifest(files, report)
    report.lines.insert(0, _("contract %(number)s", number=manifest.get("contract", "?") if manifest else "?"))
    public_key = _log_key(files, report)
    certificates = _certificates(files, report)
    if manifest is not None:
        _check_files(files, manifest, report)
    if public_key is not None and MANIFEST in files and SIGNATURE in files:
        report.check(
            _signed(public_key, files[MANIFEST], files[SIGNATURE]), _("manifest.sig is the log key's signature of manifest.json")
        )
    head = _tree_head(files, report)
    if head is not None and public_key is not None:
        report.check(
            _signed(public_key, _head_message(head), head["signature"].encode()),
            _("tree_head.json: the tree head (size %(size)s) is signed by the log key", size=head["size"]),
        )
    entries = _entries(files, report)
    if entries is not None and head is not None:
        _check_entries(entries, head, report)
    if entries is not None and "contract.pdf" in files:
        _check_binding(entries, files["contract.pdf"], report)
    if certificates is not None and "contract.pdf" in files:
        _check_pdf(files["contract.pdf"], certificates, report)
    _check_anchors(anchors, report)
    return report


def read_members(data: bytes, report: PackageReport) -> dict[str, bytes] | None:
    """The members whose content could be read, or None (and ``readable`` False) when this is not a ZIP at all."""
    if len(data) > MAX_PACKAGE_BYTES:
        report.readable = False
        report.fail(_("the file is larger than %(limit)s MB: not an evidence package", limit=MAX_PACKAGE_BYTES // _MB))
        return None
    container = _Container(data)
    records = container.central_directory()
    if records is None:
        records = container.walk_local_headers()
        if records:
            container.problems.append(_("the central directory is damaged; members were read from their local headers"))
    if not records:
        report.readable = False
        report.fail(_("the file is not a ZIP archive (no ZIP records found): not an evidence package"))
        return None
    files = container.read(records)
    for name, why in container.damaged.items():
        report.damaged(name, why)
    for problem in container.problems[:8]:
        report.fail(_("ZIP container: %(problem)s", problem=problem))
    if len(container.problems) > 8:
        report.fail(_("ZIP container: %(count)s more problems", count=len(container.problems) - 8))
    if not container.damaged and not container.problems:
        report.check(True, _("the ZIP container is exactly as the platform writes it"))
    return files


@dataclass(frozen=True)
class _Record:
    """One member as the central directory (or, failing that, its local header) describes it."""

    name: str
    offset: int  #: of the local header
    method: int
    crc: int
    compressed: int
    size: int
    header: tuple[int, ...]  #: version needed, flags, method, time, date, crc, sizes, name length as in the local header


class _Container:
    """A strict reader of the ZIP layout build_package writes; collects problems instead of raising."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.problems: list[str] = []
        self.damaged: dict[str, str] = {}
        self.directory_start = len(data)

    def central_directory(self) -> list[_Record] | None:
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
        records: list[_Record] = []
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
            records.append(_Record(name, offset, method, crc, compressed, size, header))
            pos += _CENTRAL.size + name_length + extra + note
        if pos != at:
            self.problems.append(_("the central directory has bytes that belong to no member"))
        self.directory_start = cd_offset
        return records

    def walk_local_headers(self) -> list[_Record]:
        """Members found by reading local headers from the start of the file (when the central directory is gone)."""
        data, pos = self.data, 0
        records: list[_Record] = []
        while data[pos : pos + 4] == _LOCAL_SIG and pos + _LOCAL.size <= len(data) and len(records) < _MAX_MEMBERS:
            _sig, version, flags, method, time, date, crc, compressed, size, name_length, extra = _LOCAL.unpack_from(data, pos)
            name = _name(data[pos + _LOCAL.size : pos + _LOCAL.size + name_length])
            header = (version, flags, method, time, date, crc, compressed, size, name_length)
            records.append(_Record(name, pos, method, crc, compressed, size, header))
            pos += _LOCAL.size + name_length + extra + compressed
        self.directory_start = min(pos, len(data))
        return records

    def read(self, records: list[_Record]) -> dict[str, bytes]:
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

    def _member(self, record: _Record) -> tuple[bytes | None, int]:
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
        limit = MEMBER_LIMITS.get(name, _OTHER_MEMBER_LIMIT)
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


def _json(files: dict[str, bytes], name: str, report: PackageReport) -> Any:
    """The member parsed as JSON, or None after a FAIL line."""
    if name not in files:
        return None
    try:
        return json.loads(files[name].decode("utf-8"))
    except (ValueError, RecursionError):
        report.damaged(name, _("not valid UTF-8 JSON"))
        return None


def _is_hex(value: object, length: int | None = None) -> bool:
    return (
        isinstance(value, str)
        and (length is None or len(value) == length)
        and len(value) % 2 == 0
        and all(c in "0123456789abcdefABCDEF" for c in value)
    )


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _wrong_field(report: PackageReport, name: str, field_name: str) -> None:
    report.damaged(name, _("the field '%(field)s' is missing or has the wrong type", field=field_name))


def _manifest(files: dict[str, bytes], report: PackageReport) -> dict[str, Any] | None:
    manifest = _json(files, MANIFEST, report)
    if manifest is None:
        return None
    if not isinstance(manifest, dict):
        _wrong_field(report, MANIFEST, "files")
        return None
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not all(_is_hex(listed.get(name), 64) for name in FILES):
        _wrong_field(report, MANIFEST, "files")
        return None
    if not isinstance(manifest.get("contract"), str):
        _wrong_field(report, MANIFEST, "contract")
        return None
    return manifest


def _log_key(files: dict[str, bytes], report: PackageReport) -> Ed25519PublicKey | None:
    if "log_public_key.pem" not in files:
        return None
    try:
        public_key = serialization.load_pem_public_key(files["log_public_key.pem"])
    except (ValueError, TypeError, UnsupportedAlgorithm):
        public_key = None
    if not isinstance(public_key, Ed25519PublicKey):
        report.damaged("log_public_key.pem", _("not an Ed25519 public key in PEM form"))
        return None
    report.log_key_fingerprint = public_key_fingerprint(public_key)
    report.lines.append(_("log key fingerprint (SHA-256)  %(fingerprint)s", fingerprint=report.log_key_fingerprint))
    return public_key


def _certificates(files: dict[str, bytes], report: PackageReport) -> list[x509.Certificate] | None:
    if "certificates.pem" not in files:
        return None
    try:
        certificates = x509.load_pem_x509_certificates(files["certificates.pem"])
    except (ValueError, TypeError):
        report.damaged("certificates.pem", _("no certificate could be read"))
        return None
    root = certificates[0]
    if not _self_signed_ca(root):
        report.damaged("certificates.pem", _("the first certificate is not a self-signed root CA"))
        return None
    report.root_fingerprint = certificate_fingerprint(root)
    report.lines.append(_("root certificate fingerprint (SHA-256)  %(fingerprint)s", fingerprint=report.root_fingerprint))
    return certificates


def _self_signed_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound, UnsupportedAlgorithm):
        return False
    return constraints.ca


def _check_files(files: dict[str, bytes], manifest: dict[str, Any], report: PackageReport) -> None:
    listed = manifest["files"]
    for name in FILES:
        if name in files:
            same = listed[name].lower() == hashlib.sha256(files[name]).hexdigest()
            report.check(same, _("%(member)s matches the manifest", member=name))
    extra = sorted(set(files) - set(MEMBERS))
    report.check(not extra, _("no other files") if not extra else _("unexpected files: %(names)s", names=", ".join(extra)))


def _signed(public_key: Ed25519PublicKey, message: bytes, signature_hex: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex.decode()), message)
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        return False
    return True


def _tree_head(files: dict[str, bytes], report: PackageReport) -> dict[str, Any] | None:
    head = _json(files, "tree_head.json", report)
    if head is None:
        return None
    checks = {
        "size": lambda v: _is_count(v) and v > 0,
        "root": lambda v: _is_hex(v, 64),
        "timestamp": lambda v: isinstance(v, str),
        "log": lambda v: isinstance(v, str),
        "signature": lambda v: isinstance(v, str),
    }
    for name, valid in checks.items():
        if not isinstance(head, dict) or not valid(head.get(name)):
            _wrong_field(report, "tree_head.json", name)
            return None
    assert isinstance(head, dict)
    return head


def _head_message(head: dict[str, Any]) -> bytes:
    return canonical({"size": head["size"], "root": head["root"], "timestamp": head["timestamp"], "log": head["log"]})


def _entries(files: dict[str, bytes], report: PackageReport) -> list[dict[str, Any]] | None:
    document = _json(files, "entries.json", report)
    if document is None:
        return None
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        _wrong_field(report, "entries.json", "entries")
        return None
    for item in entries:
        entry = item.get("entry") if isinstance(item, dict) else None
        if not isinstance(entry, dict):
            _wrong_field(report, "entries.json", "entry")
            return None
        for name, valid in (("seq", _is_count), ("kind", _is_text), ("payload", _is_object)):
            if not valid(entry.get(name)):
                _wrong_field(report, "entries.json", f"entry.{name}")
                return None
        if not _is_hex(item.get("leaf_hash"), 64):
            _wrong_field(report, "entries.json", "leaf_hash")
            return None
    return entries


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_object(value: object) -> bool:
    return isinstance(value, dict)


def _check_entries(entries: list[dict[str, Any]], head: dict[str, Any], report: PackageReport) -> None:
    root, size = bytes.fromhex(head["root"]), head["size"]
    for item in entries:
        entry = item["entry"]
        leaf = merkle.leaf_hash(canonical(entry))
        try:
            proof = merkle.decode_proof(item.get("proof"))
        except ValueError:
            proof = None
        proved = (
            proof is not None
            and leaf.hex() == item["leaf_hash"].lower()
            and merkle.verify_inclusion(leaf, entry["seq"], size, proof, root)
        )
        report.check(
            proved, _("entries.json: log entry %(seq)s (%(kind)s) is in the signed tree", seq=entry["seq"], kind=entry["kind"])
        )


def _check_binding(entries: list[dict[str, Any]], pdf: bytes, report: PackageReport) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    named = any(item["entry"]["payload"].get("document_sha256_after") == digest for item in entries)
    report.check(named, _("entries.json names contract.pdf (SHA-256 %(digest)s…) as the signed contract", digest=digest[:16]))


def _check_pdf(pdf: bytes, certificates: list[x509.Certificate], report: PackageReport) -> None:
    from wage_guard.signing import pades
    from wage_guard.signing.errors import NotAPdf

    try:
        validation = pades.validate_pdf(pdf, trust_roots=certificates[:1], other_certs=certificates[1:])
    except NotAPdf as exc:
        report.damaged("contract.pdf", _("not a readable PDF (%(reason)s)", reason=exc.reason))
        return
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile input: any failure is a damaged PDF
        report.damaged("contract.pdf", _("not a readable PDF (%(reason)s)", reason=type(exc).__name__))
        return
    for signature in validation.signatures:
        report.check(
            signature.intact and signature.trusted,
            _(
                "contract.pdf: signature '%(field)s' by %(signer)s is intact and trusted",
                field=signature.field_name,
                signer=signature.signer_cn or "?",
            ),
        )
    report.check(bool(validation.signatures), _("contract.pdf carries signatures"))
    report.check(validation.ok, _("contract.pdf is unchanged since the last signature"))


def _check_anchors(anchors: Sequence[Anchors], report: PackageReport) -> None:
    for anchor in anchors:
        if anchor.roots and report.root_fingerprint is not None:
            report.root_pinned = True
            if report.root_fingerprint in anchor.roots:
                report.check(True, _("root certificate: the same as %(source)s", source=anchor.source))
            else:
                report.fail(
                    _(
                        "root certificate: differs from %(source)s (expected %(expected)s): "
                        "this package was not made with this platform's CA",
                        source=anchor.source,
                        expected=" / ".join(sorted(anchor.roots)),
                    )
                )
        if anchor.log_keys and report.log_key_fingerprint is not None:
            report.log_key_pinned = True
            if report.log_key_fingerprint in anchor.log_keys:
                report.check(True, _("log key: the same as %(source)s", source=anchor.source))
            else:
                report.fail(
                    _(
                        "log key: differs from %(source)s (expected %(expected)s): "
                        "this package was not signed by this platform's evidence log",
                        source=anchor.source,
                        expected=" / ".join(sorted(anchor.log_keys)),
                    )
                )
