"""Assemble a contract's evidence package: the signed PDF, its log entries with proofs, the tree head, the
certificates, the log key, the 存证报告, and a signed manifest. Verified offline by ``package.verify_package``."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from flask_babel import force_locale

from wage_guard import clock
from wage_guard.contracts.lifecycle import EVENT_LABELS
from wage_guard.contracts.models import Contract
from wage_guard.errors import Conflict
from wage_guard.i18n import _
from wage_guard.ledger import package, report, services
from wage_guard.ledger.models import LedgerEntry, TreeHead
from wage_guard.signing import pki
from wage_guard.signing import services as signing

#: How each step was carried out, for the report's "method" column.
METHODS = {
    "code_sent": "短信验证码（发送）",
    "code_verified": "短信验证码（核验）",
    "employer_sealed": "拖放公章 + 平台证书签名 + RFC 3161 时间戳",
    "worker_signed": "拖放个人签章 + 个人证书签名 + RFC 3161 时间戳 + 长期验证（B-LTA）",
    "refused": "劳动者拒签并说明理由",
}


def build(contract: Contract, *, now: datetime) -> bytes:
    """The ZIP for one contract (publishes a tree head first so every entry is covered)."""
    services.publish_tree_head(now=now)
    head = services.latest_tree_head()
    entries = services.entries_about(f"contract:{contract.number}")
    if head is None or not entries:
        raise Conflict(_("There is no evidence recorded for this contract yet."))
    pdf = contract.current_document.pdf
    ca = signing.platform_ca()
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
        log_key_fingerprint=hashlib.sha256(public_pem).hexdigest(),
        root_cert_fingerprint=ca.root_cert.fingerprint(hashes.SHA256()).hex(),
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
