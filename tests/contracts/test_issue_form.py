"""The foreman's issue form and the law's lifecycle rules behind it, over HTTP: the minimum wage of the start date,
a missing minimum wage (warning, confirmation, data-quality note), the backdated start, probation only once per
employer (new project and renewal), the worker's age (under 16, minor worker, retirement), the workers offered, and
the fields shown for each term type."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import create_project, enrol_directly, id_number, login
from tests.journeys.conftest import SigningWorld, issue, offer
from wage_guard import boundary, clock
from wage_guard.accounts.models import User
from wage_guard.contracts import services as contracts
from wage_guard.contracts import terms
from wage_guard.contracts.defaults import MINOR_WORKER_CLAUSE
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract, ContractEvent
from wage_guard.enrollment.models import Enrollment
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Employer, Project

FORM = {
    "term_type": "task",
    "start_date": "2026-11-02",  # the frozen clock's day in China
    "task_description": "3号楼主体结构钢筋绑扎完成",
    "job_title": "钢筋工",
    "work_place": "高青县芦湖街道工地",
    "pay_form": "daily",
    "pay_amount": "350",
    "probation_months": "0",
}


@pytest.fixture
def foreman(app: Flask, signing_world: SigningWorld) -> FlaskClient:
    client = app.test_client()
    login(client, "foreman_a")
    return client


def post(client: FlaskClient, sw: SigningWorld, entries: list[int], **fields: str) -> Any:
    data = {**FORM, **fields, "enrollment_ids": [str(e) for e in entries]}
    return client.post(f"/projects/{sw.base.project_a}/contracts/new?lang=en", data=data)


def minimum_wage(app: Flask, monthly: str, since: date, county: str = "370322") -> None:
    with app.app_context():
        organisations.add_minimum_wage(
            organisations.get_county(county),
            tier="test",
            monthly=Decimal(monthly),
            hourly=Decimal(monthly) / 174,
            effective_from=since,
            source="test",
        )
        boundary.commit()


def add_worker(app: Flask, sw: SigningWorld, birth: date, *, male: bool = True, project_id: int | None = None) -> int:
    """Enrol a worker born on ``birth`` on project A (or another project), with an address."""
    first17 = "370322" + birth.strftime("%Y%m%d") + ("135" if male else "246")
    with app.app_context():
        project = db.session.get(Project, project_id or sw.base.project_a)
        assert project is not None
        phone = f"+86139{birth.strftime('%y%m%d')}{'1' if male else '2'}0"
        entry = enrol_directly(project, "测试工", id_number(first17), phone)
        entry.worker.address = "山东省淄博市高青县田镇街道青城路2号"
        boundary.commit()
        return entry.id


def contracts_of(app: Flask, entry: int) -> list[Contract]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Contract).where(Contract.enrollment_id == entry).order_by(Contract.id)))
        for contract in found:
            db.session.expunge(contract)
        return found


def stored_terms(app: Flask, contract_id: int) -> terms.ContractTerms:
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        return contracts.contract_terms(contract)


# --- the minimum wage ---------------------------------------------------------------------------------------------


def test_unknown_minimum_wage_is_confirmed_and_leaves_a_note(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient
) -> None:
    li = signing_world.enrollments["李四"]
    page = post(foreman, signing_world, [li])
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "No minimum wage is known for the site&#39;s county on the start date 2026-11-02" in html
    assert 'name="confirm_minimum_wage"' in html
    assert 'data-rule="C15"' in html
    assert contracts_of(app, li) == []

    assert post(foreman, signing_world, [li], confirm_minimum_wage="y").status_code == 302
    [contract] = contracts_of(app, li)
    assert contract.data_quality == {
        "R02": {"outcome": "inconclusive", "reason": "minimum_wage_unknown", "county": "370322", "start_date": "2026-11-02"}
    }
    with app.app_context():
        issued = db.session.scalars(sa.select(ContractEvent).where(ContractEvent.kind == "issued")).one()
        assert issued.details["confirmed_warnings"] == ["C15"]
    detail = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/{contract.id}").get_data(as_text=True)
    assert 'data-quality="R02"' in detail  # the foreman's contract page carries the note


def test_the_minimum_wage_of_the_start_date_applies(app: Flask, signing_world: SigningWorld, foreman: FlaskClient) -> None:
    minimum_wage(app, "2000", date(2025, 10, 1))
    minimum_wage(app, "2600", date(2027, 1, 1))  # a rise between the issue date and a later start
    li, wang = signing_world.enrollments["李四"], signing_world.enrollments["王五"]
    monthly = {"pay_form": "monthly", "pay_amount": "2300"}
    refused = post(foreman, signing_world, [li], start_date="2027-01-04", **monthly)
    assert refused.status_code == 422
    assert "below the local minimum wage of 2,600.00 yuan" in refused.get_data(as_text=True)
    assert post(foreman, signing_world, [wang], start_date="2026-12-31", **monthly).status_code == 302
    [contract] = contracts_of(app, wang)
    assert contract.data_quality is None
    detail = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/{contract.id}").get_data(as_text=True)
    assert "data-quality" not in detail


def test_the_form_shows_the_minimum_wage_it_will_use(app: Flask, signing_world: SigningWorld, foreman: FlaskClient) -> None:
    url = f"/projects/{signing_world.base.project_a}/contracts/new?lang=en"
    assert "No minimum wage is known for 高青县" in foreman.get(url).get_data(as_text=True)
    minimum_wage(app, "2020", date(2025, 10, 1))
    assert "2020.00 yuan a month (in force from 2025-10-01)" in foreman.get(url).get_data(as_text=True)


# --- the backdated start ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "warned"), [("2026-10-02", False), ("2026-10-01", True)])
def test_a_start_more_than_a_month_back_is_confirmed(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient, start: str, warned: bool
) -> None:
    minimum_wage(app, "2020", date(2025, 10, 1))
    li = signing_world.enrollments["李四"]
    first = post(foreman, signing_world, [li], start_date=start)
    assert first.status_code == (422 if warned else 302)
    if warned:
        html = first.get_data(as_text=True)
        assert "《劳动合同法》第八十二条" in html
        assert 'name="confirm_backdated"' in html
        assert post(foreman, signing_world, [li], start_date=start, confirm_backdated="y").status_code == 302
    assert len(contracts_of(app, li)) == 1


def test_each_warning_keeps_its_own_checkbox(app: Flask, signing_world: SigningWorld, foreman: FlaskClient) -> None:
    li = signing_world.enrollments["李四"]
    half = post(foreman, signing_world, [li], start_date="2026-09-01", confirm_backdated="y")
    html = half.get_data(as_text=True)
    assert half.status_code == 422
    assert 'data-rule="C14"' in html
    assert 'data-rule="C15"' in html
    both = post(foreman, signing_world, [li], start_date="2026-09-01", confirm_backdated="y", confirm_minimum_wage="y")
    assert both.status_code == 302


# --- probation only once per employer -------------------------------------------------------------------------


def _in_force(app: Flask, sw: SigningWorld, name: str) -> int:
    [contract_id] = issue(app, sw, [name])
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        contract.status = Status.IN_FORCE  # signed by both (the signing journey is tested in tests/journeys)
        boundary.commit()
    return contract_id


def _second_project(app: Flask, sw: SigningWorld, name: str) -> int:
    """Put the worker on a second project of the same employer; returns the new roster entry."""
    with app.app_context():
        foreman = db.session.get(User, sw.base.users["foreman_a"])
        employer = db.session.get(Employer, sw.base.employer_a)
        assert foreman is not None
        assert employer is not None
        project = create_project(foreman, employer, "370322", "高青县项目C")
        first = db.session.get(Enrollment, sw.enrollments[name])
        assert first is not None
        entry = Enrollment(
            project_id=project.id, worker=first.worker, trade="general", entry_date=clock.china_date(clock.utcnow())
        )
        db.session.add(entry)
        boundary.commit()
        return entry.id


FIXED_YEAR = {"term_type": "fixed", "end_date": "2027-11-01", "task_description": "", "confirm_minimum_wage": "y"}


def test_probation_once_per_employer_across_projects(app: Flask, signing_world: SigningWorld, foreman: FlaskClient) -> None:
    _in_force(app, signing_world, "李四")
    entry = _second_project(app, signing_world, "李四")
    with app.app_context():
        project_c = db.session.get(Enrollment, entry).project_id  # type: ignore[union-attr]
    url = f"/projects/{project_c}/contracts/new?lang=en"
    data = {**FORM, **FIXED_YEAR, "enrollment_ids": [str(entry)]}
    refused = foreman.post(url, data={**data, "probation_months": "1"})
    assert refused.status_code == 422
    assert "《劳动合同法》第十九条第二款" in refused.get_data(as_text=True)
    assert foreman.post(url, data=data).status_code == 302


def test_probation_allowed_when_the_earlier_contract_was_never_concluded(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient
) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    with app.test_request_context():
        actor = db.session.get(User, signing_world.base.users["foreman_a"])
        contracts.withdraw(actor, db.session.get(Contract, contract_id), now=clock.utcnow())  # type: ignore[arg-type]
        boundary.commit()
    li = signing_world.enrollments["李四"]
    assert post(foreman, signing_world, [li], probation_months="1", **FIXED_YEAR).status_code == 302


@pytest.mark.parametrize("kind", [Kind.RENEWAL, Kind.AMENDMENT])
def test_a_renewal_or_amendment_cannot_add_probation(app: Flask, signing_world: SigningWorld, kind: Kind) -> None:
    original = _in_force(app, signing_world, "李四")
    fixed = offer(term_type=terms.TermType.FIXED, end_date=date(2027, 11, 1), task_description="", probation_months=1)
    with app.test_request_context():
        actor = db.session.get(User, signing_world.base.users["foreman_a"])
        contract = db.session.get(Contract, original)
        assert actor is not None
        assert contract is not None
        with pytest.raises(ValidationFailed, match="第十九条第二款"):
            contracts.change_contract(actor, contract, kind, fixed, now=clock.utcnow())
        boundary.rollback()


# --- the worker's age ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "status"), [("2026-11-02", 422), ("2026-11-03", 302)])
def test_sixteenth_birthday_through_the_form(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient, start: str, status: int
) -> None:
    entry = add_worker(app, signing_world, date(2010, 11, 3))  # 16 on 2026-11-03
    response = post(foreman, signing_world, [entry], start_date=start, confirm_minimum_wage="y")
    assert response.status_code == status
    if status == 422:
        assert "under 16" in response.get_data(as_text=True)


def test_a_minor_worker_is_marked_and_the_contract_restricts_the_work(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient
) -> None:
    entry = add_worker(app, signing_world, date(2009, 5, 1))  # 17
    page = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/new?lang=en").get_data(as_text=True)
    assert 'data-age="minor"' in page
    assert post(foreman, signing_world, [entry], confirm_minimum_wage="y").status_code == 302
    [contract] = contracts_of(app, entry)
    assert stored_terms(app, contract.id).other_terms.startswith(MINOR_WORKER_CLAUSE)
    detail = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/{contract.id}").get_data(as_text=True)
    assert 'data-age="minor"' in detail


@pytest.mark.parametrize(
    ("birth", "male", "status"),
    [
        (date(1966, 3, 10), True, 422),  # a man born 1966-03 retires at 60 and 4 months: 2026-07-10
        (date(1966, 11, 10), True, 302),  # 60 and 6 months: 2027-05-10
        (date(1976, 5, 1), False, 302),  # a woman worker born 1976-05 retires at 50 and 9 months: 2027-02-01
        (date(1976, 1, 1), False, 422),  # 50 and 7 months: 2026-08-01
    ],
)
def test_retirement_age_through_the_form(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient, birth: date, male: bool, status: int
) -> None:
    entry = add_worker(app, signing_world, birth, male=male)
    page = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/new?lang=en").get_data(as_text=True)
    assert ('data-age="retired"' in page) == (status == 422)
    response = post(foreman, signing_world, [entry], confirm_minimum_wage="y")
    assert response.status_code == status
    if status == 422:
        assert "labour-service agreement" in response.get_data(as_text=True)
        assert contracts_of(app, entry) == []


# --- the form itself -----------------------------------------------------------------------------------------------


def test_only_workers_without_a_contract_in_force_or_being_signed_are_offered(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient
) -> None:
    li, wang = signing_world.enrollments["李四"], signing_world.enrollments["王五"]
    url = f"/projects/{signing_world.base.project_a}/contracts/new?lang=en"
    before = foreman.get(url).get_data(as_text=True)
    assert f'value="{li}"' in before
    assert f'value="{wang}"' in before
    [contract_id] = issue(app, signing_world, ["李四"])
    after = foreman.get(url).get_data(as_text=True)
    assert f'value="{li}"' not in after
    assert f'value="{wang}"' in after
    with app.test_request_context():
        actor = db.session.get(User, signing_world.base.users["foreman_a"])
        contracts.withdraw(actor, db.session.get(Contract, contract_id), now=clock.utcnow())  # type: ignore[arg-type]
        boundary.commit()
    assert f'value="{li}"' in foreman.get(url).get_data(as_text=True)


def test_term_type_fields_are_marked_for_the_script(app: Flask, signing_world: SigningWorld, foreman: FlaskClient) -> None:
    html = foreman.get(f"/projects/{signing_world.base.project_a}/contracts/new").get_data(as_text=True)
    assert "data-term-fields" in html
    assert "js/offer.js" in html
    assert re.search(r'<div data-shows-for="fixed">\s*<div class="field">\s*<label for="end_date"', html)
    assert re.search(r'<div data-shows-for="task">\s*<div class="field">\s*<label for="task_description"', html)
    script = foreman.get("/static/js/offer.js")
    assert script.status_code == 200
    assert b"data-shows-for" in script.data
    script.close()


@pytest.mark.parametrize(
    ("fields", "end_date", "task"),
    [
        ({"term_type": "task", "end_date": "2027-11-01"}, None, "3号楼主体结构钢筋绑扎完成"),
        ({"term_type": "fixed", "end_date": "2027-11-01"}, date(2027, 11, 1), ""),
        ({"term_type": "open_ended", "end_date": "2027-11-01"}, None, ""),
    ],
)
def test_without_javascript_the_other_term_types_fields_are_ignored(
    app: Flask, signing_world: SigningWorld, foreman: FlaskClient, fields: dict[str, str], end_date: date | None, task: str
) -> None:
    li = signing_world.enrollments["李四"]
    assert post(foreman, signing_world, [li], confirm_minimum_wage="y", **fields).status_code == 302
    [contract] = contracts_of(app, li)
    stored = stored_terms(app, contract.id)
    assert (stored.end_date, stored.task_description) == (end_date, task)
