"""Stored XSS (issue #14 part 5): markup in every name people type (a worker's name, a project, a crew, an employer,
a complaint's note, the names on a wage sheet, a flag's evidence) is shown as text on every page that shows it, to
every role. The pages are crawled from each role's start page, on project B's real world. The API hands the data
back exactly as stored, as JSON that no browser will read as a page (``application/json`` with ``nosniff``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.api.support import issue_token, use_token
from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import WORKER_B, ObjectWorld, portal_login
from tests.factories import login
from tests.pages.crawl import walk
from wage_guard import boundary
from wage_guard.complaints.models import Complaint
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Crew, Employer, Project
from wage_guard.payroll.models import PayrollLine
from wage_guard.risk.models import Finding

PAYLOAD = '<script>alert("wg")</script><img src=x onerror=alert(1)>'
RAW = ("<script>alert", "<img src=x onerror")


def _plant(app: Flask, world: ObjectWorld) -> None:
    with app.app_context():
        project = db.session.get(Project, world.base.project_b)
        entry = db.session.get(Enrollment, world.base.enrollment_b)
        assert project is not None
        assert entry is not None
        project.name = "桓台县项目B" + PAYLOAD
        entry.worker.name = "赵六" + PAYLOAD
        for crew in db.session.scalars(sa.select(Crew).where(Crew.project_id == project.id)):
            crew.name = PAYLOAD
        employer = db.session.get(Employer, project.employer_id)
        assert employer is not None
        employer.name = "乙建筑公司" + PAYLOAD
        for complaint in db.session.scalars(sa.select(Complaint)):
            complaint.note = PAYLOAD
        for line in db.session.scalars(sa.select(PayrollLine)):
            line.name = line.name + PAYLOAD
        for finding in db.session.scalars(sa.select(Finding)):
            finding.evidence = {**finding.evidence, "note": PAYLOAD}
        boundary.commit()


def _unescaped(pages: list[tuple[str, str]]) -> list[str]:
    return [f"{path}: {raw}" for path, html in pages for raw in RAW if raw in html]


def test_markup_in_names_is_text_on_every_page_and_in_the_api(app: Flask, objects: ObjectWorld) -> None:
    _plant(app, objects)
    found, crawled, clients = [], 0, {}
    for username in ("admin", "foreman_b", "employer_b", "inspector_y"):
        client = clients[username] = app.test_client()
        login(client, username)
        pages = [(p.path, p.html) for p in walk(client, ["/", f"/projects/{objects.base.project_b}"])]
        crawled += len(pages)
        found += [f"{username} {problem}" for problem in _unescaped(pages)]
    worker = app.test_client()
    portal_login(worker, WORKER_B[1])
    pages = [(p.path, p.html) for p in walk(worker, ["/me/contracts"])]
    found += [f"worker {problem}" for problem in _unescaped(pages)]
    api = use_token(app.test_client(), issue_token(app, "inspector_y", county="370321"))
    for path in ("/api/v1/projects", f"/api/v1/projects/{objects.base.project_b}/workers", "/api/v1/findings"):
        response = api.get(path)
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert PAYLOAD in str(response.get_json())  # data, not markup: the same characters back
    assert crawled > 60
    assert not found, "\n".join(found)
    drilldown = clients["inspector_y"].get(f"/inspector/projects/{objects.base.project_b}")
    assert "&lt;script&gt;alert" in drilldown.get_data(as_text=True)
