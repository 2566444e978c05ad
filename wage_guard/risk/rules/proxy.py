"""R15 Proxy signing suspected: one phone, device or address verifying codes for several different workers.

A crew boss who holds his workers' phones, or has them forward their codes, signs in their names (包工头代签).
``codes.queries.shared_verifiers`` finds, in one statement over the code trail, every phone, device and address
that proved codes for at least ``RISK_R15_MIN_PEOPLE`` people within the window. One more statement attributes
those verifiers to the projects whose rostered workers they verified for (the code trail has no county; the
attribution is filtered by the project's county). A project where the verifier touched two or more of its
workers is a violation; where only one of them, the others being elsewhere or not yet enrolled, it is
inconclusive. Findings name the verifier by a short digest of its keyed hash, never by the phone itself.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from wage_guard.codes.models import CodeEvent, CodeEventKind
from wage_guard.codes.queries import DIMENSIONS, SharedVerifier, shared_verifiers
from wage_guard.enrollment.models import Enrollment
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations.models import Project
from wage_guard.risk.models import Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope


def digest(dimension: str, key: str) -> str:
    return dimension + ":" + hashlib.sha256(f"{dimension}:{key}".encode()).hexdigest()[:16]


def proxy_signing(scope: Scope) -> list[Result]:
    """R15: suspect verifiers in the window, attributed to the projects of the workers they verified for."""
    since = scope.now - scope.settings.risk_r15_window
    suspects = shared_verifiers(since=since, min_people=scope.settings.risk_r15_min_people)
    results = []
    for dimension in DIMENSIONS:
        found = {s.key: s for s in suspects if s.dimension == dimension}
        if found:
            results.extend(_attributed(scope, dimension, found, since))
    return results


def _attributed(scope: Scope, dimension: str, suspects: dict[str, SharedVerifier], since: Any) -> list[Result]:
    column = DIMENSIONS[dimension]
    worker_key = sa.literal("worker:") + sa.cast(Enrollment.worker_id, sa.String)
    query = (
        sa.select(
            column.label("key"),
            Enrollment.project_id,
            Project.county_code,
            sa.func.count(sa.distinct(Enrollment.worker_id)).label("workers"),
            sa.func.min(CodeEvent.created_at).label("first_at"),
            sa.func.max(CodeEvent.created_at).label("last_at"),
        )
        .join(Enrollment, CodeEvent.person_key == worker_key)
        .join(Project, Project.id == Enrollment.project_id)
        .where(CodeEvent.kind == CodeEventKind.VERIFIED, CodeEvent.created_at >= since, column.in_(list(suspects)))
        .group_by(column, Enrollment.project_id, Project.county_code)
    )
    query = scope.where(query, Project.county_code, Enrollment.project_id)
    return [_result(dimension, row, suspects[row.key]) for row in db.session.execute(query)]


def _result(dimension: str, row: Any, suspect: SharedVerifier) -> Result:
    evidence: dict[str, Any] = {
        "verifier": dimension,
        "workers_on_project": row.workers,
        "people_overall": suspect.people,
        "checks": suspect.checks,
        "first_at": row.first_at.isoformat(),
        "last_at": row.last_at.isoformat(),
        "expected": "each_worker_verifies_on_own_phone",
        "actual": f"one_{dimension}_for_{suspect.people}_people",
    }
    outcome: Outcome = Outcome.VIOLATION
    severity: Severity | None = Severity.ORANGE
    if row.workers < 2:
        outcome, severity = Outcome.INCONCLUSIVE, None
        evidence["inconclusive_because"] = "one_worker_of_this_project"
    period = digest(dimension, row.key)
    return Result(f"project:{row.project_id}", period, row.project_id, row.county_code, None, outcome, severity, evidence)


RULES = (
    Rule(
        "R15",
        _l("Proxy signing suspected"),
        "包工头代签; 电子签名法 Art. 13",
        _l("Orange: one phone, device or address verified codes for several different workers within a short window."),
        _l("Interview the workers concerned in person and have each confirm their contract and pay on their own phone."),
        proxy_signing,
    ),
)
