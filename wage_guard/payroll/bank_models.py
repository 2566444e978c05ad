"""The bank's payroll transfer results (代发回单) as versions per project and month, and their rows.

Why: the wage sheet says what the employer claims was paid; the bank's result file says what really left the
project's wage account (工资专用账户). Each row is reconciled with the current payroll version's lines when the
file is imported, and the outcome is stored, so the ledger and the risk rule R17 read it without recomputing.

Versions work like payroll imports: importing a month again supersedes the previous file (``superseded_at``),
which stays in the history. A payroll line with no transfer at all has no row here; readers call it "not paid"
when the month has a current bank result (``reconciliation.line_outcome``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.accounts.models import User
from wage_guard.extensions import db
from wage_guard.fieldcrypt import EncryptedString
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import Money, PayrollImport, PayrollLine, line_reference


class BankResultImport(db.Model):  # type: ignore[name-defined,misc]
    """One imported bank result file: a version of one project's month."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    #: The wage month as its first day (2026-10-01 for 2026-10).
    month: Mapped[date]
    #: 1 for the first bank file of the month, then 2, 3, ...
    version: Mapped[int]
    #: The payroll version the rows were reconciled with (the current one at import time).
    payroll_import_id: Mapped[int] = mapped_column(sa.ForeignKey("payroll_import.id"), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: "upload" (web) or "cli".
    source: Mapped[str] = mapped_column(sa.String(16))
    row_count: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    imported_at: Mapped[datetime]
    #: Set when a later file for the same month replaced this one.
    superseded_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()
    payroll_import: Mapped[PayrollImport] = relationship()
    imported_by: Mapped[User | None] = relationship()
    transfers: Mapped[list[BankTransfer]] = relationship(
        back_populates="bank_import", order_by="BankTransfer.row_number", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("project_id", "month", "version"),)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def __repr__(self) -> str:
        return f"<BankResultImport {self.id} project={self.project_id} month={self.month:%Y-%m} v{self.version}>"


class BankTransfer(db.Model):  # type: ignore[name-defined,misc]
    """One row of the bank's result file and what reconciling it with the payroll found."""

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_result_import.id"), index=True)
    #: The row in the file (1-based, as the spreadsheet shows it).
    row_number: Mapped[int]
    payee_name: Mapped[str] = mapped_column(EncryptedString("bank_transfer.payee_name"))
    #: The last four digits of the receiving card; the bank's full card number is never stored.
    account_tail: Mapped[str] = mapped_column(sa.String(4))
    amount: Mapped[Decimal] = mapped_column(Money)
    #: "success" (成功) or "failed" (失败).
    status: Mapped[str] = mapped_column(sa.String(16))
    transfer_date: Mapped[date]
    #: The payroll line this transfer pays (None: nobody on the payroll has this account and name).
    payroll_line_id: Mapped[int | None] = mapped_column(index=True)
    #: The paid line's month (its partition key on PostgreSQL; the result file's month).
    payroll_line_month: Mapped[date | None]
    #: "paid", "failed", "amount_differs" or "not_on_payroll" (``reconciliation.TRANSFER_OUTCOMES``).
    outcome: Mapped[str] = mapped_column(sa.String(16))

    bank_import: Mapped[BankResultImport] = relationship(back_populates="transfers")
    payroll_line: Mapped[PayrollLine | None] = relationship(
        primaryjoin="and_(PayrollLine.id == foreign(BankTransfer.payroll_line_id), "
        "PayrollLine.month == foreign(BankTransfer.payroll_line_month))"
    )

    __table_args__ = line_reference("bank_transfer", "payroll_line_id", "payroll_line_month")

    def __repr__(self) -> str:  # no personal data in reprs
        return f"<BankTransfer {self.id} import={self.import_id} row={self.row_number} {self.outcome}>"
