"""The public verification page: anyone uploads a contract PDF and gets a clear report (no login).

For a contract known to this platform it adds the contract's evidence-log entries with their inclusion proofs
against the newest signed tree head; the server checks them, and the page checks them again in the browser.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from wage_guard.contracts.models import Contract, ContractDocument
from wage_guard.errors import NotFound, ValidationFailed
from wage_guard.extensions import csrf, db, limiter
from wage_guard.i18n import _
from wage_guard.ledger import merkle
from wage_guard.ledger import services as ledger
from wage_guard.signing import services as signing
from wage_guard.signing.errors import NotAPdf

bp = Blueprint("verification", __name__, url_prefix="/verify")


def _limit() -> str:
    return str(current_app.config["RATELIMIT_VERIFY_PER_IP"])


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@csrf.exempt  # anonymous and read-only: no session to ride on, and arbitrators' tools post files directly (curl -F)
def upload() -> ResponseReturnValue:
    """Upload a PDF; the report lists every signature and whether the file is unchanged."""
    if request.method == "GET":
        return render_template("verification/upload.html")
    pdf = _uploaded_pdf()
    try:
        report = signing.verify(pdf)
    except NotAPdf as exc:
        raise ValidationFailed(_unreadable_message(exc.reason), field="file") from exc
    contract = _known_contract(pdf)
    context = {"report": report, "contract": contract, "evidence": evidence_for(contract) if contract else None}
    if report.changed_after_last_signature:
        message = _("Something was added to this PDF after the last signature, so it is not the signed contract.")
        return render_template("verification/report.html", error=message, **context), 422
    return render_template("verification/report.html", **context)


@bp.get("/c/<number>")
def known(number: str) -> ResponseReturnValue:
    """Where the QR code in a contract's footer leads: is this contract known here, and how to check a copy."""
    contract = db.session.scalar(sa.select(Contract).where(Contract.number == number))
    if contract is None:
        raise NotFound(_("No contract with this number is known to this platform."))
    return render_template("verification/upload.html", contract=contract)


def _uploaded_pdf() -> bytes:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Please choose a PDF file to check."), field="file")
    data = upload.read()
    if not data:
        raise ValidationFailed(_("The file is empty."), field="file")
    if b"%PDF-" not in data[:1024]:
        raise ValidationFailed(_("This file is not a PDF."), field="file")
    return data


def _unreadable_message(reason: str) -> str:
    if "encrypt" in reason:
        return _("This PDF is encrypted (password-protected) and cannot be checked. Upload the file as you received it.")
    if "damaged" in reason or "MediaBox" in reason:
        return _("This PDF is damaged and cannot be read.")
    return _("This file is not a PDF.")


def _known_contract(pdf: bytes) -> Contract | None:
    """The platform's contract whose stored PDF is byte-for-byte this file, if any."""
    digest = hashlib.sha256(pdf).hexdigest()
    document = db.session.scalar(sa.select(ContractDocument).where(ContractDocument.sha256 == digest))
    return document.contract if document else None


def evidence_for(contract: Contract) -> dict[str, object] | None:
    """The contract's log entries with inclusion proofs against the newest tree head, each checked here."""
    head = ledger.latest_tree_head()
    if head is None:
        return None
    root = bytes.fromhex(head.root_hash)
    items = []
    for entry in ledger.entries_about(f"contract:{contract.number}"):
        if entry.seq >= head.size:
            continue
        inclusion = ledger.inclusion(entry.seq, head.size)
        leaf = merkle.leaf_hash(ledger.entry_bytes(entry))
        verified = merkle.verify_inclusion(leaf, entry.seq, head.size, merkle.decode_proof(inclusion.proof), root)
        items.append(
            {
                "seq": entry.seq,
                "kind": entry.kind,
                "time": entry.logged_at,
                "canonical": ledger.entry_bytes(entry).decode(),
                "leaf_hash": entry.leaf_hash,
                "proof": inclusion.proof,
                "verified": verified,
            }
        )
    return {"head": ledger.tree_head_json(head), "entries": items}


def mask_signer(signature: dict[str, object]) -> str:
    """Show a worker as 李** on public pages; employers are shown in full (they are public bodies)."""
    name = str(signature.get("signer_cn") or "")
    if signature.get("role") == "employer" or not name:
        return name
    return name[0] + "*" * (len(name) - 1)
