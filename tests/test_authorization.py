"""The access-control matrix, generated from the URL map so that every new route must be classified here.

A route is either public (listed in PUBLIC) or staff-only. Staff routes whose URL names a project are
checked against every account outside that project's scope: they must get 403 or 404 for every method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.factories import World, login

#: Endpoints anyone may reach without logging in.
PUBLIC = {
    "static",
    "accounts.home",
    "accounts.login",
    "accounts.second_factor",
    "accounts.resend_code",
    "enroll.start",
    "enroll.verify",
    "enroll.resend",
    "enroll.done",
    "sms.outbox",
    # Signing journeys: authorised by the secret in the SMS link plus a code sent to the signer's phone.
    *(
        f"sign.worker_{name}"
        for name in ("start", "code", "verify", "notice", "terms", "sign", "refuse", "page", "seal_image", "done")
    ),
    *(f"sign.employer_{name}" for name in ("start", "code", "verify", "seal", "page", "seal_image")),
    # The worker portal: authorised by an SMS code to the worker's phone (tests/journeys check its scoping).
    *(f"portal.{name}" for name in ("start", "verify", "contracts", "download", "evidence", "print_pdf")),
    "portal.verify_contract",
    "portal.logout",
    "verification.upload",
    "verification.known",
    # The evidence log's public JSON endpoints.
    *(f"log.{name}" for name in ("latest", "by_size", "public_key", "entry", "consistency")),
}
#: URL arguments for requests *against project B* (the project outside the scope of the A-side accounts).
ARGS_FOR_B: dict[str, Callable[[World], object]] = {
    "project_id": lambda w: w.project_b,
    "link_id": lambda w: w.link_b,
    "token": lambda w: w.token_b,
    "enrollment_id": lambda w: w.enrollment_b,
    # Contract routes check the project first; tests/journeys checks a contract of B through A's URL.
    "contract_id": lambda w: 1,
    "page": lambda w: 0,
    "size": lambda w: 1,
    "seq": lambda w: 0,
    "filename": lambda w: "css/app.css",
}
#: Accounts that must not see project B (in county 370321, employer B), and why.
OUTSIDERS_OF_B = {
    "foreman_a": "foreman of another project",
    "employer_a": "administrator of another employer",
    "inspector_x": "inspector of another county",
    "inspector_beijing": "inspector of another province",
}
#: Endpoints only some roles may use at all: endpoint -> accounts that must get 403.
ROLE_LIMITED = {
    "inspector.dashboard": ["foreman_a", "employer_a"],
    "organisations.create": ["inspector_x", "inspector_city"],
    "admin.employers": ["foreman_a", "employer_a", "inspector_x"],
    "admin.staff": ["foreman_a", "inspector_x"],
    "organisations.add_manager": ["foreman_b", "inspector_y"],
}


def staff_rules(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC:
            yield rule


def url_for_b(rule: Rule, world: World) -> str:
    missing = [arg for arg in rule.arguments if arg not in ARGS_FOR_B]
    assert not missing, f"add a value for {missing} to ARGS_FOR_B so {rule.endpoint} is covered"
    return rule.build({arg: ARGS_FOR_B[arg](world) for arg in rule.arguments}, append_unknown=False)[1]


def methods(rule: Rule) -> list[str]:
    return sorted(m for m in (rule.methods or set()) if m not in {"HEAD", "OPTIONS"})


def call(client: FlaskClient, method: str, url: str) -> int:
    return client.open(url, method=method, data={}).status_code


def test_every_route_is_classified(app: Flask, world: World) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url_for_b(rule, world)


def test_anonymous_users_reach_only_public_pages(app: Flask, client: FlaskClient, world: World) -> None:
    for rule in staff_rules(app):
        for method in methods(rule):
            response = client.open(url_for_b(rule, world), method=method)
            status = response.status_code
            assert status in (302, 401, 403, 404), f"{method} {rule.rule} gave {status} to an anonymous user"
            if status == 302:
                assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("username", sorted(OUTSIDERS_OF_B))
def test_outsiders_get_403_or_404_on_every_project_b_route(app: Flask, world: World, username: str) -> None:
    client = app.test_client()
    login(client, username)
    checked = 0
    for rule in staff_rules(app):
        if "project_id" not in rule.arguments:
            continue
        for method in methods(rule):
            status = call(client, method, url_for_b(rule, world))
            assert status in (403, 404), f"{OUTSIDERS_OF_B[username]} got {status} on {method} {rule.rule}"
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("username", ["admin", "foreman_b", "employer_b", "inspector_y", "inspector_city"])
def test_insiders_can_open_project_b(app: Flask, world: World, username: str) -> None:
    client = app.test_client()
    login(client, username)
    assert client.get(f"/projects/{world.project_b}").status_code == 200
    assert client.get(f"/projects/{world.project_b}/enrolment/poster").status_code == 200


@pytest.mark.parametrize(("endpoint", "username"), [(e, u) for e, users in ROLE_LIMITED.items() for u in users])
def test_roles_are_limited(app: Flask, world: World, endpoint: str, username: str) -> None:
    client = app.test_client()
    login(client, username)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    for method in methods(rule):
        assert call(client, method, url_for_b(rule, world)) == 403


@pytest.mark.parametrize("username", ["inspector_y", "inspector_city"])
def test_inspectors_cannot_change_projects_they_can_see(app: Flask, world: World, username: str) -> None:
    client = app.test_client()
    login(client, username)
    base = f"/projects/{world.project_b}"
    for url in (f"{base}/crews", f"{base}/enrolment/links", f"{base}/enrolment/links/{world.link_b}/revoke"):
        assert client.post(url, data={"name": "x"}).status_code == 403


def test_foreman_cannot_revoke_other_projects_link_through_own_project(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "foreman_a")
    assert client.post(f"/projects/{world.project_a}/enrolment/links/{world.link_b}/revoke").status_code == 404
    assert client.get(f"/e/{world.token_b}").status_code == 200


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
