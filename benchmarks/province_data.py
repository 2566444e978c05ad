# ruff: noqa: S608 - the SQL text is built from module constants and integers only; every value is bound
"""A synthetic province for the risk benchmark, generated set-based in SQL (PostgreSQL or SQLite).

The shape: ``workers`` workers, 50 to a project, projects spread over up to 100 counties (``max_counties``), one
employer each; every worker is on one project's roster from 2025-12-01 with a signed fixed-term contract to
2027-06-30 at 6,000 yuan a month, paid on the 15th; twelve months of payroll (2025-12 … 2026-11, one sheet per
project and month, one line per worker, paid by bank on the 10th of the next month) and a "received"
confirmation for each line. The cross-check runs on 2026-12-20, when all twelve months are due.

Clean data for every rule, except the problems planted in a known share of the workers (``PLANTS``): a missing
payroll line (R03), pay 40 days late (R04), 4,000 yuan paid against 6,000 (R05, red), cash (R08) and a
"not received" answer (R10). Each plant hits the workers whose id is ``residue`` modulo ``PLANT_MODULUS`` in one
month, so the expected findings per rule are known exactly.

Rows are made by ``INSERT … SELECT`` over a numbers table, never one statement per row: twelve million payroll
lines take minutes this way and hours through the ORM. Personal data columns hold one real ciphertext each (the
rules never decrypt, except R08, which compares the payee name with the worker's; all are 工人).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from wage_guard import fieldcrypt
from wage_guard.extensions import db
from wage_guard.organisations import minimum_wages
from wage_guard.payroll import partitions

WORKERS_PER_PROJECT = 50
MAX_COUNTIES = 100
MONTHS = tuple(date(2025 + (11 + i) // 12, (11 + i) % 12 + 1, 1) for i in range(12))  # 2025-12 … 2026-11
TODAY = date(2026, 12, 20)
WAGE = 6000
PLANT_MODULUS = 1000


@dataclass(frozen=True)
class Plant:
    rule: str
    residue: int
    month: date
    what: str


PLANTS = (
    Plant("R03", 7, date(2026, 5, 1), "no payroll line"),
    Plant("R04", 17, date(2026, 7, 1), "paid 40 days late"),
    Plant("R05", 11, date(2026, 8, 1), "4,000 paid against 6,000"),
    Plant("R08", 13, date(2026, 9, 1), "paid in cash"),
    Plant("R10", 19, date(2026, 10, 1), "answered not received"),
)
T0 = datetime(2025, 11, 20, tzinfo=UTC)


def expected_findings(workers: int) -> dict[str, int]:
    """Open violations per rule after a full run: one per planted worker and month."""
    return {plant.rule: len(range(plant.residue, workers + 1, PLANT_MODULUS)) for plant in PLANTS}


def generate(workers: int, *, max_counties: int = MAX_COUNTIES) -> dict[str, int]:
    """Fill the (empty, freshly created) database; returns row counts of the main tables. Project ``n`` is in
    county ``(n - 1) % counties + 1``, so each county holds about ``workers / counties`` workers."""
    projects = max(1, workers // WORKERS_PER_PROJECT)
    counties = min(max_counties, projects)
    partitions.ensure(MONTHS)  # PostgreSQL: one partition per month, as the scheduled job prepares them
    _numbers(max(workers, projects))
    _months()
    _organisations(counties, projects)
    _people(workers, projects)
    _payroll(workers, projects)
    db.session.execute(sa.text("DROP TABLE bench_n"))
    db.session.execute(sa.text("DROP TABLE bench_month"))
    if _dialect() == "postgresql":  # rows were given their ids: move each sequence past them
        tables = ("employer", "staff_user", "project", "contract_batch", "worker", "enrollment", "contract", "payroll_import")
        for table in tables:
            _run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    db.session.commit()
    return {"counties": counties, "projects": projects, "workers": workers, "lines": _count("payroll_line")}


def _count(table: str) -> int:
    return int(db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608 - constant names


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _pad(expression: str, width: int = 64) -> str:
    """The number as zero-padded text (64 characters stand in for a blind index)."""
    if _dialect() == "postgresql":
        return f"lpad(({expression})::text, {width}, '0')"
    return f"printf('%0{width}d', {expression})"


def _run(sql: str, **params: object) -> None:
    statement = sa.text(sql)
    typed: list[Any] = []
    for name, value in params.items():
        if isinstance(value, datetime):
            typed.append(sa.bindparam(name, type_=sa.DateTime(timezone=True)))
        elif isinstance(value, bytes):
            typed.append(sa.bindparam(name, type_=sa.LargeBinary()))
    db.session.execute(statement.bindparams(*typed), params)


def _numbers(count: int) -> None:
    db.session.execute(sa.text("CREATE TABLE bench_n (n INTEGER PRIMARY KEY)"))
    if _dialect() == "postgresql":
        _run("INSERT INTO bench_n SELECT generate_series(1, :count)", count=count)
    else:
        _run(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :count) "
            "INSERT INTO bench_n SELECT n FROM s",
            count=count,
        )


def _months() -> None:
    """One row per month: its index, first day, the usual pay date (10th of the next month) and the import time."""
    table = sa.Table(
        "bench_month",
        sa.MetaData(),
        sa.Column("m", sa.Integer, primary_key=True),
        sa.Column("month", sa.Date),
        sa.Column("pay_date", sa.Date),
        sa.Column("late_date", sa.Date),
        sa.Column("imported_at", sa.DateTime(timezone=True)),
    )
    table.create(db.session.connection())
    rows = []
    for index, month in enumerate(MONTHS, start=1):
        next_month = (month + timedelta(days=32)).replace(day=1)
        pay = next_month.replace(day=10)
        rows.append({"m": index, "month": month, "pay_date": pay, "late_date": pay + timedelta(days=40),
                     "imported_at": datetime(pay.year, pay.month, 8, tzinfo=UTC)})  # fmt: skip
    db.session.execute(table.insert(), rows)


def _organisations(counties: int, projects: int) -> None:
    minimum_wages.seed_tier_wages()
    _run(
        f"INSERT INTO county (code, name, province_name) SELECT '37' || {_pad('n', 4)}, 'County ' || n, '山东省' "
        "FROM bench_n WHERE n <= :counties",
        counties=counties,
    )
    _run("INSERT INTO county_wage_tier (county_code, tier) SELECT code, '一档' FROM county")
    _run(
        "INSERT INTO employer (id, name, credit_code, legal_representative, address, created_at, updated_at) "
        f"SELECT n, 'Builder ' || n, '9137' || {_pad('n', 14)}, 'Boss', 'Road', :t0, :t0 "
        "FROM bench_n WHERE n <= :counties",
        counties=counties,
        t0=T0,
    )
    _run(
        "INSERT INTO staff_user (id, username, display_name, password_hash, role, employer_id, is_enabled, can_seal, "
        "session_version, created_at, updated_at) VALUES (1, 'bench', 'Bench', 'x', 'foreman', 1, TRUE, FALSE, 0, :t0, :t0)",
        t0=T0,
    )
    _run(
        "INSERT INTO project (id, name, address, county_code, employer_id, developer_name, general_contractor_name, pay_day, "
        "status, labour_officer_name, labour_officer_phone, created_at, updated_at) "
        f"SELECT n, 'Site ' || n, 'Road ' || n, '37' || {_pad('(n - 1) % :counties + 1', 4)}, "
        "(n - 1) % :counties + 1, '', '', 15, 'active', '', '', :t0, :t0 FROM bench_n WHERE n <= :projects",
        counties=counties,
        projects=projects,
        t0=T0,
    )
    _run("INSERT INTO contract_batch (id, project_id, created_by_id, created_at) SELECT id, id, 1, :t0 FROM project", t0=T0)


def _people(workers: int, projects: int) -> None:
    sealed = {
        "id_number": fieldcrypt.encrypt("370322198001010011", "worker.id_number"),
        "phone": fieldcrypt.encrypt("+8613700000000", "worker.phone"),
        "terms": fieldcrypt.encrypt("{}", "contract.terms"),
    }
    project_of = f"((n - 1) / {WORKERS_PER_PROJECT}) % {projects} + 1"
    _run(
        "INSERT INTO worker (id, name, id_number, id_number_index, birth_date, phone, phone_index, phone_verified_at, "
        f"session_version, created_at, updated_at) SELECT n, '工人', :id_number, {_pad('n')}, :birth, :phone, "
        f"{_pad('n + 100000000')}, :t0, 0, :t0, :t0 FROM bench_n WHERE n <= :workers",
        workers=workers,
        id_number=sealed["id_number"],
        phone=sealed["phone"],
        birth=date(1980, 1, 1),
        t0=T0,
    )
    _run(
        "INSERT INTO enrollment (id, project_id, worker_id, trade, entry_date, created_at, updated_at) "
        f"SELECT n, {project_of}, n, 'rebar', :entry, :t0, :t0 FROM bench_n WHERE n <= :workers",
        workers=workers,
        entry=MONTHS[0],
        t0=T0,
    )
    _run(
        "INSERT INTO contract (id, number, kind, status, batch_id, project_id, enrollment_id, worker_id, employer_id, "
        "terms_json, created_by_id, employer_signed_at, worker_signed_at, created_at, updated_at) "
        "SELECT e.id, 'BENCH' || e.id, 'original', 'in_force', e.project_id, e.project_id, e.id, e.worker_id, p.employer_id, "
        ":terms, 1, :t0, :t0, :t0, :t0 FROM enrollment e JOIN project p ON p.id = e.project_id",
        terms=sealed["terms"],
        t0=T0,
    )
    _run(
        "INSERT INTO risk_contract_fact (contract_id, county_code, project_id, worker_id, kind, status, readable, "
        "term_type, start_date, end_date, pay_form, pay_amount, probation_months, pay_day, cover_from, cover_to, "
        "cover_after, source_updated_at) SELECT c.id, p.county_code, c.project_id, c.worker_id, 'original', "
        f"'in_force', TRUE, 'fixed', :start, :end, 'monthly', {WAGE}, 0, 15, :start, :end, :after, :t0 "
        "FROM contract c JOIN project p ON p.id = c.project_id",
        start=MONTHS[0],
        end=date(2027, 6, 30),
        after=date(2027, 7, 1),
        t0=T0,
    )


def _payroll(workers: int, projects: int) -> None:
    name = fieldcrypt.encrypt("工人", "payroll_line.name")
    id_number = fieldcrypt.encrypt("370322198001010011", "payroll_line.id_number")
    payee = fieldcrypt.encrypt("工人", "payroll_line.payee_name")
    months = len(MONTHS)
    _run(
        "INSERT INTO payroll_import (id, project_id, month, version, file_name, file_sha256, source, line_count, "
        "total_gross, total_deductions, total_net, imported_at, confirmations_requested_at) "
        f"SELECT (p.id - 1) * {months} + m.m, p.id, m.month, 1, 'bench.xlsx', {_pad('p.id')}, 'cli', "
        f"{WORKERS_PER_PROJECT}, {WAGE * WORKERS_PER_PROJECT}, 0, {WAGE * WORKERS_PER_PROJECT}, m.imported_at, "
        "m.imported_at FROM project p CROSS JOIN bench_month m",
    )
    plant = {p.rule: p for p in PLANTS}

    def hit(rule: str) -> str:
        return f"(w.id % {PLANT_MODULUS} = {plant[rule].residue} AND m.month = :{rule.lower()}_month)"

    gross = f"CASE WHEN {hit('R05')} THEN 4000 ELSE {WAGE} END"
    _run(
        "INSERT INTO payroll_line (import_id, month, row_number, worker_id, on_roster, name, id_number, id_number_index, "
        "days_worked, overtime_hours, gross, deductions, net, pay_date, channel, payee_name, account_tail, payee_differs) "
        f"SELECT (e.project_id - 1) * {months} + m.m, m.month, e.id, w.id, TRUE, :name, :id_number, w.id_number_index, 22, 0, "
        f"{gross}, 0, {gross}, CASE WHEN {hit('R04')} THEN m.late_date ELSE m.pay_date END, "
        f"CASE WHEN {hit('R08')} THEN 'cash' ELSE 'bank' END, :payee, '1234', FALSE "
        f"FROM worker w JOIN enrollment e ON e.worker_id = w.id CROSS JOIN bench_month m WHERE NOT {hit('R03')}",
        name=name,
        id_number=id_number,
        payee=payee,
        **{f"{p.rule.lower()}_month": p.month for p in PLANTS},
    )
    _run(
        "INSERT INTO wage_confirmation (kind, project_id, worker_id, month, line_id, status, is_correction, created_at, "
        "sent_at, reminders_sent, answer, answered_at, answered_via) "
        "SELECT 'monthly', i.project_id, l.worker_id, i.month, l.id, 'answered', FALSE, i.imported_at, i.imported_at, 0, "
        f"CASE WHEN l.worker_id % {PLANT_MODULUS} = {plant['R10'].residue} AND i.month = :r10_month "
        "THEN 'not_received' ELSE 'received' END, i.imported_at, 'link' "
        "FROM payroll_line l JOIN payroll_import i ON i.id = l.import_id",
        r10_month=plant["R10"].month,
    )
