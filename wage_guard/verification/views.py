"""The public verification page: anyone uploads a contract PDF and gets a clear report (no login).

The report says which version of which contract the file is, whether its signatures are exactly the contract's
parties, and, for a file that is not a valid, complete contract, what is wrong and what to do
(``verification.services``). Every answer, errors included, keeps the upload form on the page. For a contract known
to this platform it adds the contract's evidence-log entries with their inclusion proofs against the newest signed
tree head; the server checks them, and the page checks them again in the browser.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import RequestEntityTooLarge

from wage_guard import boundary
from wage_guard.contracts.models import Contract
from wage_guard.errors import NotFound, ValidationFailed, WageGuardError
from wage_guard.extensions import csrf, limiter
from wage_guard.i18n import _
from wage_guard.ledger import merkle
from wage_guard.ledger import services as ledger
from wage_guard.security import limit_storage_down
from wage_guard.signing.errors import NotAPdf
from wage_guard.verification import queries, services, wording
from wage_guard.verification.model import Result
from wage_guard.verification.services import Verification

bp = Blueprint("verification", __name__, url_prefix="/verify")


def _limit() -> str:
    return str(current_app.config["RATELIMIT_VERIFY_PER_IP"])


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"], exempt_when=limit_storage_down)
@csrf.exempt  # anonymous and read-only: no session to ride on, and arbitrators' tools post files directly (curl -F)
def upload() -> ResponseReturnValue:
    """Upload a PDF; the report says which version it is, checks every signature and signer, and what to do."""
    if request.method == "GET":
        return render_template("verification/upload.html")
    try:
        pdf = _uploaded_pdf()
        verification = services.verify_pdf(pdf)
    except NotAPdf as exc:
        return _upload_error(ValidationFailed(_unreadable_message(exc.reason), field="file"))
    except WageGuardError as exc:
        return _upload_error(exc)
    return render_report(verification)


def render_report(verification: Verification) -> ResponseReturnValue:
    """The report page; a file that is not valid gets 422, so tools see the verdict in the status too."""
    contract = queries.contract_by_number(verification.version.contract_number or "")
    context = {
        "v": verification,
        "r": verification.report.to_dict(),
        "findings": [wording.finding_text(f, mask=mask_name) for f in verification.findings],
        "contract": contract,
        "evidence": evidence_for(contract) if contract else None,
        "role_label": wording.role_label,
        "issuer_label": wording.issuer_label,
    }
    status = 422 if verification.result is Result.INVALID else 200
    return render_template("verification/report.html", **context), status


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    return _upload_error(WageGuardError(_("Too many requests. Please wait a while and try again.")), 429)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    return _upload_error(WageGuardError(_too_large_message()), 413)


def _upload_error(error: WageGuardError, status: int | None = None) -> ResponseReturnValue:
    """Answer a bad upload with the message above the upload form, so the next try is one tap away."""
    boundary.end_failed(error)
    return render_template("verification/upload.html", error=error.message), status or error.status


@bp.get("/c/<number>")
@limiter.limit(_limit, exempt_when=limit_storage_down)  # contract numbers run in sequence: no walking through them
def known(number: str) -> ResponseReturnValue:
    """Where the QR code in a contract's footer leads: is this contract known here, and how to check a copy."""
    contract = queries.contract_by_number(number)
    if contract is None:
        raise NotFound(_("No contract with this number is known to this platform."))
    return render_template("verification/upload.html", contract=contract)


def _uploaded_pdf() -> bytes:
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge as exc:
        raise ValidationFailed(_too_large_message(), field="file") from exc
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Please choose a PDF file to check."), field="file")
    data = upload.read()
    if not data:
        raise ValidationFailed(_("The file is empty."), field="file")
    if b"%PDF-" not in data[:1024]:
        raise ValidationFailed(_("This file is not a PDF."), field="file")
    return data


def _too_large_message() -> str:
    return _("The file is too large: the limit is %(mb)d MB.", mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))


def _unreadable_message(reason: str) -> str:
    if "encrypt" in reason:
        return _("This PDF is encrypted (password-protected) and cannot be checked. Upload the file as you received it.")
    if "damaged" in reason or "MediaBox" in reason:
        return _("This PDF is damaged and cannot be read.")
    return _("This file is not a PDF.")


def evidence_for(contract: Contract) -> dict[str, object] | None:
    """The contract's log entries with inclusion proofs against the newest tree head, each checked here, and how
    many of its steps are still waiting for the sequencer or for the next signed tree head."""
    head = ledger.latest_tree_head()
    if head is None:
        return None
    root = bytes.fromhex(head.root_hash)
    subject = f"contract:{contract.number}"
    items, waiting = [], ledger.queued(subject)
    for entry in ledger.entries_about(subject):
        if entry.seq >= head.size:  # in the log, not yet under a signed tree head
            waiting += 1
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
    return {"head": ledger.tree_head_json(head), "entries": items, "waiting": waiting}


def mask_signer(signature: dict[str, object]) -> str:
    """Show a worker as 李** on public pages; employers are shown in full (they are public bodies)."""
    return mask_name(str(signature.get("signer_cn") or ""), str(signature.get("role") or ""))


def mask_name(name: str | None, role: str | None) -> str:
    """A signer's name for public pages: anyone but an employer is shown as 李**."""
    name = name or ""
    if role == "employer" or not name:
        return name or "—"
    return name[0] + "*" * (len(name) - 1)
