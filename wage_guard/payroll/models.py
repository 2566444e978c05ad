"""Imported wage sheets (工资表) as versions per project and month, and their lines.

Why versions: a foreman re-imports a month to correct it. The new file replaces the month for every total and
rule, but the old one stays (an inspector must see that a sheet was changed after the workers confirmed it).
Exactly one version per project and month is current (``superseded_at`` is null); totals only ever read the
current one.

Lines are matched to workers by the ID number's blind index, never by name; a line for someone not on the
project's roster is kept (``worker_id`` null or ``on_roster`` false) because the risk rules need it. Names, ID
numbers and payee names are personal data and encrypted at rest like the rest of the platform's.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard import partitioning
from wage_guard.accounts.models import User
from wage_guard.enrollment.identity import mask_id_number
from wage_guard.enrollment.models import Worker
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.organisations.models import Project

#: Money columns: yuan with fen, up to 9,999,999,999.99.
Money = sa.Numeric(12, 2)


class PayrollImport(db.Model):  # type: ignore[name-defined,misc]
    """One imported wage sheet: a version of one project's month."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    #: The wage month as its first day (2026-10-01 for 2026-10).
    month: Mapped[date]
    #: 1 for the first import of the month, then 2, 3, ...
    version: Mapped[int]
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: "upload" (web) or "cli".
    source: Mapped[str] = mapped_column(sa.String(16))
    line_count: Mapped[int]
    total_gross: Mapped[Decimal] = mapped_column(Money)
    total_deductions: Mapped[Decimal] = mapped_column(Money)
    total_net: Mapped[Decimal] = mapped_column(Money)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    imported_at: Mapped[datetime]
    #: Set when a later version of the same month replaced this one.
    superseded_at: Mapped[datetime | None]
    #: When the workers on this version were asked to confirm their lines (工资确认). The import leaves that to
    #: the scheduler (``confirmations.services.request_pending``), so an upload is not held up by a text per worker.
    confirmations_requested_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()
    imported_by: Mapped[User | None] = relationship()
    lines: Mapped[list[PayrollLine]] = relationship(
        back_populates="payroll_import", order_by="PayrollLine.row_number", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("project_id", "month", "version"),)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def __repr__(self) -> str:
        return f"<PayrollImport {self.id} project={self.project_id} month={self.month:%Y-%m} v{self.version}>"


class PayrollLine(db.Model):  # type: ignore[name-defined,misc]
    """One worker's wage for the month as the sheet states it (a line of the 工资支付台账).

    On PostgreSQL the lines are partitioned by ``month`` (``wage_guard.partitioning``): a month's sheets, their
    risk pass and their clean-up touch one partition, and the primary key there is ``(id, month)``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("payroll_import.id"), index=True)
    #: The sheet's wage month (its first day), copied from the sheet: the partition key on PostgreSQL.
    month: Mapped[date]
    #: The row in the file (1-based, as the spreadsheet shows it), for messages and the evidence trail.
    row_number: Mapped[int]
    #: The person, matched by the ID number's blind index; None when nobody with that ID number is known.
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    #: Whether the person is on this project's roster (a line for someone else is kept and flagged).
    on_roster: Mapped[bool]
    name: Mapped[str] = mapped_column(EncryptedString("payroll_line.name"))
    id_number: Mapped[str] = mapped_column(EncryptedString("payroll_line.id_number"))
    id_number_index: Mapped[str] = mapped_column(sa.String(64))
    days_worked: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    overtime_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))
    gross: Mapped[Decimal] = mapped_column(Money)
    deductions: Mapped[Decimal] = mapped_column(Money)
    deduction_reason: Mapped[str | None] = mapped_column(sa.String(200))
    net: Mapped[Decimal] = mapped_column(Money)
    pay_date: Mapped[date | None]
    #: 发放方式 as normalised by the parser: "bank" (银行代发), "wage_account" (专户), "cash", "other".
    channel: Mapped[str | None] = mapped_column(sa.String(16))
    payee_name: Mapped[str | None] = mapped_column(EncryptedString("payroll_line.payee_name"))
    #: Whether the payee's account name differs from the worker's (the roster name, else the sheet's name), compared
    #: at import, where both are in clear text, so that rule R08 reads a column instead of decrypting every line
    #: (None: no payee name on the sheet, or a line imported before the comparison was stored).
    payee_differs: Mapped[bool | None]
    #: The last four digits of the bank card (银行卡号后四位); never the whole number.
    account_tail: Mapped[str | None] = mapped_column(sa.String(4))

    # What the risk engine's shared pass over the lines reads instead of joining every line to the contracts and
    # confirmations on every run (``wage_guard.risk.line_bounds`` computes them, once per line and again when the
    # person's contracts or the line's confirmation change). A stale line is always a candidate of every rule, so
    # a missed refresh costs speed, never a finding.
    bounds_stale: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: A signed, readable contract of the person on the project covers a day of the month.
    covered: Mapped[bool | None]
    #: The earliest day the month's wages fall due: on the lowest pay day that the project (fixed when the project
    #: is created) or any of the person's signed, readable contracts on it sets.
    earliest_due: Mapped[date | None]
    #: The most a signed contract in force in the month promises for it (daily rate times days, or monthly wage).
    promised_max: Mapped[Decimal | None] = mapped_column(Money)
    #: A signed contract in force in the month pays by another form (piece rates: no expected amount).
    piece_rate: Mapped[bool | None]
    #: The line has a live wage confirmation and every live one is answered.
    answered: Mapped[bool | None]

    payroll_import: Mapped[PayrollImport] = relationship(back_populates="lines")
    worker: Mapped[Worker | None] = relationship()

    #: A sheet lists a person once (the import refuses a second row): the risk rules read a person's month as one
    #: line. Its index also serves look-ups of a person's lines by blind index (its first column), so the lines
    #: carry one index on that random 64-character key, not two (each costs the import's insert about 10 %).
    __table_args__ = (
        sa.UniqueConstraint("id_number_index", "import_id", "month"),
        #: Only the lines waiting for their bounds: the refresh finds them without reading the table.
        sa.Index(
            "ix_payroll_line_bounds_stale",
            "import_id",
            postgresql_where=sa.text("bounds_stale"),
            sqlite_where=sa.text("bounds_stale"),
        ),
        partitioning.monthly("month"),
    )

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:  # no personal data in reprs
        return f"<PayrollLine {self.id} import={self.import_id} row={self.row_number}>"


partitioning.create_default_partition(PayrollLine.__table__)


def on_sheet(line: Any, sheet: Any) -> sa.ColumnElement[bool]:
    """``line`` (``PayrollLine`` or an alias) is a line of ``sheet`` (``PayrollImport``, an alias or a loaded one):
    matched on the month too, so that PostgreSQL reads the lines from the sheet's month's partition only (at
    planning for a loaded sheet, at execution for each joined one)."""
    return sa.and_(line.import_id == sheet.id, line.month == sheet.month)


def line_reference(table: str, line_id: str, month: str) -> tuple[sa.ForeignKeyConstraint, ...]:
    """The foreign key of a row of ``table`` that refers to a payroll line: on the line's ``(id, month)`` where the
    lines are partitioned (PostgreSQL, whose key that is), on ``id`` alone on SQLite (whose key that is)."""
    both = sa.ForeignKeyConstraint(
        [line_id, month], ["payroll_line.id", "payroll_line.month"], name=f"fk_{table}_{line_id}_month"
    )
    return (
        both.ddl_if(dialect="postgresql"),
        sa.ForeignKeyConstraint([line_id], ["payroll_line.id"]).ddl_if(dialect="sqlite"),
    )


@sa.event.listens_for(PayrollLine, "before_insert")
def _month_of_the_sheet(_mapper: object, connection: sa.Connection, line: PayrollLine) -> None:
    """A line added through the ORM takes its sheet's month (the import writes it itself)."""
    if line.month is None:
        sheet = line.__dict__.get("payroll_import")
        line.month = (
            sheet.month
            if sheet is not None
            else connection.scalar(sa.select(PayrollImport.month).where(PayrollImport.id == line.import_id))
        )
