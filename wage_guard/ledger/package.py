"""Evidence packages: a ZIP that proves one contract's history to an arbitrator, checkable offline.

``verify_package`` uses nothing but the package: the manifest binds every file (SHA-256) and is signed with the
log key; entries prove inclusion in the signed tree head; the PDF validates against the platform root it
carries; and the final signing entry names the PDF's hash. The fingerprints it prints are what a verifier
compares with the ones the platform publishes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wage_guard.ledger import merkle

FILES = ("contract.pdf", "entries.json", "tree_head.json", "certificates.pem", "log_public_key.pem", "report.pdf")
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"


class PackageError(ValueError):
    """The file is not an evidence package at all (not a ZIP, or files missing)."""


@dataclass
class PackageReport:
    lines: list[str] = field(default_factory=list)
    failures: int = 0

    @property
    def ok(self) -> bool:
        return self.failures == 0

    def check(self, passed: bool, what: str) -> bool:
        self.lines.append(("ok    " if passed else "FAIL  ") + what)
        self.failures += 0 if passed else 1
        return passed


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def build_package(files: dict[str, bytes], log_key: Ed25519PrivateKey, *, contract_number: str, created: str) -> bytes:
    """Zip ``files`` (every name of FILES) with a manifest of their SHA-256 digests signed by the log key."""
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
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            archive.writestr(_entry(name), files[name])
        archive.writestr(_entry(MANIFEST), manifest)
        archive.writestr(_entry(SIGNATURE), log_key.sign(manifest).hex())
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed times: the same package, the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def verify_package(data: bytes) -> PackageReport:
    """Check an evidence package with nothing but its own contents."""
    files = _read(data)
    report = PackageReport()
    manifest = json.loads(files[MANIFEST])
    public_key = serialization.load_pem_public_key(files["log_public_key.pem"])
    if not isinstance(public_key, Ed25519PublicKey):
        raise PackageError("the log public key is not an Ed25519 key")
    report.lines.append(f"contract {manifest.get('contract')}")
    report.lines.append(f"log key fingerprint  {hashlib.sha256(files['log_public_key.pem']).hexdigest()}")
    _check_files(files, manifest, report)
    report.check(_signed(public_key, files[MANIFEST], files[SIGNATURE]), "the manifest is signed by the log key")
    head = json.loads(files["tree_head.json"])
    report.check(
        _signed(public_key, _head_message(head), head.get("signature", "").encode()),
        f"the tree head (size {head.get('size')}) is signed by the log key",
    )
    entries = json.loads(files["entries.json"])["entries"]
    _check_entries(entries, head, report)
    _check_binding(entries, files["contract.pdf"], report)
    _check_pdf(files, report)
    return report


def _read(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise PackageError(f"not a ZIP file: {exc}") from exc
    missing = (set(FILES) | {MANIFEST, SIGNATURE}) - set(files)
    if missing:
        raise PackageError(f"files missing from the package: {', '.join(sorted(missing))}")
    return files


def _check_files(files: dict[str, bytes], manifest: dict[str, Any], report: PackageReport) -> None:
    listed = manifest.get("files", {})
    for name in FILES:
        report.check(listed.get(name) == hashlib.sha256(files[name]).hexdigest(), f"{name} matches the manifest")
    extra = set(files) - set(FILES) - {MANIFEST, SIGNATURE}
    report.check(not extra, "no other files" if not extra else f"unexpected files: {sorted(extra)}")


def _signed(public_key: Ed25519PublicKey, message: bytes, signature_hex: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex.decode()), message)
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        return False
    return True


def _head_message(head: dict[str, Any]) -> bytes:
    return canonical(
        {"size": head.get("size"), "root": head.get("root"), "timestamp": head.get("timestamp"), "log": head.get("log")}
    )


def _check_entries(entries: list[dict[str, Any]], head: dict[str, Any], report: PackageReport) -> None:
    root = bytes.fromhex(str(head.get("root", "")))
    size = int(head.get("size", 0))
    for item in entries:
        leaf = merkle.leaf_hash(canonical(item["entry"]))
        proof = merkle.decode_proof(item["proof"])
        seq = int(item["entry"]["seq"])
        proved = leaf.hex() == item["leaf_hash"] and merkle.verify_inclusion(leaf, seq, size, proof, root)
        report.check(proved, f"log entry {seq} ({item['entry']['kind']}) is in the signed tree")


def _check_binding(entries: list[dict[str, Any]], pdf: bytes, report: PackageReport) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    named = any(item["entry"]["payload"].get("document_sha256_after") == digest for item in entries)
    report.check(named, f"the log names this PDF (SHA-256 {digest[:16]}…) as the signed contract")


def _check_pdf(files: dict[str, bytes], report: PackageReport) -> None:
    from wage_guard.signing import pades
    from wage_guard.signing.errors import NotAPdf

    certificates = x509.load_pem_x509_certificates(files["certificates.pem"])
    root = certificates[0]
    report.lines.append(f"root certificate fingerprint  {root.fingerprint(hashes.SHA256()).hex()}")
    try:
        validation = pades.validate_pdf(files["contract.pdf"], trust_roots=[root], other_certs=certificates[1:])
    except NotAPdf as exc:
        report.check(False, f"contract.pdf is not a readable PDF: {exc.reason}")
        return
    for signature in validation.signatures:
        report.check(
            signature.intact and signature.trusted,
            f"signature '{signature.field_name}' by {signature.signer_cn} is intact and trusted",
        )
    report.check(validation.ok, "the PDF is unchanged since the last signature")
