"""Importing a month: real-shaped files, all or nothing, versions, matching by ID number, the evidence entry."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import World, enrol_directly, id_number
from tests.payroll import files
from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project
from wage_guard.payroll import queries, services
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.payroll.services import ImportRejected
from wage_guard.sheets.reading import UnreadableSheet

OCTOBER = date(2026, 10, 1)


def _import(world: World, name: str, data: bytes, month: date = OCTOBER) -> PayrollImport:
    project = db.session.get(Project, world.project_b)
    assert project is not None
    return services.import_payroll(None, project, month, name, data, source="cli", now=clock.utcnow())


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_xlsx_with_a_title_row_and_excel_serial_dates(app: Flask, world: World) -> None:
    serial = files.excel_serial(date(2026, 11, 15))
    rows = files.sheet([files.wage_line("赵六", pay_date=serial), files.wage_line("张三", number=2, pay_date=float(serial))])
    data = files.xlsx(rows)
    with app.app_context():
        imported = _import(world, "十月工资.xlsx", data)
        db.session.commit()
        assert (imported.version, imported.line_count, imported.total_net) == (1, 2, Decimal("9600.00"))
        assert imported.file_sha256 == hashlib.sha256(data).hexdigest()
        zhao, zhang = imported.lines
        assert (zhao.row_number, zhao.pay_date, zhao.channel, zhao.account_tail) == (3, date(2026, 11, 15), "bank", "6789")
        assert zhao.worker is not None
        assert zhao.worker.name == "赵六"
        assert zhao.on_roster
        assert zhang.worker_id is None
        assert not zhang.on_roster
        assert zhang.masked_id_number.startswith("3703")


def test_the_import_stores_whether_the_payee_is_the_worker(app: Flask, world: World) -> None:
    """Compared where both names are in clear text: the roster name for a known worker, else the sheet's name."""
    rows = files.sheet(
        [
            files.wage_line("赵六"),  # on the roster, paid to 赵六
            files.wage_line("张三", number=2, payee="包工头"),  # not known, paid to someone else
            files.wage_line("李四", number=3, payee="李 四"),  # the same name, written with a space
            files.wage_line("王五", number=4, payee=""),  # no payee name
        ]
    )
    with app.app_context():
        imported = _import(world, "payees.xlsx", files.xlsx(rows))
        assert [line.payee_differs for line in imported.lines] == [False, True, False, None]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_as_chinese_excel_saves_it(app: Flask, world: World, encoding: str) -> None:
    rows = files.sheet(
        [
            files.wage_line(
                "赵六",
                gross="￥1,234.50元" if encoding == "gbk" else "¥1,234.50元",
                deductions="0",
                net="１，２３４．５０",
                reason=None,
            )
        ]
    )
    with app.app_context():
        imported = _import(world, "工资.csv", files.csv_bytes(rows, encoding=encoding))
        [line] = imported.lines
        assert (line.gross, line.net, line.name) == (Decimal("1234.50"), Decimal("1234.50"), "赵六")


def test_matching_is_by_id_number_never_by_name(app: Flask, world: World) -> None:
    with app.app_context():
        project_a = db.session.get(Project, world.project_a)
        assert project_a is not None
        li = enrol_directly(project_a, "李四", id_number(files.PEOPLE["李四"]), "+8613812345678")
        db.session.commit()
        rows = files.sheet(
            [
                files.wage_line("赵六", id_no=id_number(files.PEOPLE["李四"])),  # 赵六's name, 李四's ID: it is 李四
                files.wage_line("李四", number=2, id_no=id_number(files.PEOPLE["王五"])),  # nobody known
            ]
        )
        imported = _import(world, "a.xlsx", files.xlsx(rows))
        first, second = imported.lines
        assert first.worker_id == li.worker_id
        assert not first.on_roster  # on project A's roster, not B's
        assert second.worker_id is None


def test_a_sheet_with_problems_stores_nothing(app: Flask, world: World) -> None:
    rows = files.sheet(
        [
            files.wage_line("赵六"),
            files.wage_line("张三", number=2, id_no="3.70322E+17"),
            files.wage_line("李四", number=3, net="1.00"),
        ]
    )
    with app.app_context():
        entries = _count(LedgerEntry)
        with pytest.raises(ImportRejected) as rejected:
            _import(world, "a.xlsx", files.xlsx(rows))
        db.session.rollback()
        assert [(p.row, p.column) for p in rejected.value.problems] == [(4, "身份证号码"), (5, "实发工资")]
        assert "2" in rejected.value.message
        assert (_count(PayrollImport), _count(PayrollLine), _count(LedgerEntry)) == (0, 0, entries)


def test_reimporting_a_month_replaces_it_and_keeps_the_history(app: Flask, world: World) -> None:
    first = files.xlsx(files.sheet([files.wage_line("赵六"), files.wage_line("张三", number=2)]))
    second = files.xlsx(files.sheet([files.wage_line("赵六", gross="6000.00", deductions="0", reason=None)]))
    with app.app_context():
        _import(world, "v1.xlsx", first)
        db.session.commit()
        _import(world, "v2.xlsx", second)
        db.session.commit()
        project = db.session.get(Project, world.project_b)
        assert project is not None
        [totals] = queries.month_totals(project)
        assert (totals.version, totals.lines, totals.gross, totals.net) == (2, 1, Decimal("6000.00"), Decimal("6000.00"))
        versions = queries.history(project, OCTOBER)
        assert [(v.version, v.is_current, v.line_count) for v in versions] == [(2, True, 1), (1, False, 2)]
        assert versions[1].superseded_at is not None
        current = queries.current_import(project, date(2026, 10, 20))
        assert current is not None
        assert current.file_name == "v2.xlsx"
        assert queries.totals_for(project, OCTOBER) == totals
        assert queries.totals_for(project, date(2026, 9, 1)) is None


def test_the_evidence_entry_has_the_hash_and_totals_but_no_personal_data(app: Flask, world: World) -> None:
    data = files.xlsx(files.sheet([files.wage_line("赵六")]))
    with app.app_context():
        imported = _import(world, "a.xlsx", data)
        db.session.commit()  # the step reaches the log after the commit
        entry = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == "payroll_imported")).one()
        payload = json.loads(entry.payload)
        assert entry.subject == f"payroll:{world.project_b}:2026-10"
        assert payload["file_sha256"] == hashlib.sha256(data).hexdigest()
        assert (payload["month"], payload["version"], payload["lines"], payload["total_net"]) == ("2026-10", 1, 1, "4800.00")
        assert payload["lines_on_roster"] == 1
        assert imported.version == 1
        assert "赵六" not in entry.payload
        assert id_number(files.PEOPLE["赵六"]) not in entry.payload


def test_unusable_files_and_months(app: Flask, world: World) -> None:
    with app.app_context():
        with pytest.raises(UnreadableSheet, match="文件是空的"):
            _import(world, "a.xlsx", b"")
        app.config["PAYROLL_MAX_ROWS"] = 5
        try:
            with pytest.raises(UnreadableSheet, match="5"):
                _import(world, "a.xlsx", files.xlsx(files.sheet([files.wage_line("赵六", number=n) for n in range(5)])))
        finally:
            app.config["PAYROLL_MAX_ROWS"] = 60_000
        assert _count(PayrollImport) == 0
    assert services.parse_month("2026-10") == OCTOBER
    assert services.parse_month("2026年10月") == OCTOBER
    for bad in ("2026-13", "10/2026", "", "2026-10-15"):
        with pytest.raises(services.ValidationFailed):
            services.parse_month(bad)
