"""The foreman's roster: crews, trades and exit dates."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, login
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Crew


def crew_id(app: Flask, project_id: int, name: str) -> int:
    with app.app_context():
        crew = Crew(project_id=project_id, name=name)
        db.session.add(crew)
        db.session.commit()
        return crew.id


def test_foreman_assigns_crew_and_exit_date(app: Flask, client: FlaskClient, world: World) -> None:
    crew = crew_id(app, world.project_b, "木工班")
    login(client, "foreman_b")
    url = f"/projects/{world.project_b}/enrolment/roster/{world.enrollment_b}"
    page = client.get(url).get_data(as_text=True)
    assert "赵六" in page
    assert "3703**********" in page
    response = client.post(url, data={"crew_id": str(crew), "trade": "carpenter", "exit_date": "2026-12-31"})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(Enrollment, world.enrollment_b)
        assert entry is not None
        assert (entry.crew_id, entry.trade, str(entry.exit_date)) == (crew, "carpenter", "2026-12-31")
    roster = client.get(f"/projects/{world.project_b}").get_data(as_text=True)
    assert "木工班" in roster
    assert "2026-12-31" in roster


def test_roster_entry_refuses_crew_of_another_project_and_early_exit(app: Flask, client: FlaskClient, world: World) -> None:
    other_crew = crew_id(app, world.project_a, "别人的班组")
    login(client, "foreman_b")
    url = f"/projects/{world.project_b}/enrolment/roster/{world.enrollment_b}"
    bad_crew = client.post(url, data={"crew_id": str(other_crew), "trade": "general"})
    assert bad_crew.status_code == 422
    early = client.post(url + "?lang=en", data={"crew_id": "0", "trade": "general", "exit_date": "2020-01-01"})
    assert early.status_code == 422
    assert "before the entry date" in early.get_data(as_text=True)
    with app.app_context():
        entry = db.session.get(Enrollment, world.enrollment_b)
        assert entry is not None
        assert (entry.crew_id, entry.exit_date) == (None, None)


def test_entry_of_another_project_is_not_found_through_own_project(client: FlaskClient, world: World) -> None:
    login(client, "foreman_a")
    assert client.get(f"/projects/{world.project_a}/enrolment/roster/{world.enrollment_b}").status_code == 404
