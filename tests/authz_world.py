"""A world in which project B has real objects, for the authorization matrix (tests/test_authorization.py).

Project B (county 370321, employer B) gets three roster entries, a crew, a QR link, a contract signed by both
parties (B1), an amendment of it waiting for the company seal (B2), a contract waiting for its worker (B3) and a
notice of rescission of B1 that employer B has sealed and served (B4),
with their PDFs, page previews, signing and sealing links, an identity check (a lost phone reported to foreman B,
with the cancel link texted to the registered phone), a payroll import of 2026-10 (a wage sheet with 赵六 and 钱七,
so ``payroll_import_b``), evidence-log entries and a published tree head. Project A (county 370322, employer A)
gets what its outsiders need to act as themselves: a worker with a contract to sign (A1, so a live signing link and
a portal login) and a contract waiting for employer A's seal (A2, so a live sealing link).

Signing costs seconds, so the world is built once per module and copied row by row (``snapshot``/``restore``):
the suite's autouse fixture empties every table after each test, and each test puts the copy back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import START
from tests.factories import PASSWORD, World, build_world, create_finding, create_user, enrol_directly, id_number, latest_code
from tests.journeys.conftest import confirm_code, default_placement, link_in_sms, offer, worker_ready
from wage_guard import boundary, clock
from wage_guard.accounts.models import Role, User
from wage_guard.contracts import endings
from wage_guard.contracts import services as contracts
from wage_guard.contracts.lifecycle import Kind
from wage_guard.contracts.models import Contract
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db, limiter
from wage_guard.ledger import services as ledger
from wage_guard.ledger.models import LedgerEntry
from wage_guard.ledger.services import forget_cached_nodes
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Employer, Project
from wage_guard.signing import ca_setup as signing

#: The world is built two hours before the tests' frozen clock, so every code cool-down has passed by then.
BUILD_TIME = START - timedelta(hours=2)
ADDRESS = "山东省淄博市桓台县索镇工业街9号"

#: name -> (first 17 digits of the ID number, phone); 赵六 is ``World.enrollment_b``.
WORKERS_A = {"李四": ("37032219850315123", "+8613812345678"), "王五": ("37032219900101002", "+8613812345679")}
WORKER_B = ("赵六", "+8613700000001")
WORKER_B2 = ("钱七", "37032119900202003", "+8613700000002")
#: A worker of B who reported a lost phone to foreman B: an identity check (phone change) on project B.
WORKER_B3 = ("周九", "37032119850505004", "+8613700000003", "+8613700000009")
#: A foreman of employer B who does not manage project B (same employer, no assignment).
FOREMAN_B2 = ("foreman_b2", "+8613900000010")
STAFF_PHONES = {"employer_a": "+8613900000004", "employer_b": "+8613900000005"}


@dataclass
class ObjectWorld:
    base: World
    #: Project B's contracts: ``signed`` (in force), ``amendment`` (awaiting the seal), ``pending`` (awaiting the worker),
    #: ``notice`` (served to B1's worker, not in effect yet).
    contracts_b: dict[str, int]
    contract_numbers_b: list[str]
    enrollments_b: list[int]
    crew_b: int
    #: Live bearer tokens: B's worker link (B3) and sealing link (B2); A's worker link (A1) and sealing link (A2).
    sign_token_b: str
    seal_token_b: str
    sign_token_a: str
    seal_token_a: str
    contracts_a: dict[str, int]
    enrollments_a: dict[str, int]
    #: An identity check on B (周九's phone change) and the cancel link texted to his registered phone.
    check_b: int
    cancel_token_b: str
    #: Employer B's staff accounts (objects of the account pages).
    staff_b: list[int]
    #: Entries in the evidence log (each is public JSON: none may show B's data).
    log_entries: int
    #: Project B's wage sheet for 2026-10 (a ``PayrollImport`` id).
    payroll_import_b: int
    #: Text that only someone entitled to project B may see.
    markers_b: list[str] = field(default_factory=list)
    #: B's wage confirmations (a month's payroll: 赵六 and 钱七 texted, 周九 held by his phone change), the link
    #: texted to 赵六, and a complaint 赵六 filed in the portal.
    confirmations_b: list[int] = field(default_factory=list)
    confirm_token_b: str = ""
    complaints_b: list[int] = field(default_factory=list)
    #: The batches B's contracts were issued in (each with its issuing and sealing runs).
    batches_b: list[int] = field(default_factory=list)
    #: A red risk flag on project B (county B).
    findings_b: list[int] = field(default_factory=list)


def build_object_world(app: Flask) -> ObjectWorld:
    """Build everything through the real services and the HTTP signing journeys (about four signatures)."""
    from tests.contracts.support import require_font, require_tool

    require_font()
    require_tool("pdftotext")
    with app.app_context():
        base = build_world()
        signing.init_authority(now=clock.utcnow())
        for name in ("employer_a", "employer_b"):
            user = db.session.get(User, base.users[name])
            assert user is not None
            user.can_seal = True
        employer_b = db.session.get(Employer, base.employer_b)
        assert employer_b is not None
        foreman_b2 = create_user(FOREMAN_B2[0], Role.FOREMAN, FOREMAN_B2[1], employer_b)
        base.users[FOREMAN_B2[0]] = foreman_b2.id
        project_a, project_b = db.session.get(Project, base.project_a), db.session.get(Project, base.project_b)
        assert project_a is not None
        assert project_b is not None
        entries_a = {}
        for name, (first17, phone) in WORKERS_A.items():
            entry = enrol_directly(project_a, name, id_number(first17), phone)
            entry.worker.address = "山东省淄博市高青县田镇街道青城路1号"
            entries_a[name] = entry.id
        entry_b = db.session.get(Enrollment, base.enrollment_b)
        assert entry_b is not None
        entry_b.worker.address = ADDRESS
        entry_b2 = enrol_directly(project_b, WORKER_B2[0], id_number(WORKER_B2[1]), WORKER_B2[2])
        entry_b2.worker.address = ADDRESS
        crew = organisations.add_crew(project_b, name="钢筋一班", leader_name="孙班长")
        entry_b2.crew_id = crew.id
        entry_b3 = enrol_directly(project_b, WORKER_B3[0], id_number(WORKER_B3[1]), WORKER_B3[2])
        boundary.commit()
        enrollments_b, crew_b = [entry_b.id, entry_b2.id, entry_b3.id], crew.id
    check_b = _lost_phone(app, base, entry_b3.id)
    cancel_token_b = link_in_sms(app, WORKER_B3[2], "/id/")

    # Project B: B1 and B3 in one batch, sealed by employer B; B1 signed by 赵六; then an amendment B2 of B1.
    b1, b3 = _issue(app, base, "foreman_b", base.project_b, enrollments_b[:2], work_place="桓台县索镇工地")
    _seal(app, link_in_sms(app, STAFF_PHONES["employer_b"], "/seal/"), STAFF_PHONES["employer_b"])
    _sign(app, link_in_sms(app, WORKER_B[1], "/s/"), WORKER_B[1])
    sign_token_b = link_in_sms(app, WORKER_B2[2], "/s/")
    # B4: a notice of rescission of B1 (Art. 40, in 30 days) sealed by employer B: served to 赵六, not in effect yet.
    with app.test_request_context():
        foreman = db.session.get(User, base.users["foreman_b"])
        signed = db.session.get(Contract, b1)
        assert foreman is not None
        assert signed is not None
        effective = clock.china_date(clock.utcnow()) + timedelta(days=30)
        request = endings.NoticeRequest(ground="40.2", effective_date=effective, reason="经培训仍不能胜任钢筋绑扎工作")
        b4 = endings.issue_notice(foreman, signed, request, now=clock.utcnow()).id
        boundary.commit()
    clock.freeze(clock.utcnow() + timedelta(seconds=61))  # employer B's next code
    _seal(app, link_in_sms(app, STAFF_PHONES["employer_b"], "/seal/"), STAFF_PHONES["employer_b"])
    with app.test_request_context():
        foreman = db.session.get(User, base.users["foreman_b"])
        signed = db.session.get(Contract, b1)
        assert foreman is not None
        assert signed is not None
        amendment = contracts.change_contract(
            foreman, signed, Kind.AMENDMENT, offer(work_place="桓台县索镇工地", pay_amount=Decimal("380")), now=clock.utcnow()
        )
        b2 = amendment.id
        boundary.commit()
    seal_token_b = link_in_sms(app, STAFF_PHONES["employer_b"], "/seal/")

    # Project A: A1 sealed and waiting for 李四; A2 waiting for employer A's seal.
    [a1] = _issue(app, base, "foreman_a", base.project_a, [entries_a["李四"]])
    _seal(app, link_in_sms(app, STAFF_PHONES["employer_a"], "/seal/"), STAFF_PHONES["employer_a"])
    sign_token_a = link_in_sms(app, WORKERS_A["李四"][1], "/s/")
    [a2] = _issue(app, base, "foreman_a", base.project_a, [entries_a["王五"]])
    seal_token_a = link_in_sms(app, STAFF_PHONES["employer_a"], "/seal/")
    payroll_import_b = _import_payroll(app, base)

    confirmations_b, complaints_b = _payroll_b(app, base, enrollments_b)
    confirm_token_b = _wage_link(app, WORKER_B[1])
    _bank_results_b(app, base)

    with app.app_context():
        numbers = [db.session.get(Contract, i).number for i in (b1, b2, b3, b4)]  # type: ignore[union-attr]
        batches_b = sorted({db.session.get(Contract, i).batch_id for i in (b1, b2, b3, b4)})  # type: ignore[union-attr]
        findings_b = [create_finding(db.session.get(Project, base.project_b))]  # type: ignore[arg-type]
        log_entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) or 0
        ledger.publish_tree_head(now=clock.utcnow())  # so /log/entries/<seq> proves every entry
        for contract_id in (b1, b2, b3, b4):  # the page previews, as the signing pages would have rendered them
            contract = db.session.get(Contract, contract_id)
            assert contract is not None
            contracts.page_previews(contract.current_document)
        boundary.commit()
    markers = [
        "桓台县项目B",
        WORKER_B[0],
        WORKER_B2[0],
        WORKER_B3[0],
        id_number("37032119800101123"),
        id_number(WORKER_B2[1]),
        "桓台县索镇",
        "钢筋一班",
        *numbers,
    ]
    world = ObjectWorld(
        base=base,
        contracts_b={"signed": b1, "amendment": b2, "pending": b3, "notice": b4},
        contract_numbers_b=numbers,
        enrollments_b=enrollments_b,
        crew_b=crew_b,
        sign_token_b=sign_token_b,
        seal_token_b=seal_token_b,
        sign_token_a=sign_token_a,
        seal_token_a=seal_token_a,
        contracts_a={"pending": a1, "unsealed": a2},
        enrollments_a=entries_a,
        check_b=check_b,
        cancel_token_b=cancel_token_b,
        staff_b=[base.users[name] for name in ("foreman_b", "employer_b", FOREMAN_B2[0])],
        log_entries=log_entries,
        payroll_import_b=payroll_import_b,
        markers_b=markers,
        batches_b=batches_b,
        findings_b=findings_b,
    )
    world.confirmations_b, world.confirm_token_b, world.complaints_b = confirmations_b, confirm_token_b, complaints_b
    return world


def _payroll_b(app: Flask, base: World, enrollment_ids: list[int]) -> tuple[list[int], list[int]]:
    """A payroll month of project B through the after-import hook, and a complaint filed in the portal."""
    from tests.confirmations.support import Row, import_month
    from wage_guard.codes.services import Requester
    from wage_guard.complaints import services as complaints
    from wage_guard.confirmations.models import WageConfirmation

    with app.app_context():
        import_month(base.project_b, [Row(i) for i in enrollment_ids])
        entry = db.session.get(Enrollment, enrollment_ids[0])
        assert entry is not None
        form = complaints.ComplaintForm(months="2026-10", amount="4500", note="十月工资未发")
        complaint = complaints.file_from_portal(entry.worker, base.project_b, form, now=clock.utcnow(), requester=Requester())
        ids = list(db.session.scalars(sa.select(WageConfirmation.id).order_by(WageConfirmation.id)))
        boundary.commit()
        return ids, [complaint.id]


def _wage_link(app: Flask, phone: str) -> str:
    from tests.confirmations.support import link_token

    return link_token(app, phone)


def _import_payroll(app: Flask, base: World) -> int:
    """Foreman B imports project B's wage sheet for 2026-10 (the shared test file builders)."""
    from tests.payroll import files

    rows = files.sheet(
        [
            files.wage_line("赵六", id_no=id_number("37032119800101123")),
            files.wage_line(WORKER_B2[0], number=2, id_no=id_number(WORKER_B2[1])),
        ]
    )
    with app.test_request_context():
        from wage_guard.payroll import services as payroll

        foreman, project = db.session.get(User, base.users["foreman_b"]), db.session.get(Project, base.project_b)
        assert project is not None
        month = payroll.parse_month("2026-10")
        imported = payroll.import_payroll(
            foreman, project, month, "工资表.xlsx", files.xlsx(rows), source="upload", now=clock.utcnow()
        )
        boundary.commit()
        return imported.id


def _bank_results_b(app: Flask, base: World) -> None:
    """Foreman B imports the bank's transfer results (代发回单) of 2026-10, so the wage ledger shows them."""
    from tests.payroll.bank_support import BANK_HEADER

    rows = [BANK_HEADER, [1, "赵六", "6222021234566789", "4800.00", "成功", "2026-11-15"]]
    with app.test_request_context():
        from tests.payroll.files import csv_bytes
        from wage_guard.payroll import bank
        from wage_guard.payroll import services as payroll

        foreman, project = db.session.get(User, base.users["foreman_b"]), db.session.get(Project, base.project_b)
        assert project is not None
        month = payroll.parse_month("2026-10")
        bank.import_bank_results(foreman, project, month, "代发回单.csv", csv_bytes(rows), source="upload", now=clock.utcnow())
        boundary.commit()


def _lost_phone(app: Flask, base: World, enrollment_id: int) -> int:
    """Foreman B reports 周九's lost phone and enters the code from the new one, as on the site (HTTP)."""
    client = app.test_client()
    login_staff(client, "foreman_b", "+8613900000003")
    url = f"/projects/{base.project_b}/identity/{enrollment_id}/lost-phone"
    response = client.post(url, data={"phone": WORKER_B3[3].removeprefix("+86")})
    assert response.status_code == 302, response.get_data(as_text=True)
    check_url = response.headers["Location"]
    response = client.post(f"{check_url.rstrip('/')}/code", data={"code": latest_code(app, WORKER_B3[3])})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(check_url.rstrip("/").rsplit("/", 1)[1])


def _issue(app: Flask, base: World, username: str, project_id: int, enrollment_ids: list[int], **changes: Any) -> list[int]:
    with app.test_request_context():
        foreman = db.session.get(User, base.users[username])
        project = db.session.get(Project, project_id)
        assert foreman is not None
        assert project is not None
        batch = contracts.issue_contracts(foreman, project, enrollment_ids, offer(**changes), now=clock.utcnow())
        ids = [c.id for c in batch.contracts]
        boundary.commit()
    return ids


def _seal(app: Flask, token: str, phone: str) -> None:
    client = app.test_client()
    confirm_code(client, app, f"/seal/{token}", phone)
    page = client.get(f"/seal/{token}/seal")
    assert page.status_code == 200, page.get_data(as_text=True)
    response = client.post(f"/seal/{token}/seal", data=default_placement(page.get_data(as_text=True)))
    assert response.status_code == 200, response.get_data(as_text=True)


def _sign(app: Flask, token: str, phone: str) -> None:
    client = app.test_client()
    html = worker_ready(client, app, token, phone)
    response = client.post(f"/s/{token}/sign", data=default_placement(html))
    assert response.status_code == 302, response.get_data(as_text=True)


Snapshot = dict[str, list[dict[str, Any]]]


def snapshot(app: Flask) -> Snapshot:
    """Every row of every table, in primary-key order."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                dict(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
            ]
            for table in db.metadata.sorted_tables
        }


def restore(app: Flask, rows: Snapshot) -> None:
    """Put a snapshot back into empty tables (parents first)."""
    with app.app_context(), db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if rows.get(table.name):
                connection.execute(table.insert(), rows[table.name])


def wipe(app: Flask) -> None:
    forget_cached_nodes()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(sa.delete(table))


def build_once(app: Flask) -> tuple[ObjectWorld, Snapshot]:
    """Build the world at ``BUILD_TIME``, copy it, and leave the database empty again for the suite's fixtures."""
    clock.freeze(BUILD_TIME)
    limiter.enabled = False
    limiter.reset()
    try:
        world = build_object_world(app)
        return world, snapshot(app)
    finally:
        clock.freeze(None)
        wipe(app)


def login_staff(client: FlaskClient, username: str, phone: str) -> None:
    """Log in through both factors (like ``tests.factories.login``, for accounts outside its table)."""
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/login/verify", data={"code": latest_code(client.application, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)


def portal_login(client: FlaskClient, phone: str) -> None:
    """Log into the worker portal at /me/ with the SMS code, like a worker."""
    assert client.post("/me/", data={"phone": phone.removeprefix("+86")}).status_code == 302
    response = client.post("/me/verify", data={"code": latest_code(client.application, phone)})
    assert response.status_code == 302, response.get_data(as_text=True)


def signing_session(client: FlaskClient, token: str, phone: str, *, party: str = "worker") -> None:
    """Confirm the code for a signing (``/s/``) or sealing (``/seal/``) link in this browser."""
    prefix = "/s/" if party == "worker" else "/seal/"
    confirm_code(client, client.application, f"{prefix}{token}", phone)
    if party == "worker":
        assert client.post(f"/s/{token}/notice").status_code == 302
