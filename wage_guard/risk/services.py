"""The cross-check run: refresh the contract facts and the payroll lines' risk bounds, evaluate every rule over
the scope, file the findings, refresh the roll-up and text the managers of projects with new red findings.

Why one entry point: the nightly job, the on-demand CLI and (later) the run after a payroll import, confirmation
or complaint all call ``run`` with a scope, so they cannot drift apart. It writes in the caller's transaction and
never commits; running it twice on the same data changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from wage_guard import clock
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations.models import County, Project
from wage_guard.risk import facts, line_bounds, notify, queue, rollup, store
from wage_guard.risk.models import Finding, FindingStatus
from wage_guard.risk.rule import Scope
from wage_guard.risk.rules import RULES
from wage_guard.risk.sql import without_jit
from wage_guard.settings import settings


@dataclass
class RunCounts:
    """What a run did: transitions per rule, open findings by rule and severity, SMS queued."""

    facts_refreshed: int = 0
    #: payroll lines whose risk bounds were computed (new, or changed since the last run)
    line_bounds_refreshed: int = 0
    #: rule code -> {"opened": n, "reopened": n, "closed": n, "changed": n}
    transitions: dict[str, Counter[str]] = field(default_factory=dict)
    #: (rule code, severity or "inconclusive") -> open findings in scope after the run
    open_by_rule: dict[tuple[str, str], int] = field(default_factory=dict)
    sms_sent: int = 0

    def total(self, kind: str) -> int:
        return sum(c[kind] for c in self.transitions.values())


def make_scope(county: str | None = None, project: int | None = None, *, now: datetime) -> Scope:
    """Check the county code or project and build the scope.

    :raises ValidationFailed: for a county or project that does not exist.
    """
    if county is not None and db.session.get(County, county) is None:
        raise ValidationFailed(_("There is no county with the code %(code)s on this platform.", code=county), field="county")
    if project is not None and db.session.get(Project, project) is None:
        raise ValidationFailed(_("There is no project with the number %(id)s.", id=project), field="project")
    return Scope(now=now, today=clock.china_date(now), settings=settings(), county=county, project=project)


def run(county: str | None = None, project: int | None = None, *, now: datetime) -> RunCounts:
    """Evaluate every registered rule in force today over the county, the project, or everything."""
    scope = make_scope(county, project, now=now)
    without_jit(db.session)
    counts = RunCounts(facts_refreshed=facts.refresh(scope))
    counts.line_bounds_refreshed = line_bounds.refresh(scope)
    for rule in RULES:
        if rule.in_effect(scope.today):
            counts.transitions[rule.code] = store.reconcile(rule, list(rule.evaluate(scope)), scope)
    rollup.refresh(scope)
    counts.sms_sent = notify.notify_new_reds(scope)
    counts.open_by_rule = open_by_rule(scope)
    return counts


def open_by_rule(scope: Scope) -> dict[tuple[str, str], int]:
    """Open findings in the scope by rule and severity (inconclusive results under "inconclusive")."""
    query = sa.select(Finding.rule_code, Finding.severity, sa.func.count()).where(Finding.status == FindingStatus.OPEN)
    query = scope.where(query, Finding.county_code, Finding.project_id).group_by(Finding.rule_code, Finding.severity)
    return {(row[0], row[1].value if row[1] else "inconclusive"): row[2] for row in db.session.execute(query)}


def run_pending(*, now: datetime) -> dict[str, int]:
    """Run every project queued by a payroll or bank import, an answer or a complaint, and empty the queue.

    A project queued again while it is being run stays queued (``queue.done`` compares the time); a project that
    no longer exists is dropped.
    """
    result = {"projects": 0, "opened": 0, "closed": 0, "sms": 0}
    for project_id, queued_at in queue.pending(now=now):
        if db.session.get(Project, project_id) is not None:
            counts = run(project=project_id, now=now)
            result["projects"] += 1
            result["opened"] += counts.total("opened") + counts.total("reopened")
            result["closed"] += counts.total("closed")
            result["sms"] += counts.sms_sent
        queue.done(project_id, queued_at)
    return result
