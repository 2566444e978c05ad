"""The API's scope from the inside: every token that may see project B opens every operation on B's objects and
sees B's data (so the outsiders' 403/404 in ``tests/test_authorization.py`` mean something), and nothing shows a
full ID number or phone number."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask

from tests.api.support import issue_token, use_token
from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import WORKER_B, WORKER_B2, ObjectWorld
from tests.factories import id_number
from wage_guard.api.views import OPEN

#: holder, token scope, and whether the token may read risk flags (county tokens of inspectors and admins).
INSIDERS = {
    "county_inspector": ("inspector_y", {"county": "370321"}, True),
    "city_inspector_narrowed": ("inspector_city", {"county": "370321"}, True),
    "admin_county": ("admin", {"county": "370321"}, True),
    "employer_b": ("employer_b", {"employer_of": "employer_b"}, False),
    "admin_employer_b": ("admin", {"employer_of": "employer_b"}, False),
}
FULL_NUMBERS = [id_number("37032119800101123"), id_number(WORKER_B2[1]), WORKER_B[1], WORKER_B2[2], WORKER_B[1][3:]]


def _urls(app: Flask, world: ObjectWorld) -> list[tuple[str, str]]:
    values = {
        "project_id": [world.base.project_b],
        "contract_id": list(world.contracts_b.values()),
        "finding_id": list(world.findings_b),
    }
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in OPEN or "GET" not in (rule.methods or ()):
            continue
        args = sorted(rule.arguments)
        for combo in itertools.product(*(values[a] for a in args)):
            found.append((rule.endpoint, rule.build(dict(zip(args, combo, strict=True)), append_unknown=False)[1]))  # type: ignore[index]
    return sorted(found)


@pytest.mark.parametrize("insider", sorted(INSIDERS))
def test_insiders_open_every_operation_on_project_b(app: Flask, objects: ObjectWorld, insider: str) -> None:
    holder, scope, reads_flags = INSIDERS[insider]
    client = use_token(app.test_client(), issue_token(app, holder, **scope))
    problems, opened = [], 0
    for endpoint, url in _urls(app, objects):
        response = client.get(url)
        expected = 403 if endpoint.startswith("api.finding") and not reads_flags else 200
        if response.status_code != expected:
            problems.append(f"{insider}: {response.status_code} on {url} ({response.get_data(as_text=True)[:200]})")
            continue
        opened += expected == 200
        text = response.get_data(as_text=True) if response.mimetype == "application/json" else ""
        problems += [f"{insider}: {url} shows the full number {n}" for n in FULL_NUMBERS if n in text]
    assert not problems, "\n".join(problems)
    assert opened >= 10


def test_lists_hold_project_b_for_insiders_and_nothing_of_it_for_outsiders(app: Flask, objects: ObjectWorld) -> None:
    inside = use_token(app.test_client(), issue_token(app, "inspector_y", county="370321"))
    outside = use_token(app.test_client(), issue_token(app, "inspector_x", county="370322"))
    projects = inside.get("/api/v1/projects").get_json()
    assert [p["name"] for p in projects["items"]] == ["桓台县项目B"]
    assert projects["total"] == 1
    assert "桓台县项目B" not in outside.get("/api/v1/projects").get_data(as_text=True)
    flags = inside.get("/api/v1/findings").get_json()
    assert [f["id"] for f in flags["items"]] == objects.findings_b
    assert outside.get("/api/v1/findings").get_json()["items"] == []
    employer_a = use_token(app.test_client(), issue_token(app, "employer_a", employer_of="employer_a"))
    assert employer_a.get("/api/v1/findings").status_code == 403


def test_workers_are_masked_and_carry_their_latest_contract(app: Flask, objects: ObjectWorld) -> None:
    client = use_token(app.test_client(), issue_token(app, "employer_b", employer_of="employer_b"))
    workers = client.get(f"/api/v1/projects/{objects.base.project_b}/workers").get_json()
    by_name = {w["name"]: w for w in workers["items"]}
    assert set(by_name) == {"赵六", "钱七", "周九"}
    zhao = by_name["赵六"]
    assert zhao["id_number_masked"] != id_number("37032119800101123")
    assert "*" in zhao["id_number_masked"]
    assert "*" in zhao["phone_masked"]
    assert zhao["contract_id"] is not None
    assert zhao["contract_status"]


def test_contract_terms_pdf_and_verification(app: Flask, objects: ObjectWorld) -> None:
    client = use_token(app.test_client(), issue_token(app, "inspector_y", county="370321"))
    signed, pending = objects.contracts_b["signed"], objects.contracts_b["pending"]
    contract = client.get(f"/api/v1/contracts/{signed}").get_json()
    assert contract["number"] in objects.contract_numbers_b
    assert contract["terms"]["work_place"] == "桓台县索镇工地"
    assert contract["worker_signed_at"] is not None
    pdf = client.get(f"/api/v1/contracts/{signed}/pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(pdf.data).hexdigest() == contract["document_sha256"]
    checked = client.get(f"/api/v1/contracts/{signed}/verification").get_json()
    assert checked["result"] in {"valid", "incomplete"}
    assert checked["signatures"] >= 2
    assert not [f for f in checked["findings"] if f["code"] in {"changed", "not_platform"}]
    waiting = client.get(f"/api/v1/contracts/{pending}/verification").get_json()
    assert waiting["result"] == "incomplete"


def test_payroll_summary_and_pagination(app: Flask, objects: ObjectWorld) -> None:
    client = use_token(app.test_client(), issue_token(app, "inspector_y", county="370321"))
    payroll = client.get(f"/api/v1/projects/{objects.base.project_b}/payroll").get_json()
    assert payroll["total"] >= 1
    month = payroll["items"][0]
    assert month["month"] == "2026-10"
    assert month["lines"] >= 2
    assert month["confirmations_asked"] >= 2
    first = client.get(f"/api/v1/projects/{objects.base.project_b}/contracts?per_page=1").get_json()
    second = client.get(f"/api/v1/projects/{objects.base.project_b}/contracts?per_page=1&page=2").get_json()
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]
    too_many = client.get(f"/api/v1/projects/{objects.base.project_b}/contracts?per_page=1000")
    assert too_many.status_code == 422
    body = too_many.get_json()
    assert body["code"] == "invalid_request"
    assert "per_page" in body["errors"]
