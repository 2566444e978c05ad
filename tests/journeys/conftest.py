"""A signing world: the platform CA, an employer signatory, and workers with addresses on project A."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import STAFF, World, enrol_directly, id_number, latest_code
from wage_guard import boundary, clock
from wage_guard.accounts.models import User
from wage_guard.contracts import rules, terms
from wage_guard.contracts import services as contracts
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.signing import ca_setup as signing

SIGNATORY_PHONE = STAFF["employer_a"][1]
#: The issue (and change) form's offer fields: task-based, daily pay; callers add the workers or the kind of change.
OFFER_FORM = {
    "term_type": "task",
    "start_date": "2026-11-02",
    "task_description": "主体结构完成",
    "job_title": "钢筋工",
    "work_place": "工地",
    "pay_form": "daily",
    "pay_amount": "350",
    "probation_months": "0",
}
#: The issue form as a foreman submits it on project A, who confirms that no minimum wage is known for 高青县.
ISSUE_FORM = {**OFFER_FORM, "confirm_minimum_wage": "y"}
WORKERS = {"李四": ("37032219850315123", "+8613812345678"), "王五": ("37032219900101002", "+8613812345679")}


@dataclass
class SigningWorld:
    base: World
    enrollments: dict[str, int]


def offer(**changes: object) -> contracts.ContractOffer:
    base = contracts.ContractOffer(
        term_type=terms.TermType.TASK,
        start_date=date(2026, 11, 2),
        job_title="钢筋工",
        work_place="高青县芦湖街道工地",
        pay_form=terms.PayForm.DAILY,
        pay_amount=Decimal("350"),
        task_description="3号楼主体结构钢筋绑扎完成",
        # The seed data knows no minimum wage for 高青县 or 桓台县: the foreman confirms that warning.
        confirmed=frozenset({rules.MINIMUM_WAGE_UNKNOWN}),
    )
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def make_signing_world(app: Flask, world: World) -> SigningWorld:
    """Set up the CA and an authorised signatory, and put two workers with addresses on project A.

    Contracts need the Debian font and PDF tools: without them the test skips loudly (and fails under CI=true).
    """
    from tests.contracts.support import require_font, require_tool

    require_font()
    require_tool("pdftotext")
    with app.app_context():
        signing.init_authority(now=clock.utcnow())
        signatory = db.session.get(User, world.users["employer_a"])
        assert signatory is not None
        signatory.can_seal = True
        project = db.session.get(Project, world.project_a)
        assert project is not None
        enrollments = {}
        for name, (first17, phone) in WORKERS.items():
            entry = enrol_directly(project, name, id_number(first17), phone)
            entry.worker.address = "山东省淄博市高青县田镇街道青城路1号"
            enrollments[name] = entry.id
        boundary.commit()
    return SigningWorld(world, enrollments)


def issue(app: Flask, sw: SigningWorld, names: list[str], **changes: object) -> list[int]:
    """Issue contracts through the service as foreman A; returns their ids."""
    with app.test_request_context():
        foreman = db.session.get(User, sw.base.users["foreman_a"])
        project = db.session.get(Project, sw.base.project_a)
        assert foreman is not None
        assert project is not None
        batch = contracts.issue_contracts(
            foreman, project, [sw.enrollments[n] for n in names], offer(**changes), now=clock.utcnow()
        )
        ids = [c.id for c in batch.contracts]
        boundary.commit()
    return ids


def link_in_sms(app: Flask, phone: str, prefix: str) -> str:
    """The token of the newest signing link texted to ``phone`` (``/s/`` for workers, ``/seal/`` for employers)."""
    from wage_guard.sms.models import OutboundSms

    with app.app_context():
        for message in db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id.desc())):
            match = re.search(rf"{re.escape(prefix)}([A-Za-z0-9_-]+)", message.body or "")
            if message.recipient == phone and match:
                return match.group(1)
    raise AssertionError(f"no {prefix} link was texted to this phone")


def confirm_code(client: FlaskClient, app: Flask, path: str, phone: str) -> None:
    assert client.post(f"{path}/code").status_code == 302
    response = client.post(f"{path}/verify", data={"code": latest_code(app, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)


def seal_batch(client: FlaskClient, app: Flask, token: str, **placement: float) -> None:
    """The employer's whole journey: code, then drop the seal (default: the usual place on the last page)."""
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    page = client.get(f"/seal/{token}/seal")
    assert page.status_code == 200
    data = placement or default_placement(page.get_data(as_text=True))
    response = client.post(f"/seal/{token}/seal", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)


def default_placement(html: str) -> dict[str, float]:
    """What the "usual position" button would submit, read from the page like the script does."""
    button = re.search(r'data-default-position data-page="(\d+)" data-fx="([\d.]+)" data-fy="([\d.]+)"', html)
    fraction = re.search(r'data-fraction="([\d.]+)"', html)
    assert button
    assert fraction
    fw = float(fraction.group(1))
    return {
        "page": int(button.group(1)),
        "fx": float(button.group(2)),
        "fy": float(button.group(3)),
        "fw": fw,
        "fh": fw * 210 / 297,
    }


def worker_ready(client: FlaskClient, app: Flask, token: str, phone: str) -> str:
    """Code confirmed and notice acknowledged; returns the signing page's HTML."""
    confirm_code(client, app, f"/s/{token}", phone)
    assert client.post(f"/s/{token}/notice").status_code == 302
    assert client.get(f"/s/{token}/terms").status_code == 200
    page = client.get(f"/s/{token}/sign")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def contract_state(app: Flask, contract_id: int) -> tuple[str, int]:
    from wage_guard.contracts.models import Contract

    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        return contract.status.value, len(contract.documents)


def sealed_for_worker(app: Flask, world: World, name: str = "李四") -> str:
    """A signing world with ``name``'s contract issued and sealed; returns the token of the link texted to them."""
    sw = make_signing_world(app, world)
    issue(app, sw, [name])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    return link_in_sms(app, WORKERS[name][1], "/s/")


def complete_long_term(app: Flask) -> object:
    """What the scheduler does right after a signing request: add the long-term validation data (B-LTA)."""
    from jobs.runner import run_job
    from jobs.signing import complete_long_term as job

    return run_job(app, job)


def final_pdf(app: Flask, contract_id: int) -> bytes:
    """The contract's final stored version, once the scheduler has completed it to B-LTA."""
    from wage_guard.contracts.models import Contract

    complete_long_term(app)
    with app.app_context():
        contract = db.session.scalars(sa.select(Contract).where(Contract.id == contract_id)).one()
        return contract.current_document.pdf
