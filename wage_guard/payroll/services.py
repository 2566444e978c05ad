"""Importing a month's wage sheet: all or nothing, as a new version of the month, matched by ID number.

Why all or nothing: a half-imported sheet would make totals, confirmations and risk rules lie. The file is read
and every row checked first (``sheets.reading``, ``payroll.parsing``); any problem raises :class:`ImportRejected`
with the full list and nothing is stored. A clean sheet becomes, in the caller's transaction (no commit here):

- a new :class:`PayrollImport` version of the project's month; the previous current version gets
  ``superseded_at`` and stays in the history, so totals never count a month twice;
- its lines, matched to workers by the ID number's blind index (never by name), marked ``on_roster`` when the
  person is on this project's roster; lines for anyone else are kept, the risk rules need them;
- an evidence-log entry with the file's SHA-256, the month, version, line count and totals (no personal data);
- the workers are asked to confirm their lines afterwards, by the scheduler (``confirmations.services.request_pending``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard import bulk, clock, fieldcrypt
from wage_guard.accounts.models import User
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _, ngettext
from wage_guard.ledger import services as ledger
from wage_guard.organisations.models import Project
from wage_guard.payroll import parsing, partitions, queries
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.payroll.parsing import ParsedSheet, Problem
from wage_guard.payroll.reconciliation import normalise_name
from wage_guard.payroll.values import to_ascii
from wage_guard.risk import stale_lines
from wage_guard.risk.queue import queue_project
from wage_guard.settings import settings
from wage_guard.sheets import reading

SOURCES = ("upload", "cli")
#: Blind indexes looked up per query (SQLite allows 32,766 bound parameters; PostgreSQL more).
_LOOKUP_CHUNK = 2000


class ImportRejected(ValidationFailed):
    """The sheet has problems; ``problems`` lists every one (row, column as written, value, reason)."""

    def __init__(self, problems: list[Problem]) -> None:
        message = ngettext(
            "The wage sheet has %(num)d problem. Nothing was imported.",
            "The wage sheet has %(num)d problems. Nothing was imported.",
            len(problems),
        )
        super().__init__(message, field="file")
        self.problems = problems


@dataclass(frozen=True)
class Totals:
    lines: int
    gross: Decimal
    deductions: Decimal
    net: Decimal


def parse_month(text: str) -> date:
    """``2026-10`` (or ``2026/10``, ``2026年10月``) as the month's first day.

    :raises ValidationFailed: for anything else.
    """
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", to_ascii(text.strip()))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationFailed(_("Write the month as 2026-10."), field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


#: The encrypted columns of a payroll line and their encryption contexts (as ``PayrollLine`` declares them).
_SEALED = {
    column.name: column.type.context
    for column in PayrollLine.__table__.columns
    if isinstance(column.type, fieldcrypt.EncryptedString)
}
_INSERT_CHUNK = 2000


def limits() -> reading.Limits:
    config = settings()
    return reading.Limits(config.payroll_max_file_bytes, config.payroll_max_rows, config.payroll_max_expanded_bytes)


def check_sheet(file_name: str, data: bytes, month: date, *, now: datetime) -> ParsedSheet:
    """Read and check a wage sheet without storing anything.

    :raises reading.UnreadableSheet: the file cannot be used at all.
    :raises ImportRejected: with every problem in the rows.
    """
    rows = reading.read_rows(file_name, data, limits())
    parsed = parsing.parse_sheet(rows, month=month, today=clock.china_date(now))
    if not parsed.ok:
        raise ImportRejected(parsed.problems)
    return parsed


def import_payroll(
    actor: User | None, project: Project, month: date, file_name: str, data: bytes, *, source: str, now: datetime
) -> PayrollImport:
    """Import ``data`` as the new current version of ``project``'s ``month`` (first day), or store nothing.

    :raises reading.UnreadableSheet: an empty, mislabelled, oversized or damaged file.
    :raises ImportRejected: the rows have problems (all of them are listed).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    with bulk.cycle_collector_paused():
        return _import(actor, project, month.replace(day=1), file_name, data, source=source, now=now)


def _import(
    actor: User | None, project: Project, month: date, file_name: str, data: bytes, *, source: str, now: datetime
) -> PayrollImport:
    sheet = check_sheet(file_name, data, month, now=now)
    partitions.ensure([month])
    _lock(project)
    previous = queries.current_import(project, month)
    if previous is not None:
        previous.superseded_at = now
    payroll_import = PayrollImport(
        project_id=project.id,
        month=month,
        version=_next_version(project, month),
        file_name=file_name[-255:],
        file_sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        imported_by_id=actor.id if actor is not None else None,
        imported_at=now,
        **_totals_columns(totals_of(sheet)),
    )
    db.session.add(payroll_import)
    db.session.flush()
    on_roster = _store_lines(payroll_import, project, sheet.columns)
    stale_lines.project_facts(project.id)
    _log(payroll_import, previous, on_roster, now)
    queue_project(project.id, now)
    db.session.expire(payroll_import, ["lines"])
    return payroll_import


def totals_of(sheet: ParsedSheet) -> Totals:
    columns, zero = sheet.columns, Decimal("0.00")
    return Totals(sheet.count, sum(columns["gross"], zero), sum(columns["deductions"], zero), sum(columns["net"], zero))


def _lock(project: Project) -> None:
    """Serialise imports of one project (PostgreSQL row lock; SQLite writes are serial anyway), so two uploads
    at once cannot both become version N+1 (the unique constraint is the backstop)."""
    db.session.execute(sa.select(Project.id).where(Project.id == project.id).with_for_update())


def _next_version(project: Project, month: date) -> int:
    latest = db.session.scalar(
        sa.select(sa.func.max(PayrollImport.version)).where(PayrollImport.project_id == project.id, PayrollImport.month == month)
    )
    return (latest or 0) + 1


def _totals_columns(totals: Totals) -> dict[str, Any]:
    return {
        "line_count": totals.lines,
        "total_gross": totals.gross,
        "total_deductions": totals.deductions,
        "total_net": totals.net,
    }


def _store_lines(payroll_import: PayrollImport, project: Project, columns: dict[str, list[Any]]) -> int:
    """Insert the lines with their worker and roster match, column by column; return how many are on the roster.

    Each column is turned into what the driver stores in one pass (personal data sealed with the key looked up
    once and nonces drawn in one call, amounts and dates converted once per distinct value for SQLite), then the
    columns are zipped into row tuples for the driver's ``executemany`` (``_insert``): SQLAlchemy's per-parameter
    processing cost more than the rows themselves at 50,000 lines (see docs/performance.md).
    """
    count = len(columns["row_number"])
    indexes = fieldcrypt.blind_indexes(columns["id_number"], "id_number")
    workers = _workers_by_index(indexes)
    roster = set(db.session.scalars(sa.select(Enrollment.worker_id).where(Enrollment.project_id == project.id)))
    known = [workers.get(index) for index in indexes]
    worker_ids = [None if worker is None else worker[0] for worker in known]
    listed = [worker_id is not None and worker_id in roster for worker_id in worker_ids]
    sqlite = db.session.connection().dialect.name == "sqlite"
    stored = {key: _driver_values(columns[key], sqlite) for key in _CONVERTED}
    (stored_month,) = _driver_values([payroll_import.month], sqlite)
    sealed = {key: fieldcrypt.seal_many(columns[key], _SEALED[key]) for key in _SEALED}
    names = [columns["name"][at] if worker is None else worker[1] for at, worker in enumerate(known)]
    table = (
        [payroll_import.id] * count, [stored_month] * count, columns["row_number"], worker_ids, listed, sealed["name"],
        sealed["id_number"], indexes, stored["days_worked"], stored["overtime_hours"], stored["gross"], stored["deductions"],
        columns["deduction_reason"], stored["net"], stored["pay_date"], columns["channel"], sealed["payee_name"],
        columns["account_tail"], list(map(_payee_differs, columns["payee_name"], names)),
    )  # fmt: skip
    rows = list(zip(*table, strict=True))
    for start in range(0, count, _INSERT_CHUNK):
        _insert(rows[start : start + _INSERT_CHUNK])
    return sum(listed)


#: The columns ``_store_lines`` fills, in the order of its tuples.
_COLUMNS = (
    "import_id", "month", "row_number", "worker_id", "on_roster", "name", "id_number", "id_number_index", "days_worked",
    "overtime_hours", "gross", "deductions", "deduction_reason", "net", "pay_date", "channel", "payee_name",
    "account_tail", "payee_differs",
)  # fmt: skip
#: The columns whose values the SQLite driver needs converted (decimals, dates).
_CONVERTED = ("days_worked", "overtime_hours", "gross", "deductions", "net", "pay_date")


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """``executemany`` on the session's connection, with the values as ``_driver_values`` made them."""
    connection = db.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO payroll_line ({', '.join(_COLUMNS)}) VALUES ({', '.join([marker] * len(_COLUMNS))})"  # noqa: S608 - constant column names and markers; values are bound
    connection.exec_driver_sql(sql, rows)


def _driver_values(values: list[Any], sqlite: bool) -> list[Any]:
    """PostgreSQL's driver takes the Python values as they are; SQLite gets them as SQLAlchemy would store them
    (amounts as floats in NUMERIC columns, dates as ISO text), converted once per distinct value."""
    if not sqlite:
        return values
    converted: dict[Any, Any] = {None: None}
    for value in set(values) - {None}:
        converted[value] = float(value) if isinstance(value, Decimal) else value.isoformat()
    return [converted[value] for value in values]


def _payee_differs(payee: str | None, worker_name: str) -> bool | None:
    """Whether the payee's account name is not the worker's (names compared as the bank reconciliation does)."""
    if payee is None:
        return None
    return payee != worker_name and normalise_name(payee) != normalise_name(worker_name)


def _workers_by_index(indexes: list[str]) -> dict[str, tuple[int, str]]:
    """The known workers among the lines' blind indexes: index -> (worker id, roster name)."""
    found: dict[str, tuple[int, str]] = {}
    unique = sorted(set(indexes))
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        chunk = unique[start : start + _LOOKUP_CHUNK]
        query = sa.select(Worker.id_number_index, Worker.id, Worker.name).where(Worker.id_number_index.in_(chunk))
        found.update({index: (worker_id, name) for index, worker_id, name in db.session.execute(query)})
    return found


def _log(payroll_import: PayrollImport, previous: PayrollImport | None, on_roster: int, now: datetime) -> None:
    ledger.append(
        "payroll_imported",
        f"payroll:{payroll_import.project_id}:{payroll_import.month:%Y-%m}",
        {
            "project": payroll_import.project_id,
            "month": f"{payroll_import.month:%Y-%m}",
            "version": payroll_import.version,
            "replaces_version": previous.version if previous is not None else None,
            "file_sha256": payroll_import.file_sha256,
            "source": payroll_import.source,
            "actor": ledger.keyed(f"staff:{payroll_import.imported_by_id}", "actor") if payroll_import.imported_by_id else None,
            "lines": payroll_import.line_count,
            "lines_on_roster": on_roster,
            "total_gross": str(payroll_import.total_gross),
            "total_deductions": str(payroll_import.total_deductions),
            "total_net": str(payroll_import.total_net),
        },
        now=now,
    )
