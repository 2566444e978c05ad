"""Test data built through the real services, and helpers that act like a user (read the SMS outbox)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wage_guard import boundary, clock
from wage_guard.accounts import services as accounts
from wage_guard.accounts.models import Role, User
from wage_guard.codes.services import phone_index
from wage_guard.enrollment import links as enrollment_links
from wage_guard.enrollment import services as enrollment
from wage_guard.enrollment.identity import check_character, parse_id_number
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.organisations import services as organisations
from wage_guard.organisations.codes import uscc_check_character
from wage_guard.organisations.models import Employer, Project
from wage_guard.sms.models import OutboundSms

PASSWORD = "Correct-horse-9"


def id_number(first17: str = "37032219850315123") -> str:
    """A valid ID number for the given first 17 digits."""
    return first17 + check_character(first17)


def credit_code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@dataclass
class World:
    employer_a: int
    employer_b: int
    project_a: int
    project_b: int
    token_a: str
    token_b: str
    link_a: int
    link_b: int
    users: dict[str, int]
    enrollment_b: int


#: username -> (role, phone, employer key, area code)
STAFF = {
    "admin": (Role.ADMIN, "+8613900000001", None, None),
    "foreman_a": (Role.FOREMAN, "+8613900000002", "a", None),
    "foreman_b": (Role.FOREMAN, "+8613900000003", "b", None),
    "employer_a": (Role.EMPLOYER_ADMIN, "+8613900000004", "a", None),
    "employer_b": (Role.EMPLOYER_ADMIN, "+8613900000005", "b", None),
    "inspector_x": (Role.INSPECTOR, "+8613900000006", None, "370322"),
    "inspector_y": (Role.INSPECTOR, "+8613900000007", None, "370321"),
    "inspector_city": (Role.INSPECTOR, "+8613900000008", None, "370300"),
    "inspector_beijing": (Role.INSPECTOR, "+8613900000009", None, "110000"),
}


def create_employer(name: str, first17: str) -> Employer:
    return organisations.create_employer(
        name=name, credit_code=credit_code(first17), legal_representative="王建国", address="山东省淄博市"
    )


def create_user(username: str, role: Role, phone: str, employer: Employer | None = None, area_code: str | None = None) -> User:
    return accounts.create_user(
        username=username,
        display_name=username,
        password=PASSWORD,
        role=role,
        phone=phone,
        employer=employer,
        area_code=area_code,
    )


def create_project(foreman: User, employer: Employer, county: str, name: str) -> Project:
    return organisations.create_project(
        foreman,
        employer=employer,
        county_code=county,
        name=name,
        address="工地路1号",
        pay_day=15,
        developer_name="建设单位甲",
        general_contractor_name="总包单位乙",
        labour_officer_name="赵会计",
        labour_officer_phone="0533-1234567",
    )


def build_world() -> World:
    organisations.import_divisions()
    employers = {"a": create_employer("甲劳务公司", "91370322MA3PQ8K7X"), "b": create_employer("乙建筑公司", "91370321MA3C4R2N5")}
    users = {
        name: create_user(name, role, phone, employers.get(emp or ""), area) for name, (role, phone, emp, area) in STAFF.items()
    }
    project_a = create_project(users["foreman_a"], employers["a"], "370322", "高青县项目A")
    project_b = create_project(users["foreman_b"], employers["b"], "370321", "桓台县项目B")
    link_a = enrollment_links.issue_link(users["foreman_a"], project_a, now=clock.utcnow())
    link_b = enrollment_links.issue_link(users["foreman_b"], project_b, now=clock.utcnow())
    entry_b = enrol_directly(project_b, "赵六", id_number("37032119800101123"), "+8613700000001")
    boundary.commit()
    return World(
        employers["a"].id,
        employers["b"].id,
        project_a.id,
        project_b.id,
        link_a.token,
        link_b.token,
        link_a.id,
        link_b.id,
        {name: user.id for name, user in users.items()},
        entry_b.id,
    )


def enrol_directly(project: Project, name: str, id_no: str, phone: str) -> Enrollment:
    """Put a worker on a roster without the SMS journey (for tests about what happens afterwards)."""
    now = clock.utcnow()
    worker = Worker(
        name=name,
        id_number=id_no,
        id_number_index=enrollment.id_number_index(id_no),
        birth_date=parse_id_number(id_no, today=clock.china_date(now)).birth_date,
        phone=phone,
        phone_index=phone_index(phone),
        phone_verified_at=now,
    )
    entry = Enrollment(project_id=project.id, worker=worker, trade="general", entry_date=clock.china_date(now))
    db.session.add(entry)
    db.session.flush()
    return entry


def latest_sms(app: Flask, phone: str) -> OutboundSms:
    """The newest message to ``phone`` (decrypting each recipient, as the outbox page does)."""
    with app.app_context():
        messages = db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id.desc())).all()
        for message in messages:
            if message.recipient == phone:
                db.session.expunge(message)
                return message
    raise AssertionError("no SMS was sent to this phone")


def latest_code(app: Flask, phone: str) -> str:
    body = latest_sms(app, phone).body or ""
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
    assert match, "the latest SMS holds no code"
    return match.group(1)


def login(client: FlaskClient, username: str, *, next_url: str | None = None) -> None:
    """Log in through both factors like a person: password, then the SMS code from the outbox."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    phone = STAFF[username][1]
    code = latest_code(client.application, phone)
    response = client.post("/login/verify", data={"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)


def create_finding(project: Project, rule_code: str = "R04", severity: str = "red", *, period: str = "2026-10") -> int:
    """A risk flag as the engine stores it (the workflow tests need one without running every rule)."""
    from wage_guard.contracts.law import Outcome
    from wage_guard.risk.models import Finding, Severity

    now = clock.utcnow()
    finding = Finding(
        rule_code=rule_code,
        subject=f"project:{project.id}",
        period=period,
        county_code=project.county_code,
        project_id=project.id,
        outcome=Outcome.VIOLATION,
        severity=Severity(severity),
        evidence={"pay_day": 15, "days_late": 20},
        first_opened_at=now,
        opened_at=now,
    )
    db.session.add(finding)
    db.session.flush()
    return finding.id
