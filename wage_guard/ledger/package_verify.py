"""Checking an evidence package offline: does it hold together, and is it this platform's?

Why it is checked this way:

- The manifest, the signed tree head, the inclusion proofs, the PDF's signatures and the entry naming the PDF's hash
  only show that the package *holds together*: anyone can make a fresh CA and a fresh log key with the same names and
  build a package that holds together just as well. So the two trust anchors (the root certificate and the log key)
  must also match the installation's, or fingerprints pinned by the verifier and compared with the ones the platform
  publishes (``/log/root-certificate``, ``/log/public-key``). Without that the verdict says that the anchors were
  not pinned.
- A package is hostile input. The ZIP is read strictly by :mod:`wage_guard.ledger.package_zip`, member by member,
  with a size limit on each (no ZIP bombs), and every damaged or missing member is a FAIL line that names it
  instead of an exception.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from wage_guard.i18n import _
from wage_guard.ledger import merkle
from wage_guard.ledger.package import (
    FILES,
    MANIFEST,
    MEMBERS,
    SIGNATURE,
    Anchors,
    PackageReport,
    canonical,
    certificate_fingerprint,
    public_key_fingerprint,
)
from wage_guard.ledger.package_zip import ZipContainer
from wage_guard.signing.errors import NotAPdf
from wage_guard.signing.validation import validate_pdf

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
    container = ZipContainer(data, MEMBER_LIMITS, _OTHER_MEMBER_LIMIT)
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
    try:
        validation = validate_pdf(pdf, trust_roots=certificates[:1], other_certs=certificates[1:])
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
