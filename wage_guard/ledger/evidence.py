"""Assemble a contract's evidence package: the signed PDF, its log entries with proofs, the tree head, the
certificates, the log key, the 存证报告, and a signed manifest. Verified offline by ``package_verify.verify_package``.

A package proves only that it holds together until its trust anchors (the root certificate and the log key) are
compared with the platform's, so this module also gives the installation's anchors to ``ledger verify-package``
and the published fingerprints to ``/log/root-certificate``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask_babel import force_locale
from sqlalchemy.exc import SQLAlchemyError

from wage_guard import clock
from wage_guard.contracts.lifecycle import EVENT_LABELS
from wage_guard.contracts.models import Contract
from wage_guard.documents import evidence_report as report
from wage_guard.errors import Conflict
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.ledger import package, sequencer, services
from wage_guard.ledger.models import LedgerEntry, TreeHead
from wage_guard.signing import ca as signing_ca
from wage_guard.signing import pki
from wage_guard.signing import services as signing

log = logging.getLogger(__name__)

#: How each step was carried out, for the report's "method" column.
METHODS = {
    "code_sent": "短信验证码（发送）",
    "code_verified": "短信验证码（核验）",
    "employer_sealed": "拖放公章 + 平台证书签名 + RFC 3161 时间戳",
    "worker_signed": "拖放个人签章 + 个人证书签名 + RFC 3161 时间戳（B-T）",
    "long_term_completed": "长期验证数据（证书链、吊销列表）+ 文档时间戳（B-LTA）",
    "refused": "劳动者拒签并说明理由",
}


def build(contract: Contract, *, now: datetime) -> bytes:
    """The ZIP for one contract (moves queued steps into the log and publishes a tree head first, so every step
    is in it and covered)."""
    sequencer.integrate_now()
    services.publish_tree_head(now=now)
    head = services.latest_tree_head()
    entries = services.entries_about(f"contract:{contract.number}")
    if head is None or not entries:
        raise Conflict(_("There is no evidence recorded for this contract yet."))
    pdf = contract.current_document.pdf
    ca = signing_ca.platform_ca()
    key_id, log_key = services.log_key(now=now)
    public_pem = services.public_keys()[key_id].encode()
    proofs = [services.inclusion(e.seq, head.size) for e in entries]
    files = {
        "contract.pdf": pdf,
        "entries.json": _json({"tree_size": head.size, "entries": [p.__dict__ for p in proofs]}),
        "tree_head.json": _json(services.tree_head_json(head)),
        "certificates.pem": pki.certificates_to_pem([ca.root_cert, ca.issuing_cert, ca.tsa_cert]).encode(),
        "log_public_key.pem": public_pem,
        "report.pdf": report.render_evidence_report(_report(contract, pdf, entries, head, public_pem, ca, now)),
    }
    return package.build_package(files, log_key, contract_number=contract.number, created=clock.as_utc(now).isoformat())


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _report(
    contract: Contract,
    pdf: bytes,
    entries: list[LedgerEntry],
    head: TreeHead,
    public_pem: bytes,
    ca: pki.PlatformCA,
    now: datetime,
) -> report.EvidenceReport:
    validation = signing.verify(pdf)
    roles = {"employer": "用人单位", "worker": "劳动者"}
    worker = contract.worker
    return report.EvidenceReport(
        contract_number=contract.number,
        document_title=str(contract.kind.label),
        employer_name=contract.employer.name,
        worker_name_masked=worker.name[0] + "*" * (len(worker.name) - 1),
        worker_id_masked=worker.masked_id_number,
        project_name=contract.project.name,
        document_sha256=hashlib.sha256(pdf).hexdigest(),
        document_sm3=_sm3(pdf),
        generated_at=now,
        tree_size=head.size,
        tree_root=head.root_hash,
        tree_head_time=clock.as_utc(head.timestamp),
        log_key_fingerprint=_key_fingerprint(public_pem),
        root_cert_fingerprint=package.certificate_fingerprint(ca.root_cert),
        steps=[_step(entry) for entry in entries],
        signatures=[
            report.SignatureLine(
                role=roles.get(s.role or "", s.role or ""),
                signer=s.signer_cn or "" if s.role == "employer" else _mask(s.signer_cn or ""),
                issuer=s.issuer_cn or "",
                signing_time=s.signing_time,
                timestamp_time=s.timestamp_time,
                valid=s.intact and s.trusted,
            )
            for s in validation.signatures
        ],
        document_valid=validation.ok,
    )


def _step(entry: LedgerEntry) -> report.Step:
    payload = json.loads(entry.payload)
    actor = payload.get("actor")
    who = "系统" if actor is None else f"参与方 {str(actor)[:8]}"
    with force_locale("zh_Hans_CN"):  # the 存证报告 is always in Chinese
        action = str(EVENT_LABELS.get(entry.kind, entry.kind))
    return report.Step(
        seq=entry.seq,
        time=clock.as_utc(entry.logged_at),
        action=action,
        method=METHODS.get(entry.kind, ""),
        actor=who,
        leaf_hash=entry.leaf_hash,
    )


def _mask(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 0)


def _sm3(data: bytes) -> str | None:
    """SM3 alongside SHA-256 (cheap; useful where national algorithms are expected)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


# --- the trust anchors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedKey:
    key_id: str
    pem: str
    fingerprint: str


@dataclass(frozen=True)
class PublishedAnchors:
    """What the platform publishes so that anyone can pin a package's anchors."""

    root: x509.Certificate | None
    root_pem: str | None
    root_fingerprint: str | None
    log_keys: list[PublishedKey]


def _key_fingerprint(pem: str | bytes) -> str:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    assert isinstance(key, Ed25519PublicKey)
    return package.public_key_fingerprint(key)


def published_anchors() -> PublishedAnchors:
    root = signing_ca.root_certificate()
    keys = [PublishedKey(key_id, pem, _key_fingerprint(pem)) for key_id, pem in services.public_keys().items()]
    if root is None:
        return PublishedAnchors(None, None, None, keys)
    return PublishedAnchors(root, pki.certificate_to_pem(root), package.certificate_fingerprint(root), keys)


def installation_anchors() -> package.Anchors | None:
    """This installation's root certificate and log keys, or None where there is none (no database, or nothing in
    it yet): ``verify-package`` then relies on pinned fingerprints."""
    try:
        anchors = published_anchors()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.info("no installation to compare evidence packages with: %s", type(exc).__name__)
        return None
    if anchors.root_fingerprint is None and not anchors.log_keys:
        return None
    roots = frozenset({anchors.root_fingerprint} if anchors.root_fingerprint else set())
    return package.Anchors(_("this installation"), roots, frozenset(k.fingerprint for k in anchors.log_keys))
