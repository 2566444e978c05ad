"""The platform's published CRLs, at the URLs its certificates name as CRL distribution points.

Validators that fetch revocation data (Adobe, NSS-based tools, pyHanko with fetching on) find it here; contracts
completed to B-LTA carry the CRLs of their completion in the file as well. Public and cacheable: a CRL is signed
data about certificates, never about people.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from wage_guard import boundary
from wage_guard.extensions import csrf, limiter
from wage_guard.security import limit_storage_down
from wage_guard.signing import crls

bp = Blueprint("pki", __name__, url_prefix="/pki")
csrf.exempt(bp)
#: Validators may cache a CRL this long; a revocation reaches them after at most this (and at once via ``/verify/``).
CRL_MAX_AGE_SECONDS = 600


def _limit() -> str:
    return str(current_app.config["RATELIMIT_VERIFY_PER_IP"])


@bp.get("/crl/<name>.crl")
@limiter.limit(_limit, exempt_when=limit_storage_down)
def crl(name: str) -> Response:
    """The current CRL ``issuing`` (signers' and the timestamp authority's certificates) or ``root`` (the issuing CA)."""
    der = crls.crl_der(name)
    boundary.commit()  # keeps a CRL renewed on the way (the scheduler normally renews it first)
    response = Response(der, mimetype="application/pkix-crl")
    response.headers["Cache-Control"] = f"public, max-age={CRL_MAX_AGE_SECONDS}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.crl"'
    return response
