"""``/api/v1``: JSON for the labour department's and employers' systems, behind a bearer token.

Thin: the token is checked before every operation but the document and the docs, each operation validates its
query or body against ``schemas`` (through ``openapi``), reads through ``queries`` in the token's scope, and the one
write (a flag's workflow step) goes through the inspectors' own service and commits once. No session cookie is
used or set, so the API needs no CSRF token; requests are rate-limited per address.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, send_from_directory, url_for
from werkzeug.exceptions import NotFound as HTTPNotFound

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role
from wage_guard.api import openapi, queries, schemas, services
from wage_guard.api.forms import IssueTokenForm
from wage_guard.api.models import ApiToken
from wage_guard.api.openapi import responses, validate
from wage_guard.errors import ValidationFailed, WageGuardError
from wage_guard.extensions import csrf, limiter
from wage_guard.i18n import _
from wage_guard.inspector import services as inspector
from wage_guard.organisations import services as organisations
from wage_guard.security import actor, limit_storage_down, role_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: The administrator's pages: issue and revoke tokens.
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")
BLUEPRINTS = (bp, tokens_bp)
csrf.exempt(bp)
limiter.limit(lambda: current_app.config["RATELIMIT_API_PER_IP"], exempt_when=limit_storage_down)(bp)
#: Operations open without a token: the document and the interactive docs.
OPEN = {"api.openapi", "api.docs", "api.docs_file"}


@bp.before_request
def authenticate() -> None:
    """The token, then every object the URL names, in its scope: an outsider learns nothing, not even whether the
    body they sent would have been valid (the schema is checked after this)."""
    if request.endpoint in OPEN:
        return
    token = g.api_token = services.authenticate(request.headers.get("Authorization"), now=clock.utcnow())
    named = request.view_args or {}
    if "project_id" in named:
        services.get_project(token, named["project_id"])
    if "contract_id" in named:
        queries.get_contract(token, named["contract_id"])
    if "finding_id" in named:
        services.get_finding(token, named["finding_id"])


def _token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


@bp.get("/openapi.json", endpoint="openapi")
def openapi_json():  # type: ignore[no-untyped-def]
    """The OpenAPI 3 document, generated from the operations below."""
    return current_app.json.response(openapi.document())


@bp.get("/docs")
def docs() -> str:
    """Interactive documentation (Swagger UI, served from here)."""
    return render_template("api/docs.html")


@bp.get("/docs/files/<name>")
def docs_file(name: str):  # type: ignore[no-untyped-def]
    if name not in openapi.SWAGGER_FILES:
        raise HTTPNotFound()
    return send_from_directory(openapi.SWAGGER_DIST, name, max_age=86400)


@bp.get("/projects")
@validate(tags=("projects",), query=schemas.PageQuery, resp=responses(HTTP_200=schemas.ProjectPage))
def projects(query: schemas.PageQuery) -> schemas.ProjectPage:
    """The projects in the token's scope."""
    return queries.projects(_token(), query)


@bp.get("/projects/<int:project_id>")
@validate(tags=("projects",), resp=responses(HTTP_200=schemas.ProjectOut))
def project(project_id: int) -> schemas.ProjectOut:
    """One project in the token's scope, with the workers on its roster now."""
    return queries.project(_token(), project_id)


@bp.get("/projects/<int:project_id>/workers")
@validate(tags=("projects",), query=schemas.PageQuery, resp=responses(HTTP_200=schemas.WorkerPage))
def workers(project_id: int, query: schemas.PageQuery) -> schemas.WorkerPage:
    """The project's workers (every enrolment), with masked ID and phone numbers and their latest contract."""
    return queries.workers(_token(), project_id, query)


@bp.get("/projects/<int:project_id>/contracts")
@validate(tags=("contracts",), query=schemas.PageQuery, resp=responses(HTTP_200=schemas.ContractPage))
def project_contracts(project_id: int, query: schemas.PageQuery) -> schemas.ContractPage:
    """The project's contracts (every kind and status), oldest first."""
    return queries.contracts_of(_token(), project_id, query)


@bp.get("/projects/<int:project_id>/payroll")
@validate(tags=("payroll",), query=schemas.PageQuery, resp=responses(HTTP_200=schemas.PayrollPage))
def payroll(project_id: int, query: schemas.PageQuery) -> schemas.PayrollPage:
    """Per month, newest first: the current wage sheet's totals and its wage confirmations."""
    return queries.payroll_months(_token(), project_id, query)


@bp.get("/contracts/<int:contract_id>")
@validate(tags=("contracts",), resp=responses(HTTP_200=schemas.ContractOut))
def contract(contract_id: int) -> schemas.ContractOut:
    """A contract: its status, its terms and its current signed version."""
    return queries.contract_out(queries.get_contract(_token(), contract_id))


@bp.get("/contracts/<int:contract_id>/pdf")
@validate(tags=("contracts",), resp=responses(HTTP_200=(None, "the current version, as application/pdf")))
def contract_pdf(contract_id: int) -> Response:
    """The current version of the contract as a PDF (application/pdf), signed and timestamped (PAdES)."""
    found = queries.get_contract(_token(), contract_id)
    disposition = f'attachment; filename="{found.number}-v{found.current_document.version}.pdf"'
    return Response(found.current_document.pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition})


@bp.get("/contracts/<int:contract_id>/verification")
@validate(tags=("contracts",), resp=responses(HTTP_200=schemas.VerificationOut))
def contract_verification(contract_id: int) -> schemas.VerificationOut:
    """The platform's check of the current version's signatures, as the public verification page does it."""
    return queries.verification_of(queries.get_contract(_token(), contract_id))


@bp.get("/findings")
@validate(tags=("findings",), query=schemas.FindingQuery, resp=responses(HTTP_200=schemas.FindingPage))
def findings(query: schemas.FindingQuery) -> schemas.FindingPage:
    """Risk flags of the token's county, newest first (county tokens only)."""
    return queries.findings(_token(), query)


@bp.get("/findings/<int:finding_id>")
@validate(tags=("findings",), resp=responses(HTTP_200=schemas.FindingOut))
def finding(finding_id: int) -> schemas.FindingOut:
    """One risk flag: its rule, law, recommended action, evidence and workflow state."""
    return queries.finding_out(services.get_finding(_token(), finding_id))


@bp.post("/findings/<int:finding_id>/actions")
@validate(tags=("findings",), json=schemas.FindingActionIn, resp=responses(HTTP_200=schemas.FindingOut))
def finding_action(finding_id: int, json: schemas.FindingActionIn) -> schemas.FindingOut:
    """Take one workflow step on a flag, as the inspector holding the token (recorded in the evidence log)."""
    if not request.is_json:
        raise ValidationFailed(_("Send the step as JSON."), field="body")
    token = _token()
    found = services.get_finding(token, finding_id)
    step = inspector.Action(json.action)
    inspector.act(
        token.user, [found.id], step, note=json.note, reason=json.reason, assignee_id=json.assignee_id, now=clock.utcnow()
    )
    boundary.commit()
    return queries.finding_out(found)


@bp.get("/tree-heads")
@validate(tags=("evidence log",), query=schemas.PageQuery, resp=responses(HTTP_200=schemas.TreeHeadPage))
def tree_heads(query: schemas.PageQuery) -> schemas.TreeHeadPage:
    """The evidence log's signed tree heads, newest first."""
    return queries.tree_heads(query)


# --- The administrator's token pages ---------------------------------------------------------------------------


def _token_form() -> IssueTokenForm:
    form = IssueTokenForm()
    holders = services.eligible_holders()
    form.holder_id.choices = [(u.id, f"{u.display_name} ({u.username}, {u.role.label})") for u in holders]
    form.employer_id.choices = [(0, "—")] + [(e.id, e.name) for e in organisations.list_employers()]
    form.county_code.choices = [("", "—")] + [(c.code, f"{c.name} ({c.code})") for c in organisations.list_counties()]
    return form


@tokens_bp.get("/")
@role_required(Role.ADMIN)
def index():  # type: ignore[no-untyped-def]
    """Every token, live first, and the form to issue one."""
    return render_template("api/tokens.html", tokens=services.list_tokens(), form=_token_form(), secret=None)


@tokens_bp.post("/")
@role_required(Role.ADMIN)
def issue():  # type: ignore[no-untyped-def]
    """Issue a token and show its secret once, on this response only (never in a URL, a flash cookie or a log)."""
    form = _token_form()
    if not form.validate_on_submit():
        return render_template("api/tokens.html", tokens=services.list_tokens(), form=form, secret=None), 422
    try:
        issued = services.issue(
            actor(),
            holder_id=form.holder_id.data,
            name=form.name.data or "",
            employer_id=form.employer_id.data or None,
            county_code=form.county_code.data or None,
            now=clock.utcnow(),
            valid_days=form.valid_days.data or services.DEFAULT_DAYS,
        )
    except WageGuardError as error:
        return boundary.failed_form("api/tokens.html", error, tokens=services.list_tokens(), form=form, secret=None)
    boundary.commit()
    response = current_app.make_response(
        render_template("api/tokens.html", tokens=services.list_tokens(), form=_token_form(), secret=issued.secret)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@tokens_bp.post("/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke(token_id: int):  # type: ignore[no-untyped-def]
    token = services.revoke(actor(), token_id, now=clock.utcnow())
    boundary.commit()
    flash(_("Token %(prefix)s… is revoked: it no longer opens the API.", prefix=token.prefix), "info")
    return redirect(url_for("api_tokens.index"))
