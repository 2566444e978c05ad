"""The authorization matrix: every endpoint has an entry in ``wage_guard.authorization.TABLE``, and every
outsider is tried on every route against project B, which has real contracts, documents and evidence.

The outsiders (other project's foreman, a foreman of B's own employer not assigned to B, other employer's
administrator, other county's and other province's inspector, a worker of project A in the portal, the holder
of project A's signing and sealing links, and anonymous) must get 403 or 404, or a redirect to a login or
start page when they hold no credential of the right kind at all, on every object route of project B, and no
page may show them B's data. The insiders (admin, B's foreman and employer, B's county and city inspectors,
B's workers and B's signatory through their own links) must open the same objects, so the test can fail.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask, Response
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests import authz_world
from tests.api.support import issue_token, use_token
from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import FOREMAN_B2, WORKER_B, WORKER_B2, WORKERS_A, ObjectWorld
from tests.factories import STAFF, World, login
from tests.journeys.conftest import OFFER_FORM
from wage_guard.accounts.models import Role, User
from wage_guard.authorization import TABLE, Access, Audience, Scope
from wage_guard.contracts import services as contracts_services
from wage_guard.contracts.models import Contract, SigningLink
from wage_guard.enrollment.models import Enrollment, EnrollmentLink
from wage_guard.extensions import db
from wage_guard.journeys import views as sign_views
from wage_guard.organisations.models import Crew, Project, ProjectManager
from wage_guard.portal import services as portal

#: URL arguments that name an object (of project B in these tests).
OBJECT_ARGS = {
    "project_id",
    "contract_id",
    "enrollment_id",
    "link_id",
    "token",
    "number",
    "check_id",
    "user_id",
    "confirmation_id",
    "complaint_id",
    "batch_id",
    "finding_id",
}
#: Pages of a sealing session that open only in the browser that has just sealed a large batch.
AFTER_SEALING = {"sign.employer_progress", "sign.employer_progress_json"}
#: Other URL arguments, with the value to use.
PLAIN_ARGS: dict[str, object] = {"token_id": 1, "page": 0, "size": 1, "seq": 0, "filename": "css/app.css", "name": "issuing"}
SESSION_AUDIENCES = {
    Audience.SIGNING_SESSION,
    Audience.SEALING_SESSION,
    Audience.ENROLMENT_SESSION,
    Audience.CONFIRMATION_SESSION,
    Audience.COMPLAINT_SESSION,
}
LINK_AUDIENCES = {
    Audience.SIGNING_LINK,
    Audience.SEALING_LINK,
    Audience.ENROLMENT_LINK,
    Audience.CANCEL_LINK,
    Audience.CONFIRMATION_LINK,
}
#: Endpoints that end the session: tried last, so the rest is tried with the session.
SESSION_ENDERS = {"accounts.logout", "portal.logout"}
#: Public endpoints that show B's contract numbers by design: the number is printed on the contract, the
#: verification page answers "is contract N registered here", and the public evidence log files entries under it
#: (with keyed hashes for people, phones and devices) so that anyone holding the PDF can check its entries.
NUMBERS_ARE_PUBLIC = {"verification.known", "log.entry"}


def token_kind(endpoint: str) -> str:
    kinds = (
        ("sign.worker_", "sign"),
        ("sign.employer_", "seal"),
        ("enroll.", "enrol"),
        ("identity_public.", "cancel"),
        ("confirm.", "confirm"),
        ("complaints.poster", "enrol"),  # the complaint form behind the site poster's QR link
    )
    for prefix, kind in kinds:
        if endpoint.startswith(prefix):
            return kind
    raise AssertionError(f"{endpoint} takes a token: say in token_kind (tests/test_authorization.py) which link it is")


# --- The table itself -------------------------------------------------------------------------------------------


def test_every_endpoint_has_an_entry(app: Flask) -> None:
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - TABLE.keys())
    assert not missing, f"add who may use these endpoints to TABLE in wage_guard/authorization.py: {missing}"


def test_the_table_names_only_existing_endpoints(app: Flask) -> None:
    stale = sorted(TABLE.keys() - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert not stale, f"remove these entries from TABLE in wage_guard/authorization.py: {stale}"


def test_project_scope_matches_the_url(app: Flask) -> None:
    """A staff URL naming a project is scoped to it, so the generic check loads the project before the view."""
    wrong = []
    for rule in app.url_map.iter_rules():
        access = TABLE.get(rule.endpoint)
        if access is None or access.audience is not Audience.STAFF:
            continue
        if ("project_id" in rule.arguments) != (access.scope in (Scope.PROJECT, Scope.MANAGE)):
            wrong.append(f"{rule.endpoint} ({rule.rule}): {access.scope.name}")
    assert not wrong, f"project URLs need scope PROJECT or MANAGE, other staff URLs another scope: {wrong}"


def test_every_url_argument_has_a_value_for_project_b(app: Flask) -> None:
    unknown = sorted(
        f"{rule.endpoint}: {arg}"
        for rule in app.url_map.iter_rules()
        for arg in rule.arguments
        if arg not in OBJECT_ARGS | PLAIN_ARGS.keys()
    )
    assert not unknown, f"say which of project B's objects these URL arguments name (OBJECT_ARGS, b_values): {unknown}"


def test_the_app_applies_the_table_before_the_view(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table is enforced on its own: a view that forgot its checks is still covered, unknown endpoints are refused."""
    url = f"/projects/{world.project_b}/contracts/"
    insider, outsider = app.test_client(), app.test_client()
    login(insider, "foreman_b")
    login(outsider, "foreman_a")
    assert insider.get(url).status_code == 200
    monkeypatch.setitem(app.view_functions, "contracts.list_contracts", lambda **_: "project B's contracts")
    assert outsider.get(url).status_code == 404
    assert insider.get(url).get_data(as_text=True) == "project B's contracts"
    monkeypatch.setitem(TABLE, "contracts.list_contracts", Access(Audience.STAFF, frozenset({Role.ADMIN}), Scope.PROJECT))
    assert insider.get(url).status_code == 403
    monkeypatch.delitem(TABLE, "contracts.list_contracts")
    assert insider.get(url).status_code == 403
    assert app.test_client().get(url).status_code == 403


# --- Who is tried ---------------------------------------------------------------------------------------------


@dataclass
class Identity:
    """A browser: who is in it, what it proved, and the links it holds."""

    description: str
    kind: str  # anonymous | staff | portal | signing | sealing | api
    role: Role | None = None
    #: Staff who see project A: also tried with A's URL and B's objects (``/projects/A/contracts/<B's>``).
    sees_a: bool = False
    setup: Callable[[FlaskClient, ObjectWorld], None] = lambda client, world: None
    #: The browser's own (project A) tokens, per link kind; it is tried with B's tokens too.
    own_tokens: Callable[[ObjectWorld], dict[str, str]] = lambda world: {}


def _staff(username: str, phone: str | None = None) -> Callable[[FlaskClient, ObjectWorld], None]:
    def setup(client: FlaskClient, world: ObjectWorld) -> None:
        if phone:
            authz_world.login_staff(client, username, phone)
        else:
            login(client, username)

    return setup


def _api(holder: str, *, county: str | None = None, employer_of: str | None = None) -> Callable[[FlaskClient, ObjectWorld], None]:
    """A system holding an API token (and no session): every /api/v1 operation on B's objects must be 403 or 404."""

    def setup(client: FlaskClient, world: ObjectWorld) -> None:
        use_token(client, issue_token(client.application, holder, county=county, employer_of=employer_of))

    return setup


OUTSIDERS = {
    "anonymous": Identity("anonymous, holding B's links", "anonymous"),
    "api_county_x": Identity("an API token of another county", "api", setup=_api("inspector_x", county="370322")),
    "api_city_narrowed": Identity(
        "a city inspector's API token narrowed to another county", "api", setup=_api("inspector_city", county="370322")
    ),
    "api_employer_a": Identity("an API token of another employer", "api", setup=_api("employer_a", employer_of="employer_a")),
    "api_admin_employer_a": Identity(
        "an administrator's API token narrowed to another employer", "api", setup=_api("admin", employer_of="employer_a")
    ),
    "foreman_a": Identity("foreman of another project", "staff", Role.FOREMAN, sees_a=True, setup=_staff("foreman_a")),
    "foreman_b2": Identity(
        "foreman of B's employer not managing B", "staff", Role.FOREMAN, setup=_staff(FOREMAN_B2[0], FOREMAN_B2[1])
    ),
    "employer_a": Identity(
        "administrator of another employer", "staff", Role.EMPLOYER_ADMIN, sees_a=True, setup=_staff("employer_a")
    ),
    "inspector_x": Identity("inspector of another county", "staff", Role.INSPECTOR, sees_a=True, setup=_staff("inspector_x")),
    "inspector_beijing": Identity("inspector of another province", "staff", Role.INSPECTOR, setup=_staff("inspector_beijing")),
    "worker_a_portal": Identity(
        "another worker's portal session (project A)",
        "portal",
        setup=lambda client, world: authz_world.portal_login(client, WORKERS_A["李四"][1]),
    ),
    "worker_a_signing": Identity(
        "a signing link of a different contract (A1), code confirmed",
        "signing",
        setup=lambda client, world: authz_world.signing_session(client, world.sign_token_a, WORKERS_A["李四"][1]),
        own_tokens=lambda world: {"sign": world.sign_token_a},
    ),
    "employer_a_sealing": Identity(
        "another employer's sealing link (A2), code confirmed",
        "sealing",
        setup=lambda client, world: authz_world.signing_session(
            client, world.seal_token_a, STAFF["employer_a"][1], party="employer"
        ),
        own_tokens=lambda world: {"seal": world.seal_token_a},
    ),
}


# --- The world: built once per module, copied back for each test ----------------------------------------------


def b_values(arg: str, endpoint: str, world: ObjectWorld) -> list[object]:
    """Project B's objects for a URL argument (every contract, every roster entry)."""
    values: dict[str, list[object]] = {
        "project_id": [world.base.project_b],
        "contract_id": list(world.contracts_b.values()),
        "enrollment_id": list(world.enrollments_b),
        "link_id": [world.base.link_b],
        "number": list(world.contract_numbers_b),
        "check_id": [world.check_b],
        "user_id": list(world.staff_b),
        "seq": list(range(world.log_entries)),
        "confirmation_id": list(world.confirmations_b),
        "complaint_id": list(world.complaints_b),
        "batch_id": list(world.batches_b),
        "finding_id": list(world.findings_b),
    }
    if arg == "token":
        tokens = {
            "sign": world.sign_token_b,
            "seal": world.seal_token_b,
            "enrol": world.base.token_b,
            "cancel": world.cancel_token_b,
            "confirm": world.confirm_token_b,
        }
        return [tokens[token_kind(endpoint)]]
    if arg in values:
        return values[arg]
    assert arg in PLAIN_ARGS, f"{endpoint} has the URL argument {arg!r}: add project B's value for it in b_values"
    return [PLAIN_ARGS[arg]]


@dataclass
class Request:
    rule: Rule
    method: str
    url: str
    #: The browser's own (project A) token is in the URL; otherwise any token is B's.
    own_token: bool = False

    @property
    def access(self) -> Access:
        return TABLE[self.rule.endpoint]

    @property
    def names_b_object(self) -> bool:
        """The URL names one of B's objects (not only the browser's own link)."""
        args = set(self.rule.arguments) & OBJECT_ARGS
        return bool(args - {"token"}) or ("token" in args and not self.own_token)


def methods(rule: Rule) -> list[str]:
    return sorted(m for m in (rule.methods or set()) if m not in {"HEAD", "OPTIONS"})


def requests_for(app: Flask, world: ObjectWorld, identity: Identity) -> Iterator[Request]:
    own = identity.own_tokens(world)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in SESSION_ENDERS, r.endpoint, r.rule))
    for rule in rules:
        args = sorted(rule.arguments)
        choices = [b_values(arg, rule.endpoint, world) for arg in args]
        combos = [dict(zip(args, combo, strict=True)) for combo in itertools.product(*choices)]
        extra: list[tuple[dict[str, object], bool]] = [(c, False) for c in combos]
        if "token" in args and token_kind(rule.endpoint) in own:
            extra += [({**c, "token": own[token_kind(rule.endpoint)]}, True) for c in combos]
        if identity.sees_a and "project_id" in args and len(set(args) & OBJECT_ARGS) > 1:
            extra += [({**c, "project_id": world.base.project_a}, False) for c in combos]  # A's URL around B's objects
        for values, own_token in extra:
            url = rule.build(values, append_unknown=False)[1]  # type: ignore[index]
            for method in methods(rule):
                if own_token and method != "GET":
                    continue  # the browser's own link: nothing of B's to change, and signing A1 would use it up
                yield Request(rule, method, url, own_token)


# --- The judgement ------------------------------------------------------------------------------------------------

REFUSED = {403, 404}
REDIRECTS = {301, 302, 303, 307, 308}


def _is_start_page(location: str) -> bool:
    """A login or start page: staff login, the portal's phone page, a link's first page."""
    path = urlsplit(location).path
    return (
        path == "/login"
        or path == "/me/"
        or path.rstrip("/").count("/") == 2
        and path.startswith(("/s/", "/seal/", "/e/", "/w/"))
    )


def _text(response: TestResponse) -> str:
    mimetype = response.mimetype or ""
    return response.get_data(as_text=True) if mimetype.startswith("text/") or mimetype.endswith("json") else ""


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    checked: int = 0


def judge(identity: Identity, request: Request, response: TestResponse, world: ObjectWorld, verdict: Verdict) -> None:
    """Add a problem unless the response refuses, or shows nothing of B's to someone allowed to use the page."""
    access, status = request.access, response.status_code
    where = f"{request.method} {request.url} ({request.rule.endpoint}: {access})"
    verdict.checked += 1
    if status >= 500:
        verdict.problems.append(f"{status} on {where}")
        return
    refused_strictly = status in REFUSED
    redirected_to_start = status in REDIRECTS and _is_start_page(response.headers.get("Location", ""))
    audience = access.audience
    strict = False  # the browser holds a credential of the right kind: only 403/404 will do
    if audience is Audience.STAFF:
        allowed = identity.kind == "staff" and identity.role in access.staff_roles and not request.names_b_object
        strict = identity.kind == "staff"
    elif audience is Audience.PORTAL:
        allowed = identity.kind == "portal" and not request.names_b_object
        strict = identity.kind == "portal"
    elif audience in SESSION_AUDIENCES:
        allowed = request.own_token and not request.names_b_object and request.rule.endpoint != "sign.worker_done"
        strict = request.own_token
    elif audience is Audience.API_TOKEN:
        allowed = identity.kind == "api" and not request.names_b_object
        strict = identity.kind == "api"
        if not strict and status == 401:
            return  # no token: refused before anything is read
    elif audience in LINK_AUDIENCES:
        allowed = True
        if not request.own_token:
            return  # the holder of B's own link is B's party: the link is the credential
    else:
        allowed = True
    if audience is Audience.DEMO:
        return  # the demo outbox shows every message by design, and exists only in demo mode
    if not allowed:
        ok = refused_strictly or (not strict and (status == 410 or redirected_to_start))
        if not ok:
            verdict.problems.append(f"{identity.description} got {status} on {where}")
            return
    hidden = world.markers_b
    if request.rule.endpoint in NUMBERS_ARE_PUBLIC:
        hidden = [m for m in hidden if m not in world.contract_numbers_b]
    shown = [m for m in hidden if m in _text(response)]
    if shown:
        verdict.problems.append(f"{identity.description} saw {shown} ({status}) on {where}")


def fingerprint(app: Flask, world: ObjectWorld) -> list[object]:
    """What an outsider must not be able to change on project B."""
    project_b = world.base.project_b
    with app.app_context():
        contracts = db.session.execute(
            sa.select(
                Contract.id,
                Contract.status,
                Contract.refused_at,
                Contract.employer_signed_at,
                Contract.worker_signed_at,
                Contract.receipt_acknowledged_at,
            )
            .where(Contract.project_id == project_b)
            .order_by(Contract.id)
        ).all()
        documents = [len(c.documents) for c in db.session.scalars(sa.select(Contract).where(Contract.project_id == project_b))]
        entries = [
            (e.id, e.crew_id, e.trade, e.exit_date, e.worker.address, e.worker.phone, e.worker.name)
            for e in db.session.scalars(sa.select(Enrollment).where(Enrollment.project_id == project_b).order_by(Enrollment.id))
        ]
        links = db.session.execute(
            sa.select(EnrollmentLink.id, EnrollmentLink.revoked_at).where(EnrollmentLink.project_id == project_b)
        ).all()
        signing_links = db.session.execute(sa.select(SigningLink.id, SigningLink.used_at).order_by(SigningLink.id)).all()
        crews = db.session.execute(sa.select(Crew.id, Crew.name).where(Crew.project_id == project_b)).all()
        managers = db.session.execute(sa.select(ProjectManager.user_id).where(ProjectManager.project_id == project_b)).all()
        staff = db.session.execute(sa.select(User.id, User.role, User.employer_id, User.is_enabled).order_by(User.id)).all()
        return [contracts, documents, entries, links, signing_links, crews, managers, staff]


def try_every_route(app: Flask, objects: ObjectWorld, identity: Identity) -> Verdict:
    client = app.test_client()
    identity.setup(client, objects)
    verdict = Verdict()
    for request in requests_for(app, objects, identity):
        response = client.open(request.url, method=request.method, data={})
        judge(identity, request, response, objects, verdict)
        response.close()
    return verdict


@pytest.mark.parametrize("name", sorted(OUTSIDERS))
def test_outsiders_are_refused_on_every_route_of_project_b(app: Flask, objects: ObjectWorld, name: str) -> None:
    identity = OUTSIDERS[name]
    before = fingerprint(app, objects)
    verdict = try_every_route(app, objects, identity)
    assert not verdict.problems, "\n".join(verdict.problems)
    assert verdict.checked > 100
    assert fingerprint(app, objects) == before, f"{identity.description} changed something of project B"


def test_the_matrix_finds_a_contract_loaded_without_its_project(
    app: Flask, objects: ObjectWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix can fail: staff contract pages that load any contract by id are caught (through project A)."""
    monkeypatch.setattr(contracts_services, "get_contract", lambda project, contract_id: db.session.get(Contract, contract_id))
    problems = try_every_route(app, objects, OUTSIDERS["foreman_a"]).problems
    assert any(f"/projects/{objects.base.project_a}/contracts/{objects.contracts_b['signed']}/pdf" in p for p in problems)


def test_the_matrix_finds_a_portal_that_forgets_whose_contract_it_is(
    app: Flask, objects: ObjectWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix can fail: a portal that serves any contract id to any worker is caught."""
    monkeypatch.setattr(portal, "get_contract", lambda worker_ids, contract_id: db.session.get(Contract, contract_id))
    problems = try_every_route(app, objects, OUTSIDERS["worker_a_portal"]).problems
    assert any(f"got 200 on GET /me/contracts/{objects.contracts_b['signed']}.pdf" in p for p in problems)


def test_the_matrix_finds_a_signing_link_that_shows_any_contract(
    app: Flask, objects: ObjectWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix can fail: page images served for any contract id to a verified signing session are caught."""

    def any_page(token: str, party: str, contract_id: int, page: int) -> Response:
        sign_views._verified(token, party)
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        return Response(contracts_services.page_previews(contract.current_document)[page].webp, mimetype="image/webp")

    monkeypatch.setattr(sign_views, "_page", any_page)
    problems = try_every_route(app, objects, OUTSIDERS["worker_a_signing"]).problems
    assert any(f"/pages/{objects.contracts_b['pending']}/0.webp" in p and "got 200" in p for p in problems)


# --- The insiders open the same objects ---------------------------------------------------------------------------

STAFF_INSIDERS = {
    "admin": (Role.ADMIN, True),
    "foreman_b": (Role.FOREMAN, True),
    "employer_b": (Role.EMPLOYER_ADMIN, True),
    "inspector_y": (Role.INSPECTOR, False),
    "inspector_city": (Role.INSPECTOR, False),
}


def _expect_content(response: TestResponse, endpoint: str, values: dict[str, object], world: ObjectWorld) -> str | None:
    body = response.get_data()
    if endpoint in ("contracts.pdf", "portal.download", "portal.print_pdf"):
        return None if body.startswith(b"%PDF-") else "not a PDF"
    if endpoint.endswith("evidence"):
        return None if body.startswith(b"PK") else "not a ZIP"
    if endpoint.endswith("_page"):
        return None if response.mimetype == "image/webp" else "not a page image"
    contract_id = values.get("contract_id")
    if isinstance(contract_id, int) and endpoint in ("contracts.detail", "portal.verify_contract"):
        number = world.contract_numbers_b[list(world.contracts_b.values()).index(contract_id)]
        return None if number in response.get_data(as_text=True) else f"{number} is not on the page"
    if endpoint == "contracts.verify":
        return None if "<h1" in response.get_data(as_text=True) else "no verification report"
    if endpoint == "inspector.worker":
        text = response.get_data(as_text=True)
        return None if "桓台县项目B" in text and any(n in text for n in world.contract_numbers_b + ["—"]) else "not B's worker"
    if endpoint in (
        "organisations.detail",
        "organisations.list",
        "inspector.dashboard",
        "inspector.project",
        "enrollment.poster",
    ):
        return None if "桓台县项目B" in response.get_data(as_text=True) else "project B is not on the page"
    return None


def _urls(app: Flask, world: ObjectWorld, rule: Rule, **fixed: object) -> Iterator[tuple[str, dict[str, object]]]:
    args = sorted(rule.arguments)
    choices = [[fixed[arg]] if arg in fixed else b_values(arg, rule.endpoint, world) for arg in args]
    for combo in itertools.product(*choices):
        values = dict(zip(args, combo, strict=True))
        yield rule.build(values, append_unknown=False)[1], values  # type: ignore[index]


@pytest.mark.parametrize("username", sorted(STAFF_INSIDERS))
def test_staff_insiders_open_project_b_and_roles_still_limit_them(app: Flask, objects: ObjectWorld, username: str) -> None:
    """Every staff page the table allows this role opens project B's objects; every other one answers 403."""
    role, manages = STAFF_INSIDERS[username]
    client = app.test_client()
    login(client, username)
    problems, opened = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in SESSION_ENDERS, r.endpoint)):
        access = TABLE[rule.endpoint]
        if access.audience is not Audience.STAFF:
            continue
        allowed = role in access.staff_roles and (access.scope is not Scope.MANAGE or manages)
        for url, values in _urls(app, objects, rule):
            for method in methods(rule):
                if allowed and method != "GET":
                    continue  # changes are the journeys' business
                response = client.open(url, method=method, data={})
                if not allowed:
                    if response.status_code != 403:
                        problems.append(f"{username} got {response.status_code} on {method} {url} ({access})")
                    continue
                opened += 1
                problem = (
                    f"{response.status_code}"
                    if response.status_code != 200
                    else _expect_content(response, rule.endpoint, values, objects)
                )
                if problem:
                    problems.append(f"{username} on {method} {url} ({rule.endpoint}): {problem}")
    assert not problems, "\n".join(problems)
    assert opened >= 10


def test_b_workers_open_their_own_contracts_in_the_portal_and_nothing_else(app: Flask, objects: ObjectWorld) -> None:
    """赵六 owns B1, its amendment B2 and the notice B4; 钱七's B3 on the same project is not his."""
    client = app.test_client()
    authz_world.portal_login(client, WORKER_B[1])
    own = {objects.contracts_b["signed"], objects.contracts_b["amendment"], objects.contracts_b["notice"]}
    problems = []
    listing = client.get("/me/contracts").get_data(as_text=True)
    numbers = dict(zip(objects.contracts_b.values(), objects.contract_numbers_b, strict=True))
    assert all(numbers[i] in listing for i in own)
    assert numbers[objects.contracts_b["pending"]] not in listing
    for rule in app.url_map.iter_rules():
        if TABLE[rule.endpoint].audience is not Audience.PORTAL or "contract_id" not in rule.arguments:
            continue
        if "GET" not in (rule.methods or set()):  # acknowledging receipt: see tests/journeys/test_endings.py
            continue
        for url, values in _urls(app, objects, rule):
            response = client.get(url)
            if values["contract_id"] in own:
                problem = (
                    f"{response.status_code}"
                    if response.status_code != 200
                    else _expect_content(response, rule.endpoint, values, objects)
                )
            else:
                problem = None if response.status_code == 404 else f"{response.status_code} on a contract of another worker"
            if problem:
                problems.append(f"{url} ({rule.endpoint}): {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("party", ["worker", "employer"])
def test_b_signing_links_open_their_own_contract_and_nothing_else(app: Flask, objects: ObjectWorld, party: str) -> None:
    """钱七's link shows B3 (and not B1 or B2); employer B's sealing link shows B2 (and not B1 or B3)."""
    client = app.test_client()
    if party == "worker":
        token, own, audience = objects.sign_token_b, objects.contracts_b["pending"], Audience.SIGNING_SESSION
        authz_world.signing_session(client, token, WORKER_B2[2])
    else:
        token, own, audience = objects.seal_token_b, objects.contracts_b["amendment"], Audience.SEALING_SESSION
        authz_world.signing_session(client, token, STAFF["employer_b"][1], party="employer")
    problems, opened = [], 0
    for rule in app.url_map.iter_rules():
        if TABLE[rule.endpoint].audience is not audience or "token" not in rule.arguments or "GET" not in methods(rule):
            continue
        if rule.endpoint in AFTER_SEALING:
            continue  # only the browser that sealed a large batch (tests/batches/test_batch_views.py)
        for url, values in _urls(app, objects, rule, token=token):
            response = client.get(url)
            if values.get("contract_id", own) == own:
                opened += 1
                problem = (
                    f"{response.status_code}"
                    if response.status_code != 200
                    else _expect_content(response, rule.endpoint, values, objects)
                )
            else:
                problem = None if response.status_code == 404 else f"{response.status_code} on a contract this link is not for"
            if problem:
                problems.append(f"{url} ({rule.endpoint}): {problem}")
    assert not problems, "\n".join(problems)
    assert opened >= 3


def test_objects_named_in_forms_stay_in_scope(app: Flask, objects: ObjectWorld) -> None:
    """B's objects posted in a form of the outsider's own page (not in the URL) are refused, and nothing changes."""
    base, project_a = objects.base, objects.base.project_a
    foreman, employer = app.test_client(), app.test_client()
    login(foreman, "foreman_a")
    login(employer, "employer_a")
    project = {"name": "新项目", "address": "工地路2号", "county_code": "370322", "pay_day": "15"}
    staff = {
        "username": "new_foreman",
        "display_name": "新工长",
        "role": "foreman",
        "phone": "13900000099",
        "password": "Correct-horse-99",
    }
    attempts = [
        (foreman, f"/projects/{project_a}/contracts/new", {**OFFER_FORM, "enrollment_ids": [str(objects.enrollments_b[0])]}),
        (
            foreman,
            f"/projects/{project_a}/enrolment/roster/{objects.enrollments_a['李四']}",
            {"crew_id": str(objects.crew_b), "trade": "general"},
        ),
        (foreman, "/projects/new", {**project, "employer_id": str(base.employer_b)}),
        (employer, "/projects/new", {**project, "employer_id": str(base.employer_b)}),
        (employer, f"/projects/{project_a}/managers", {"user_id": str(base.users["foreman_b"])}),
        (employer, "/admin/staff", {**staff, "employer_id": str(base.employer_b)}),
    ]
    before = fingerprint(app, objects)
    for client, url, data in attempts:  # refused outright, or sent back with a message (the checks below decide)
        status = client.post(url, data=data).status_code
        assert status in (302, 403, 404, 422), f"{status} for {url} with B's object in the form"
    assert fingerprint(app, objects) == before
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(Contract).where(Contract.enrollment_id == objects.enrollments_b[0], Contract.project_id == project_a)
            )
            is None
        )
        assert db.session.get(Enrollment, objects.enrollments_a["李四"]).crew_id is None  # type: ignore[union-attr]
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(Project.employer_id == base.employer_b)) == 1
        )
        assert (
            db.session.scalar(
                sa.select(ProjectManager).where(
                    ProjectManager.user_id == base.users["foreman_b"], ProjectManager.project_id == project_a
                )
            )
            is None
        )
        assert db.session.scalar(sa.select(User).where(User.username == "new_foreman")) is None
    # The same forms with A's own objects go through, so the refusals above are about B.
    assert employer.post("/admin/staff", data={**staff, "employer_id": str(base.employer_a)}).status_code == 302
    assert foreman.post("/projects/new", data={**project, "employer_id": str(base.employer_a)}).status_code == 302


def test_lists_show_only_projects_in_scope(app: Flask, world: World) -> None:
    expectations = {
        "foreman_a": ({"高青县项目A"}, {"桓台县项目B"}),
        "inspector_x": ({"高青县项目A"}, {"桓台县项目B"}),
        "inspector_y": ({"桓台县项目B"}, {"高青县项目A"}),
        "inspector_beijing": (set(), {"高青县项目A", "桓台县项目B"}),
        "inspector_city": ({"高青县项目A", "桓台县项目B"}, set()),
    }
    for username, (shown, hidden) in expectations.items():
        client = app.test_client()
        login(client, username)
        page = client.get("/inspector/" if username.startswith("inspector") else "/projects/").get_data(as_text=True)
        assert all(name in page for name in shown), username
        assert not any(name in page for name in hidden), username
