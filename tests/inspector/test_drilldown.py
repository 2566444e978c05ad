"""The inspector's drill-down on project B's real world: project → workers (masked) → each contract (view,
download, verify, evidence package), payroll lines with the wage confirmation, complaints and flags; and nothing of
it for an inspector of another county."""

from __future__ import annotations

import re

from flask import Flask

from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import WORKER_B, WORKER_B2, ObjectWorld
from tests.factories import id_number, login

FULL_NUMBERS = [id_number("37032119800101123"), id_number(WORKER_B2[1]), WORKER_B[1], WORKER_B2[2]]


def test_project_to_worker_to_contract_and_evidence(app: Flask, objects: ObjectWorld) -> None:
    client = app.test_client()
    login(client, "inspector_y")
    project_b = objects.base.project_b
    page = client.get(f"/inspector/projects/{project_b}").get_data(as_text=True)
    for text in ("桓台县项目B", "赵六", "钱七", "周九", f"/inspector/flags/{objects.findings_b[0]}"):
        assert text in page
    assert not [n for n in FULL_NUMBERS if n in page]
    zhao = objects.base.enrollment_b
    assert f"/inspector/projects/{project_b}/workers/{zhao}" in page
    worker = client.get(f"/inspector/projects/{project_b}/workers/{zhao}").get_data(as_text=True)
    assert not [n for n in FULL_NUMBERS if n in worker]
    signed = objects.contracts_b["signed"]
    links = set(re.findall(rf'href="(/projects/{project_b}/contracts/{signed}[^"]*)"', worker))
    assert {f"/projects/{project_b}/contracts/{signed}", f"/projects/{project_b}/contracts/{signed}/pdf"} <= links
    assert client.get(f"/projects/{project_b}/contracts/{signed}/pdf").data.startswith(b"%PDF")
    assert client.get(f"/projects/{project_b}/contracts/{signed}/evidence.zip").data.startswith(b"PK")
    verified = client.get(f"/projects/{project_b}/contracts/{signed}/verify")
    assert verified.status_code == 200
    assert objects.contract_numbers_b[0] in verified.get_data(as_text=True)
    assert "2026-10" in worker  # the wage sheet's line
    assert 'class="confirmation">—<' not in worker  # 赵六's line carries his confirmation's state


def test_the_worker_page_shows_complaints_and_flags(app: Flask, objects: ObjectWorld) -> None:
    client = app.test_client()
    login(client, "inspector_city")
    worker = client.get(f"/inspector/projects/{objects.base.project_b}/workers/{objects.base.enrollment_b}")
    assert worker.status_code == 200
    text = worker.get_data(as_text=True)
    assert f"/complaints/{objects.complaints_b[0]}" in text


def test_other_counties_and_other_projects_roster_entries_are_404(app: Flask, objects: ObjectWorld) -> None:
    outsider, insider = app.test_client(), app.test_client()
    login(outsider, "inspector_x")
    login(insider, "inspector_y")
    project_b, zhao = objects.base.project_b, objects.base.enrollment_b
    assert outsider.get(f"/inspector/projects/{project_b}").status_code == 404
    assert outsider.get(f"/inspector/projects/{project_b}/workers/{zhao}").status_code == 404
    entry_a = objects.enrollments_a["李四"]
    assert insider.get(f"/inspector/projects/{project_b}/workers/{entry_a}").status_code == 404
    assert insider.get(f"/inspector/projects/{objects.base.project_a}/workers/{entry_a}").status_code == 404
