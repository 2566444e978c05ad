"""Evidence packages: a ZIP that proves one contract's history to an arbitrator, checkable offline. Building them.

The manifest binds every file (SHA-256) and is signed with the log key; the entries prove inclusion in the signed
tree head; the PDF validates against the platform root the package carries; the final signing entry names the PDF's
hash. Members are stored with fixed header fields (:func:`wage_guard.ledger.package_zip.zip_entry`), so the same
package is the same bytes and every byte is checked. The trust anchors' fingerprints (root certificate and log key)
are computed here the way the platform publishes them. Checking a package is :mod:`wage_guard.ledger.package_verify`;
its verdict is a :class:`PackageReport`, defined here with the :class:`Anchors` it is checked against.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wage_guard.ledger.package_zip import zip_entry

FILES = ("contract.pdf", "entries.json", "tree_head.json", "certificates.pem", "log_public_key.pem", "report.pdf")
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
MEMBERS = (*FILES, MANIFEST, SIGNATURE)


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
            archive.writestr(zip_entry(name), files[name])
        archive.writestr(zip_entry(MANIFEST), manifest)
        archive.writestr(zip_entry(SIGNATURE), log_key.sign(manifest).hex())
    return buffer.getvalue()
