"""Text a project's managers once when a red finding opens (or reopens) on their project.

Why once: the finding's ``notified_at`` marks the open episode as told, so the nightly run never repeats it while
the finding stays open; closing clears the mark, so a recurrence is told again. All new reds of one project in
one run make one message, not one per worker.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wage_guard import links
from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk.models import Finding, FindingStatus, Outcome, Severity
from wage_guard.risk.rule import Scope


def notify_new_reds(scope: Scope) -> int:
    """Queue one SMS per manager of each project with new red findings; returns how many were queued."""
    from wage_guard.sms import services as sms

    query = sa.select(Finding).where(
        Finding.status == FindingStatus.OPEN,
        Finding.outcome == Outcome.VIOLATION,
        Finding.severity == Severity.RED,
        Finding.notified_at.is_(None),
    )
    by_project: dict[int, list[Finding]] = defaultdict(list)
    for finding in db.session.scalars(scope.where(query, Finding.county_code, Finding.project_id).order_by(Finding.id)):
        by_project[finding.project_id].append(finding)
    projects = db.session.scalars(
        sa.select(Project).where(Project.id.in_(by_project)).options(selectinload(Project.managers))
    )  # all at once with their managers: a first run over a province tells thousands of projects
    sent = 0
    for project in projects:
        findings = by_project[project.id]
        rules = "、".join(sorted({f.rule_code for f in findings}))
        url = links.public_url("organisations.detail", project_id=project.id)
        for phone in sorted({u.phone for u in project.managers if u.is_enabled and u.phone}):
            sms.queue_sms(phone, "risk_red_flag", count=len(findings), project_name=project.name, rules=rules, url=url)
            sent += 1
        for finding in findings:
            finding.notified_at = scope.now
    db.session.flush()
    return sent
