"""The issue's acceptance scenario: one county with three projects, three months of payroll with planted problems,
and a fourth project in another county that a county run must leave alone.

Run 1 must open exactly the planted findings (rule, subject, period), no more and no less. The data is then put
right as the office and the workers would (the missing month imported, wrong sheets re-imported, the bank's
corrected result, the settlement confirmed, the contract renewed, the dispute answered again on the corrected
sheet), and run 2 closes every planted finding while keeping its history; the proxy-signing suspicion (R15) is
about who typed the codes, which no later data undoes, so it stays open until the inspector deals with it. Run 3
on the same data changes nothing: same rows in every table, the evidence log included.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from tests.factories import World
from tests.payroll import files
from tests.payroll.bank_support import bank_csv
from tests.risk.people_support import Line, confirmation, settlement, sheet
from tests.risk.support import KNOWN, UNKNOWN, at, contract, enrol, events_of, finding, project_in, run, table_counts
from wage_guard.codes.models import CodeEvent, CodeEventKind
from wage_guard.confirmations.models import Answer, Status
from wage_guard.contracts.lifecycle import Kind
from wage_guard.contracts.lifecycle import Status as ContractStatus
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank
from wage_guard.payroll import services as payroll
from wage_guard.payroll.models import PayrollImport
from wage_guard.risk.models import Finding, FindingStatus
from wage_guard.risk.rules.proxy import digest

TODAY = date(2026, 5, 10)
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
#: Pay dates within the contracts' pay day (the 15th of the next month).
PAID = {JAN: date(2026, 2, 10), FEB: date(2026, 3, 10), MAR: date(2026, 4, 10)}
FULL = "7700.00"  # 22 days at 350 a day
Key = tuple[str, str, str]


def _hired(project: Project, *, exit_date: date | None = None, end: date = date(2027, 2, 28), **kw: object) -> Enrollment:
    entry = enrol(project, JAN, exit_date)
    contract(entry, start_date=JAN, end_date=end, **kw)  # type: ignore[arg-type]
    return entry


def _month(
    project: Project, month: date, *lines: Line, version: int = 1, answers: dict[int, Answer] | None = None
) -> PayrollImport:
    """The month's current sheet (superseding the previous version) and the workers' answers: received unless
    ``answers`` (by worker id) says otherwise."""
    previous = db.session.scalar(
        sa.select(PayrollImport).where(
            PayrollImport.project_id == project.id, PayrollImport.month == month, PayrollImport.superseded_at.is_(None)
        )
    )
    if previous is not None:
        previous.superseded_at = at(TODAY)
    for line in lines:
        if line.pay_date is None:
            line.pay_date = PAID[month]
    row = sheet(project, month, *lines, version=version)
    for line in row.lines:
        if line.on_roster and line.worker_id is not None:
            confirmation(line, Status.ANSWERED, (answers or {}).get(line.worker_id, Answer.RECEIVED))
    return row


def _imported(project: Project, month: date, *entries: Enrollment) -> None:
    """The month's sheet imported through the payroll service from an office's CSV, and the workers' answers."""
    rows = [
        files.wage_line(
            x.worker.name,
            number=n,
            id_no=x.worker.id_number,
            gross=FULL,
            deductions="0",
            reason=None,
            overtime=0,
            pay_date=PAID[month].isoformat(),
        )
        for n, x in enumerate(entries, start=1)
    ]
    data = files.csv_bytes(files.sheet(rows, title=None))
    imported = payroll.import_payroll(None, project, month, "工资表.csv", data, source="cli", now=at(TODAY))
    db.session.flush()
    for line in imported.lines:
        assert line.on_roster
        confirmation(line, Status.ANSWERED, Answer.RECEIVED)


def _bank(project: Project, *entries: Enrollment, failed: bool) -> None:
    """January's bank result imported through the reconciliation service; the last transfer failed if ``failed``."""
    rows = [
        [n, x.worker.name, "6222021234561234", FULL, "失败" if failed and n == len(entries) else "成功", "20260210"]
        for n, x in enumerate(entries, start=1)
    ]
    bank.import_bank_results(None, project, JAN, "代发回单.csv", bank_csv(rows), source="cli", now=at(TODAY))
    db.session.flush()


def _proxy(entries: list[Enrollment]) -> None:
    """One phone verifies signing codes for every one of ``entries`` within the last day (R15)."""
    for entry in entries:
        db.session.add(
            CodeEvent(
                purpose="sign",
                phone_index="foreman-phone",
                kind=CodeEventKind.VERIFIED,
                person_key=f"worker:{entry.worker_id}",
                created_at=at(TODAY) - timedelta(hours=5),
            )
        )
    db.session.flush()


def _w(project: Project, entry: Enrollment) -> str:
    return f"project:{project.id}:worker:{entry.worker_id}"


def _open() -> set[Key]:
    query = sa.select(Finding).where(Finding.status == FindingStatus.OPEN)
    return {(f.rule_code, f.subject, f.period) for f in db.session.scalars(query)}


def _line_subject(project: Project, index: str) -> str:
    return f"project:{project.id}:person:" + hashlib.sha256(index.encode()).hexdigest()[:16]


def test_a_county_run_finds_exactly_the_planted_problems_and_closes_them_when_fixed(app: Flask, world: World) -> None:
    with app.app_context():
        p1, p2, p3 = (project_in(KNOWN, world.users) for _ in range(3))
        elsewhere = project_in(UNKNOWN, world.users)
        a, b, c, d, e = (_hired(p1) for _ in range(5))
        h, i = _hired(p2), _hired(p2)
        leaver = _hired(p3, exit_date=date(2026, 3, 31))
        expired = enrol(p3, JAN)
        old = contract(expired, start_date=JAN, end_date=date(2026, 3, 31), status=ContractStatus.EXPIRED)
        k = enrol(elsewhere, JAN)  # another county: no contract, cash pay, no confirmations, a missing month

        # P1: January paid in cash to D; February paid late to B; March underpays C, pays a stranger, E disputes.
        _month(p1, JAN, *(Line(x, FULL) for x in (a, b, c, e)), Line(d, FULL, channel="cash"))
        _month(p1, FEB, *(Line(x, FULL) for x in (a, c, d, e)), Line(b, FULL, pay_date=date(2026, 3, 25)))
        march = _month(
            p1,
            MAR,
            *(Line(x, FULL) for x in (a, b, d, e)),
            Line(c, "5000.00"),
            Line(None, "3000.00"),
            answers={e.worker_id: Answer.NOT_RECEIVED},
        )
        stranger = next(line for line in march.lines if line.worker_id is None).id_number_index
        _proxy([a, b, c, d, e])
        # P2: January's bank result has I's transfer failed; February's sheet is missing.
        _month(p2, JAN, Line(h, FULL), Line(i, FULL))
        _bank(p2, h, i, failed=True)
        _month(p2, MAR, Line(h, FULL), Line(i, FULL))
        # P3: the leaver's last pay came before the exit and nothing settles it; the expired worker stays on.
        for month in (JAN, FEB, MAR):
            _month(p3, month, Line(leaver, FULL, pay_date=date(2026, 3, 30) if month == MAR else None), Line(expired, FULL))
        # Elsewhere: everything wrong, but out of scope.
        sheet(elsewhere, JAN, Line(k, "1000.00", pay_date=date(2026, 4, 30), channel="cash"))

        run(TODAY, county=KNOWN)
        opened = _open()
        r15 = ("R15", f"project:{p1.id}", digest("phone", "foreman-phone"))
        expected = {
            ("R08", _w(p1, d), "2026-01"),
            ("R04", _w(p1, b), "2026-02"),
            ("R05", _w(p1, c), "2026-03"),
            ("R07", _line_subject(p1, stranger), "2026-03"),
            ("R01", _line_subject(p1, stranger), "2026-03"),  # paid with no contract (R01's payroll half)
            ("R10", _w(p1, e), "2026-03"),
            r15,
            ("R17", _w(p2, i), "2026-01"),
            ("R03", _w(p2, h), "2026-02"),
            ("R03", _w(p2, i), "2026-02"),
            ("R03", f"project:{p2.id}", "2026-02"),
            ("R12", f"enrollment:{leaver.id}", "2026-03-31"),
            ("R14", f"contract:{old.id}", ""),
            ("R01", f"enrollment:{expired.id}", "2026-04-01"),
        }
        assert opened == expected
        assert db.session.scalar(sa.select(sa.func.count()).where(Finding.project_id == elsewhere.id)) == 0

        # The fixes, as the office and the workers make them.
        _month(p1, JAN, *(Line(x, FULL) for x in (a, b, c, d, e)), version=2)
        _month(p1, FEB, *(Line(x, FULL) for x in (a, b, c, d, e)), version=2)
        _month(p1, MAR, *(Line(x, FULL) for x in (a, b, c, d, e)), version=2)  # E answers "received" this time
        _imported(p2, FEB, h, i)
        _bank(p2, h, i, failed=False)  # the bank's corrected result after paying I again
        settlement(leaver, answer=Answer.SETTLED)
        contract(expired, kind=Kind.RENEWAL, parent=old, start_date=date(2026, 4, 1), end_date=date(2027, 3, 31))

        run(TODAY, county=KNOWN)
        assert _open() == {r15}
        for rule, subject, period in expected - {r15}:
            item = finding(rule, subject, period)
            assert item is not None
            assert item.status is FindingStatus.CLOSED
            assert events_of(item) == [("opened", "first_detected"), ("closed", "condition_cleared")]
        assert db.session.scalar(sa.select(sa.func.count()).where(Finding.project_id == elsewhere.id)) == 0

        before = table_counts()
        ledger_size = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
        counts = run(TODAY, county=KNOWN)
        assert counts.total("opened") == counts.total("closed") == counts.total("reopened") == counts.total("changed") == 0
        assert table_counts() == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == ledger_size

        # The other county's project was left alone by the filter, not for want of problems: a run over it finds them.
        run(TODAY, county=UNKNOWN)
        assert {f.rule_code for f in db.session.scalars(sa.select(Finding).where(Finding.project_id == elsewhere.id))} >= {
            "R01",
            "R08",
        }
