"""A small county for the risk tests: projects, roster entries and contracts written straight to the tables.

Contracts are rows with their (encrypted) terms, without PDFs or signatures: the rules read only the status, the
kind and the terms, so the tests set exactly those and stay fast.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from tests.contracts.support import sample_terms
from tests.factories import create_project, enrol_directly, id_number
from wage_guard.accounts.models import User
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.contracts.models import Contract, ContractBatch
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.organisations.models import Employer, Project
from wage_guard.risk import services
from wage_guard.risk.models import Finding, FindingEvent, FindingStatus

#: 淄川区: Shandong tier 一档, 2,400 yuan a month from 2025-10-01 (seeded).
KNOWN = "370302"
#: 高青县: no confirmed minimum wage (the seed leaves it out).
UNKNOWN = "370322"
_serial = itertools.count(1)


def at(day: date) -> datetime:
    """09:00 China time on ``day``."""
    return datetime.combine(day, time(1, 0), tzinfo=UTC)


def project_in(county: str, world_users: dict[str, int], name: str | None = None) -> Project:
    foreman = db.session.get(User, world_users["foreman_a"])
    assert foreman is not None
    assert foreman.employer_id is not None
    employer = db.session.get(Employer, foreman.employer_id)
    assert employer is not None
    return create_project(foreman, employer, county, name or f"项目{next(_serial)}")


def enrol(project: Project, entry: date, exit_date: date | None = None) -> Enrollment:
    n = next(_serial)
    row = enrol_directly(project, f"工人{n}", id_number(f"37032219850315{n % 1000:03d}"), f"+86137{n:08d}")
    row.entry_date, row.exit_date = entry, exit_date
    db.session.flush()
    return row


def contract(
    entry: Enrollment,
    *,
    status: Status = Status.IN_FORCE,
    kind: Kind = Kind.ORIGINAL,
    parent: Contract | None = None,
    raw_terms: str | None = None,
    **terms: Any,
) -> Contract:
    """A contract of ``entry``'s worker on its project with ``sample_terms(**terms)`` (daily pay 350, one year)."""
    project = entry.project
    batch = ContractBatch(project_id=project.id, created_by_id=_any_user())
    row = Contract(
        number=f"WG-TEST-{next(_serial):06d}",
        kind=kind,
        status=status,
        parent_id=parent.id if parent else None,
        batch=batch,
        project_id=project.id,
        enrollment_id=entry.id,
        worker_id=entry.worker_id,
        employer_id=project.employer_id,
        terms_json=raw_terms if raw_terms is not None else json.dumps(sample_terms(**terms).to_dict()),
        created_by_id=batch.created_by_id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _any_user() -> int:
    user_id = db.session.scalar(sa.select(User.id).order_by(User.id).limit(1))
    assert user_id is not None
    return user_id


@dataclass(frozen=True)
class Seen:
    rule: str
    subject: str
    period: str
    outcome: str
    severity: str | None


def run(day: date, county: str | None = None, project: int | None = None) -> services.RunCounts:
    counts = services.run(county, project, now=at(day))
    db.session.flush()
    return counts


def open_findings(rule: str | None = None) -> list[Finding]:
    query = sa.select(Finding).where(Finding.status == FindingStatus.OPEN).order_by(Finding.id)
    if rule:
        query = query.where(Finding.rule_code == rule)
    return list(db.session.scalars(query))


def finding(rule: str, subject: str, period: str = "") -> Finding | None:
    query = sa.select(Finding).where(Finding.rule_code == rule, Finding.subject == subject, Finding.period == period)
    return db.session.scalar(query)


def events_of(item: Finding) -> list[tuple[str, str]]:
    query = sa.select(FindingEvent).where(FindingEvent.finding_id == item.id).order_by(FindingEvent.id)
    return [(e.kind.value, e.reason) for e in db.session.scalars(query)]


def table_counts() -> dict[str, int]:
    """Rows per table (to show that a run changed nothing)."""
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in db.metadata.sorted_tables}
