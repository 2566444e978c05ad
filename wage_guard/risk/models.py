"""The risk engine's tables: findings with their history, the contract facts the rules query, and the roll-up.

Why these shapes: a finding is keyed by (rule, subject, period) so that re-running the cross-check updates the
same row instead of adding one (idempotent); its ``status`` is the engine's view (open while the condition holds,
closed when it clears) and ``workflow_status`` is the inspector's (issue 13: acknowledged, investigating,
resolved, dismissed), kept apart so that neither overwrites the other. Every change of status is a history row
and an evidence-log entry. Every table carries the county code, the shard key of a county-sharded deployment.

Contract terms are encrypted (they hold the worker's ID number and address), so SQL cannot read dates or pay
from them. ``ContractFact`` keeps the few non-identifying terms the rules need in plain columns, refreshed from
each contract once per change (``risk.facts``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.contracts.law import Outcome
from wage_guard.extensions import db


def _enum(enum_class: type) -> sa.Enum:
    return sa.Enum(enum_class, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Severity(enum.StrEnum):
    """The Chinese platforms' three colours; ``rank`` orders them (higher is worse)."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"

    @property
    def rank(self) -> int:
        return {Severity.RED: 3, Severity.ORANGE: 2, Severity.YELLOW: 1}[self]


class FindingStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Transition(enum.StrEnum):
    OPENED = "opened"
    CLOSED = "closed"
    REOPENED = "reopened"
    #: Violation became inconclusive or back, or the severity changed, while the finding stayed open.
    CHANGED = "changed"


class Finding(db.Model):  # type: ignore[name-defined,misc]
    """One rule's result about one subject (a roster entry, a contract, a project) for one period."""

    __tablename__ = "risk_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(sa.String(8))
    #: ``enrollment:<id>``, ``contract:<id>`` or ``project:<id>``.
    subject: Mapped[str] = mapped_column(sa.String(48))
    #: What distinguishes repeated findings on one subject: a month, the first day of a gap, a verifier ("" if none).
    period: Mapped[str] = mapped_column(sa.String(48), default="")
    county_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    #: None for an inconclusive result (shown, but not a risk flag).
    severity: Mapped[Severity | None] = mapped_column(_enum(Severity))
    status: Mapped[FindingStatus] = mapped_column(_enum(FindingStatus), default=FindingStatus.OPEN)
    #: The inspector's workflow (issue 13): open, acknowledged, investigating, resolved, dismissed.
    workflow_status: Mapped[str] = mapped_column(sa.String(16), default="open", server_default="open")
    #: Rows and dates used, expected vs actual; no names, ID or phone numbers.
    evidence: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The estimated amount owed: an R03, R05 or R06 violation's shortfall in yuan (None for anything else).
    amount_owed: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    first_opened_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    #: When the project's managers were texted about this open episode (red findings only; cleared on close).
    notified_at: Mapped[datetime | None]

    events: Mapped[list[FindingEvent]] = relationship(back_populates="finding", order_by="FindingEvent.id")

    __table_args__ = (
        sa.UniqueConstraint("rule_code", "subject", "period", name="uq_risk_finding_key"),
        sa.Index("ix_risk_finding_county_status", "county_code", "status", "rule_code"),
    )

    def __repr__(self) -> str:
        return f"<Finding {self.id} {self.rule_code} {self.subject} {self.period} {self.status}>"


class FindingEvent(db.Model):  # type: ignore[name-defined,misc]
    """A transition of a finding: opened, closed when cleared, reopened on recurrence (with the reason), changed."""

    __tablename__ = "risk_finding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_finding.id"), index=True)
    kind: Mapped[Transition] = mapped_column(_enum(Transition))
    at: Mapped[datetime]
    #: Machine-readable why (``first_detected``, ``condition_cleared``, ``condition_recurred``, ``outcome_changed``,
    #: ``severity_changed``); the page translates it. ``details`` holds the figures (never personal data).
    reason: Mapped[str] = mapped_column(sa.String(32))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    severity: Mapped[Severity | None] = mapped_column(_enum(Severity))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The evidence-log entry that records this transition (its ``entry_id``: known before it has a sequence number).
    ledger_entry_id: Mapped[int | None] = mapped_column(sa.BigInteger)

    finding: Mapped[Finding] = relationship(back_populates="events")


class ContractFact(db.Model):  # type: ignore[name-defined,misc]
    """The terms of a contract that the rules query, in plain columns (no names, ID numbers or addresses)."""

    __tablename__ = "risk_contract_fact"

    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    status: Mapped[str] = mapped_column(sa.String(24))
    #: False when the stored terms could not be read: the rules that need them are inconclusive.
    readable: Mapped[bool] = mapped_column(default=True)
    term_type: Mapped[str | None] = mapped_column(sa.String(16))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    pay_form: Mapped[str | None] = mapped_column(sa.String(16))
    pay_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    probation_months: Mapped[int] = mapped_column(default=0)
    probation_pay: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    pay_day: Mapped[int | None]
    #: Signed by both parties: the days it covers for R01, inclusive; ``cover_after`` is the day after ``cover_to``
    #: (kept so that SQL finds gaps without date arithmetic, which SQLite and PostgreSQL spell differently).
    cover_from: Mapped[date | None]
    cover_to: Mapped[date | None]
    cover_after: Mapped[date | None]
    #: ``contract.updated_at`` when this row was written: a later one means the row is refreshed.
    source_updated_at: Mapped[datetime]
    #: R03's bound (``risk.line_bounds``): the first month the contract covers without a line for the worker on the
    #: project's current sheet (None: every covered month has one). Stale while the fact or the project's sheets
    #: changed since it was computed; a stale fact is a candidate of R03.
    unlined_from: Mapped[date | None]
    lines_stale: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    __table_args__ = (sa.Index("ix_risk_contract_fact_project_worker", "project_id", "worker_id"),)


class ProjectRollup(db.Model):  # type: ignore[name-defined,misc]
    """A project's open flags, refreshed by each run, for cheap dashboard reads."""

    __tablename__ = "risk_project_rollup"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    #: The highest open severity, or None for a project without open flags.
    tier: Mapped[Severity | None] = mapped_column(_enum(Severity))
    #: Two or more open reds: listed first.
    priority: Mapped[bool] = mapped_column(default=False)
    reds: Mapped[int] = mapped_column(default=0)
    oranges: Mapped[int] = mapped_column(default=0)
    yellows: Mapped[int] = mapped_column(default=0)
    inconclusive: Mapped[int] = mapped_column(default=0)
    workers_affected: Mapped[int] = mapped_column(default=0)


class CountyRollup(db.Model):  # type: ignore[name-defined,misc]
    """A county's figures: projects by tier, contract coverage, flags and workers affected, the amount owed,
    open complaints and this month's closures."""

    __tablename__ = "risk_county_rollup"

    county_code: Mapped[str] = mapped_column(sa.ForeignKey("county.code"), primary_key=True)
    projects_red: Mapped[int] = mapped_column(default=0)
    projects_orange: Mapped[int] = mapped_column(default=0)
    projects_yellow: Mapped[int] = mapped_column(default=0)
    projects_clear: Mapped[int] = mapped_column(default=0)
    projects_priority: Mapped[int] = mapped_column(default=0)
    #: Workers on active rosters today, and how many of them a signed contract covers today.
    roster_workers: Mapped[int] = mapped_column(default=0)
    covered_workers: Mapped[int] = mapped_column(default=0)
    #: ``covered_workers`` / ``roster_workers`` in per cent (None without roster workers).
    coverage_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    open_flags: Mapped[int] = mapped_column(default=0)
    inconclusive: Mapped[int] = mapped_column(default=0)
    workers_affected: Mapped[int] = mapped_column(default=0)
    #: Open R03/R05/R06 violations' shortfalls, the largest per person and month (``risk.rollup_figures``).
    amount_owed: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=0, server_default="0")
    #: Workers' complaints (verified, not yet closed) on the county's projects.
    open_complaints: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Findings closed in the current China month, and the median days their episode stayed open (None: none).
    closed_this_month: Mapped[int] = mapped_column(default=0, server_default="0")
    median_days_to_close: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))


class CountyTrend(db.Model):  # type: ignore[name-defined,misc]
    """A county's findings opened (or reopened) and closed in one China month, for the last 12 months."""

    __tablename__ = "risk_county_trend"

    county_code: Mapped[str] = mapped_column(sa.ForeignKey("county.code"), primary_key=True)
    #: The first day of the month.
    month: Mapped[date] = mapped_column(primary_key=True)
    opened: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    #: The amount owed of the findings opened that month, the largest per person and month.
    amount_owed_opened: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=0)


class CountyRuleCount(db.Model):  # type: ignore[name-defined,misc]
    """Open findings of one rule and severity in a county ("none" is the severity of inconclusive results)."""

    __tablename__ = "risk_county_rule_count"

    county_code: Mapped[str] = mapped_column(sa.ForeignKey("county.code"), primary_key=True)
    rule_code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    severity: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    findings: Mapped[int] = mapped_column(default=0)
    workers: Mapped[int] = mapped_column(default=0)
