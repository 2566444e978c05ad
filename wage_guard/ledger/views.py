"""Public JSON endpoints of the evidence log: tree heads, the log key, inclusion and consistency proofs."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from wage_guard.extensions import csrf, limiter
from wage_guard.ledger import services
from wage_guard.routing import bigint

bp = Blueprint("log", __name__, url_prefix="/log")
csrf.exempt(bp)


def _limit() -> str:
    return str(current_app.config["RATELIMIT_VERIFY_PER_IP"])


@bp.get("/tree-head")
@limiter.limit(_limit)
def latest() -> ResponseReturnValue:
    """The newest signed tree head."""
    head = services.latest_tree_head()
    if head is None:
        abort(404)
    return jsonify(services.tree_head_json(head))


@bp.get("/tree-head/<bigint:size>")
@limiter.limit(_limit)
def by_size(size: int) -> ResponseReturnValue:
    head = services.tree_head(size)
    if head is None:
        abort(404)
    return jsonify(services.tree_head_json(head))


@bp.get("/public-key")
@limiter.limit(_limit)
def public_key() -> ResponseReturnValue:
    """Every log public key (PEM) by key id: the SHA-256 of the PEM."""
    return jsonify(services.public_keys())


@bp.get("/entries/<bigint:seq>")
@limiter.limit(_limit)
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
@limiter.limit(_limit)
def consistency() -> ResponseReturnValue:
    """The consistency proof between two tree heads (``first`` < ``second``)."""
    first, second = request.args.get("first", type=bigint), request.args.get("second", type=bigint)
    if first is None or second is None or not 0 < first <= second or services.tree_head(second) is None:
        abort(400)
    if services.tree_head(first) is None:
        abort(404)
    return jsonify({"first": first, "second": second, "proof": services.consistency(first, second)})
