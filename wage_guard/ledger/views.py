"""Public endpoints of the evidence log: tree heads, the log key, inclusion and consistency proofs (JSON), and the
published trust anchors (the root certificate and the log key fingerprints) that evidence packages are pinned to."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from wage_guard.errors import NotFound
from wage_guard.extensions import csrf, limiter
from wage_guard.i18n import _
from wage_guard.ledger import evidence, services
from wage_guard.routing import bigint
from wage_guard.security import limit_storage_down

bp = Blueprint("log", __name__, url_prefix="/log")
csrf.exempt(bp)


def _limit() -> str:
    return str(current_app.config["RATELIMIT_VERIFY_PER_IP"])


@bp.get("/tree-head")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def latest() -> ResponseReturnValue:
    """The newest signed tree head."""
    head = services.latest_tree_head()
    if head is None:
        abort(404)
    return jsonify(services.tree_head_json(head))


@bp.get("/tree-head/<bigint:size>")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def by_size(size: int) -> ResponseReturnValue:
    head = services.tree_head(size)
    if head is None:
        abort(404)
    return jsonify(services.tree_head_json(head))


@bp.get("/public-key")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def public_key() -> ResponseReturnValue:
    """Every log public key by key id (the SHA-256 of the PEM): the PEM and its fingerprint, the SHA-256 of the DER
    SubjectPublicKeyInfo, which ``flask ledger verify-package --log-key-fingerprint`` takes."""
    return jsonify(
        {
            key.key_id: {"public_key_pem": key.pem, "fingerprint_sha256": key.fingerprint}
            for key in evidence.published_anchors().log_keys
        }
    )


@bp.get("/root-certificate")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def root_certificate() -> ResponseReturnValue:
    """The published trust anchors: the root certificate (PEM) with its fingerprint, and the log keys' fingerprints."""
    anchors = evidence.published_anchors()
    if anchors.root is None:
        raise NotFound(_("The platform's root certificate is not set up yet."))
    return render_template("ledger/root_certificate.html", anchors=anchors)


@bp.get("/root-certificate.pem")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def root_certificate_pem() -> ResponseReturnValue:
    """The root certificate to import into a PDF validator (pdfsig's NSS database, Acrobat)."""
    anchors = evidence.published_anchors()
    if anchors.root_pem is None:
        raise NotFound(_("The platform's root certificate is not set up yet."))
    return Response(
        anchors.root_pem,
        mimetype="application/x-pem-file",
        headers={"Content-Disposition": "attachment; filename=wage_guard-root.pem"},
    )


@bp.get("/entries/<bigint:seq>")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def entry(seq: int) -> ResponseReturnValue:
    """An entry with its inclusion proof in the tree of ``tree_size`` (default: the newest tree head)."""
    head = services.latest_tree_head()
    size = request.args.get("tree_size", type=bigint) or (head.size if head else 0)
    if services.tree_head(size) is None:
        abort(404)
    try:
        inclusion = services.inclusion(seq, size)
    except LookupError:
        abort(404)
    return jsonify({"index": seq, **inclusion.__dict__})


@bp.get("/consistency")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def consistency() -> ResponseReturnValue:
    """The consistency proof between two tree heads (``first`` < ``second``)."""
    first, second = request.args.get("first", type=bigint), request.args.get("second", type=bigint)
    if first is None or second is None or not 0 < first <= second or services.tree_head(second) is None:
        abort(400)
    if services.tree_head(first) is None:
        abort(404)
    return jsonify({"first": first, "second": second, "proof": services.consistency(first, second)})
