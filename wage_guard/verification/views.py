"""The public verification page: anyone uploads a contract PDF and gets a clear report (no login)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from wage_guard.contracts.models import Contract, ContractDocument
from wage_guard.errors import NotFound, ValidationFailed
from wage_guard.extensions import db, limiter
from wage_guard.i18n import _
from wage_guard.signing import services as signing
from wage_guard.signing.errors import NotAPdf

bp = Blueprint("verification", __name__, url_prefix="/verify")


def _limit() -> str:
    return str(current_app.config["RATELIMIT_VERIFY_PER_IP"])


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def upload():  # type: ignore[no-untyped-def]
    """Upload a PDF; the report lists every signature and whether the file is unchanged."""
    if request.method == "GET":
        return render_template("verification/upload.html")
    pdf = _uploaded_pdf()
    try:
        report = signing.verify(pdf)
    except NotAPdf as exc:
        raise ValidationFailed(_("This file cannot be checked: %(reason)s", reason=exc.reason)) from exc
    known = _known_contract(pdf)
    return render_template("verification/report.html", report=report, contract=known)


@bp.get("/c/<number>")
def known(number: str):  # type: ignore[no-untyped-def]
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
    return data


def _known_contract(pdf: bytes) -> Contract | None:
    """The platform's contract whose stored PDF is byte-for-byte this file, if any."""
    import hashlib

    digest = hashlib.sha256(pdf).hexdigest()
    document = db.session.scalar(sa.select(ContractDocument).where(ContractDocument.sha256 == digest))
    return document.contract if document else None


def mask_signer(signature: dict[str, object]) -> str:
    """Show a worker as 李** on public pages; employers are shown in full (they are public bodies)."""
    name = str(signature.get("signer_cn") or "")
    if signature.get("role") == "employer" or not name:
        return name
    return name[0] + "*" * (len(name) - 1)
