"""Erasing a worker's personal data once every period of legal.md §I has passed (issue #14 part 7), under a frozen
clock, on project B's real world: signed contracts, a wage sheet, confirmations, a complaint and a red flag.

- the project's end is recorded by its foreman (completion) and by the county's inspector alone (settlement), who is
  refused while a flag or complaint is open;
- nothing goes while the project is unsettled, even twenty years on, nor a day before the last period ends;
- on the day, the person, the contract PDFs, the names in the wage sheet and the complaint go, the amounts and the
  evidence log stay, and the log verifies; project A's workers are untouched.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from jobs.retention import erase_personal_data
from jobs.runner import run_job
from jobs.signing import complete_long_term
from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import ObjectWorld
from tests.factories import login
from wage_guard import clock
from wage_guard.accounts.models import User
from wage_guard.complaints import services as complaints
from wage_guard.complaints.models import Complaint
from wage_guard.contracts.models import Contract, ContractDocument
from wage_guard.documents.store import document_store
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.extensions import db
from wage_guard.inspector import services as inspection
from wage_guard.journeys.models import LongTermUpgrade
from wage_guard.ledger import audit, sequencer
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.retention import periods


class Staff:
    """One logged-in client per account (an account logs in once per test)."""

    def __init__(self, app: Flask) -> None:
        self.app, self.clients = app, {}  # type: ignore[var-annotated]

    def client(self, user: str) -> FlaskClient:
        if user not in self.clients:
            self.clients[user] = self.app.test_client()
            login(self.clients[user], user)
        return self.clients[user]  # type: ignore[no-any-return]

    def post(self, user: str, path: str, data: dict[str, str], lang: str = "en") -> str:
        response = self.client(user).post(f"{path}?lang={lang}", data=data, follow_redirects=True)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)


def _project(app: Flask, project_id: int) -> tuple[date | None, date | None]:
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project is not None
        return project.completed_on, project.wages_settled_on


def _close_open_matters(app: Flask, objects: ObjectWorld) -> None:
    with app.app_context():
        inspector = db.session.scalar(sa.select(User).where(User.username == "inspector_y"))
        assert inspector is not None
        for complaint_id in objects.complaints_b:
            complaint = db.session.get(Complaint, complaint_id)
            if complaint is not None and complaint.status.value == "open":
                complaints.close(inspector, complaint, "全部工资已补发。", now=clock.utcnow())
        inspection.act(
            inspector,
            objects.findings_b,
            inspection.Action.RESOLVE,
            note="已核实发放",
            reason="工资已全部补发",
            assignee_id=None,
            now=clock.utcnow(),
        )
        db.session.commit()


def test_the_foreman_records_completion_and_only_the_county_inspector_confirms_settlement(
    app: Flask, objects: ObjectWorld
) -> None:
    project, staff = objects.base.project_b, Staff(app)
    settle = f"/inspector/projects/{project}/settlement"
    today = clock.china_date(clock.utcnow())
    early = staff.post("inspector_y", settle, {"wages_settled_on": today.isoformat()})
    assert "have not recorded its completion" in early
    future = staff.post("foreman_b", f"/projects/{project}/completion", {"completed_on": (today + timedelta(days=1)).isoformat()})
    assert "cannot be in the future" in future
    assert _project(app, project) == (None, None)
    staff.post("foreman_b", f"/projects/{project}/completion", {"completed_on": (today - timedelta(days=3)).isoformat()})
    assert _project(app, project) == (today - timedelta(days=3), None)
    for outsider, status in (("employer_b", 403), ("foreman_b", 403), ("inspector_x", 404), ("admin", 403)):
        assert staff.client(outsider).post(settle, data={"wages_settled_on": today.isoformat()}).status_code == status, outsider
    refused = staff.post("inspector_y", settle, {"wages_settled_on": today.isoformat()})
    assert "open risk flags" in refused
    assert _project(app, project)[1] is None
    _close_open_matters(app, objects)
    before = staff.post("inspector_y", settle, {"wages_settled_on": (today - timedelta(days=4)).isoformat()})
    assert "between the completion date and today" in before
    done = staff.post("inspector_y", settle, {"wages_settled_on": today.isoformat()})
    assert "settlement of wages has been confirmed" in done
    assert _project(app, project) == (today - timedelta(days=3), today)
    again = staff.post("foreman_b", f"/projects/{project}/completion", {"completed_on": (today - timedelta(days=9)).isoformat()})
    assert "can no longer change" in again
    assert "已确认" in staff.post("inspector_y", settle, {"wages_settled_on": today.isoformat()}, lang="zh_Hans_CN")


def _census(app: Flask, project_id: int) -> dict[str, object]:
    with app.app_context():
        sequencer.integrate_queued()
        workers = db.session.scalars(
            sa.select(Worker).join(Enrollment).where(Enrollment.project_id == project_id).order_by(Worker.id)
        ).all()
        return {
            "names": [w.name for w in workers],
            "erased": [w.erased_at is not None for w in workers],
            "documents": db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ContractDocument)
                .join(Contract)
                .where(Contract.project_id == project_id, ContractDocument.erased_at.is_(None))
            ),
            "net": db.session.scalar(
                sa.select(sa.func.sum(PayrollLine.net)).join(PayrollImport).where(PayrollImport.project_id == project_id)
            ),
        }


def _keep_until(app: Flask, project_id: int) -> dict[int, date]:
    """Each of the project's workers: the first day their data may go."""
    with app.app_context():
        workers = db.session.scalars(sa.select(Worker).join(Enrollment).where(Enrollment.project_id == project_id)).all()
        ends = {w.id: periods.keep_until(w) for w in workers}
        assert all(end is not None for end in ends.values())
        return {w: end for w, end in ends.items() if end is not None}


def _erased(app: Flask) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Worker.id).where(Worker.erased_at.is_not(None))))


def _at(day: date) -> datetime:
    """Noon in China on ``day``."""
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=clock.as_utc(clock.utcnow()).tzinfo)


def test_personal_data_goes_the_day_every_period_has_passed_and_not_a_day_before(
    app: Flask, objects: ObjectWorld, tmp_path: Path
) -> None:
    project_b, project_a, staff = objects.base.project_b, objects.base.project_a, Staff(app)
    start = clock.utcnow()
    before_b, before_a = _census(app, project_b), _census(app, project_a)
    with app.app_context():
        signed = db.session.get(Contract, objects.contracts_b["signed"])
        assert signed is not None
        sealed = signed.documents[1].pdf  # the employer-sealed version, kept by the worker as a download
    try:
        clock.freeze(start + timedelta(days=365 * 20))
        run_job(app, erase_personal_data)
        assert _census(app, project_b) == before_b  # twenty years on, but nobody confirmed the wages settled
        clock.freeze(start)
        today = clock.china_date(start)
        staff.post("foreman_b", f"/projects/{project_b}/completion", {"completed_on": today.isoformat()})
        _close_open_matters(app, objects)
        staff.post("inspector_y", f"/inspector/projects/{project_b}/settlement", {"wages_settled_on": today.isoformat()})
        ends = _keep_until(app, project_b)
        assert min(ends.values()) > periods.years_after(today, periods.ROSTER_YEARS)
        clock.freeze(_at(min(ends.values()) - timedelta(days=1)))
        run_job(app, erase_personal_data)
        assert _census(app, project_b) == before_b  # a day short: everything stays
        for day in sorted(set(ends.values()))[:-1]:  # each worker on their own day, and not a day before
            clock.freeze(_at(day - timedelta(days=1)))
            run_job(app, erase_personal_data)
            assert _erased(app) == {w for w, end in ends.items() if end < day}
            clock.freeze(_at(day))
            run_job(app, erase_personal_data)
            assert _erased(app) == {w for w, end in ends.items() if end <= day}
        _assert_erased_on(staff, objects, _at(max(ends.values())), before_b)
        assert _census(app, project_a) == before_a
        upload = {"file": (io.BytesIO(sealed + b"\n% added later\n"), "c.pdf")}
        checked = app.test_client().post("/verify/?lang=en", data=upload, content_type="multipart/form-data")
        assert checked.status_code == 422, checked.status_code  # the report on a changed file, not 410 or 500
        assert "WG-370321-2026-" in checked.get_data(as_text=True)  # the record it matched, found by its hash
        backup = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "backup")])
        assert backup.exit_code == 0, backup.output  # the erased files are not missing files
    finally:
        clock.freeze(start)


def _assert_erased_on(staff: Staff, objects: ObjectWorld, moment: datetime, before: dict[str, object]) -> None:
    app, project_b = staff.app, objects.base.project_b
    with app.app_context():
        kept = sa.select(ContractDocument.sha256).join(Contract).where(Contract.project_id == project_b)
        keys = db.session.scalars(kept.where(ContractDocument.erased_at.is_(None))).all()
        assert keys
        assert all(document_store().contains(k) for k in keys)
    clock.freeze(moment - timedelta(days=1))
    run_job(app, erase_personal_data)
    assert not all(_census(app, project_b)["erased"])  # type: ignore[arg-type]
    clock.freeze(moment)
    run_job(app, erase_personal_data)
    after = _census(app, project_b)
    assert all(after["erased"])
    assert set(after["names"]) == {"—"}
    assert after["documents"] == 0
    assert after["net"] == before["net"]  # the wage sheet still adds up
    with app.app_context():
        assert not any(document_store().contains(k) for k in keys)
        for line in db.session.scalars(sa.select(PayrollLine).join(PayrollImport).where(PayrollImport.project_id == project_b)):
            assert (line.name, line.id_number, line.payee_name) == ("—", "", None)
        for complaint in db.session.scalars(sa.select(Complaint).where(Complaint.project_id == project_b)):
            assert (complaint.name, complaint.phone, complaint.note) == ("—", "", None)
        for worker in db.session.scalars(sa.select(Worker).where(Worker.erased_at.is_not(None))):
            assert (worker.id_number, worker.phone, worker.address) == ("", "", None)
        kinds = db.session.scalars(sa.select(LedgerEntry.kind).where(LedgerEntry.kind == "worker_data_erased")).all()
        assert len(kinds) == len(after["names"])  # type: ignore[arg-type]
        assert audit.verify_all().ok
    _an_upgrade_queued_for_an_erased_version_is_done(app, objects.contracts_b["signed"])
    client = staff.client("employer_b")  # logs in ten years on (the foreman's session of today has long ended)
    contract = objects.contracts_b["signed"]
    response = client.get(f"/projects/{project_b}/contracts/{contract}/pdf?lang=en")
    assert response.status_code == 410
    assert "the law requires it to be kept" in response.get_data(as_text=True)
    assert "法定" in client.get(f"/projects/{project_b}/contracts/{contract}/pdf?lang=zh_Hans_CN").get_data(as_text=True)
    for page in (  # the pages that show the erased people and their contracts still work
        f"/projects/{project_b}",
        f"/projects/{project_b}/contracts/",
        f"/projects/{project_b}/contracts/{contract}",
        f"/projects/{project_b}/payroll/ledger/",
    ):
        assert client.get(page).status_code in (200, 410), page
    inspector = staff.client("inspector_city")
    entries = [f"/inspector/projects/{project_b}/workers/{e}" for e in objects.enrollments_b]
    for page in (f"/inspector/projects/{project_b}", *entries):
        assert inspector.get(page).status_code == 200, page


def _an_upgrade_queued_for_an_erased_version_is_done(app: Flask, contract_id: int) -> None:
    """A B-LTA upgrade still queued when the version was erased (its TSA down for years, say) is closed, not retried."""
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        document = contract.current_document
        assert document.erased_at is not None
        db.session.execute(sa.delete(LongTermUpgrade).where(LongTermUpgrade.document_id == document.id))
        now = clock.utcnow()
        db.session.add(LongTermUpgrade(contract_id=contract.id, document_id=document.id, queued_at=now, next_attempt_at=now))
        db.session.commit()
        versions = len(contract.documents)
    run_job(app, complete_long_term)
    with app.app_context():
        row = db.session.scalar(
            sa.select(LongTermUpgrade).where(LongTermUpgrade.contract_id == contract_id).order_by(LongTermUpgrade.id.desc())
        )
        assert row is not None
        assert row.done_at is not None
        assert len(db.session.get(Contract, contract_id).documents) == versions  # type: ignore[union-attr]
