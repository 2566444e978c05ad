"""Administration pages: employers (platform administrators) and staff accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, credit_code, login
from wage_guard.accounts.models import Role, User
from wage_guard.extensions import db
from wage_guard.organisations.models import Employer, ProjectManager

STAFF = {
    "username": "newforeman",
    "display_name": "新班长",
    "role": "foreman",
    "area_code": "",
    "phone": "13600000000",
    "password": "Good-password-7",
}


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_admin_registers_employer(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "admin")
    data = {"name": "丙公司", "credit_code": credit_code("91370303MA3X4Y5W6"), "legal_representative": "孙", "address": "张店"}
    assert client.post("/admin/employers", data=data).status_code == 302
    assert "丙公司" in client.get("/admin/employers").get_data(as_text=True)
    wrong_check = "1" if data["credit_code"][17] != "1" else "2"
    bad = client.post("/admin/employers?lang=en", data={**data, "credit_code": data["credit_code"][:17] + wrong_check})
    assert bad.status_code == 422
    assert "last character" in bad.get_data(as_text=True)
    duplicate = client.post("/admin/employers", data=data)
    assert duplicate.status_code == 422
    assert count(app, Employer) == 3


def test_employer_admin_creates_own_foreman_only(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "employer_a")
    ok = client.post("/admin/staff", data={**STAFF, "employer_id": str(world.employer_a)})
    assert ok.status_code == 302
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.username == "newforeman")).one()
        assert (user.role, user.employer_id) == (Role.FOREMAN, world.employer_a)
    other_employer = client.post("/admin/staff", data={**STAFF, "username": "x2", "employer_id": str(world.employer_b)})
    assert other_employer.status_code == 422  # not a choice offered to this administrator
    inspector = client.post(
        "/admin/staff", data={**STAFF, "username": "x3", "role": "inspector", "area_code": "370322", "employer_id": "0"}
    )
    assert inspector.status_code == 422
    assert count(app, User) == 10


def test_admin_creates_inspector_with_area(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "admin")
    data = {**STAFF, "username": "insp2", "role": "inspector", "area_code": "370300", "employer_id": "0"}
    assert client.post("/admin/staff", data=data).status_code == 302
    weak = client.post("/admin/staff", data={**data, "username": "insp3", "password": "weak"})
    assert weak.status_code == 422
    assert count(app, User) == 10


def test_staff_list_is_scoped(client: FlaskClient, world: World) -> None:
    login(client, "employer_a")
    page = client.get("/admin/staff").get_data(as_text=True)
    assert "foreman_a" in page
    assert "foreman_b" not in page
    assert "inspector_x" not in page


def test_employer_admin_assigns_foreman_to_project(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "employer_b")
    foreman_b = world.users["foreman_b"]
    with app.app_context():
        db.session.execute(sa.delete(ProjectManager))
        db.session.commit()
    assert client.post(f"/projects/{world.project_b}/managers", data={"user_id": str(foreman_b)}).status_code == 302
    with app.app_context():
        assert db.session.get(ProjectManager, (world.project_b, foreman_b)) is not None
    # A foreman of another employer is not offered, so the form refuses it.
    client.post(f"/projects/{world.project_b}/managers", data={"user_id": str(world.users["foreman_a"])})
    with app.app_context():
        assert db.session.get(ProjectManager, (world.project_b, world.users["foreman_a"])) is None
