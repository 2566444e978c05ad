"""Mark payroll lines and contract facts whose risk bounds (``risk.line_bounds``) must be computed again.

Why a module of its own: the writers that change what the bounds say (the contract-fact refresh, the wage
confirmations, the payroll import) call it, and it imports nothing of theirs, so no cycle forms between them and the risk engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.payroll.models import PayrollLine
from wage_guard.risk.models import ContractFact

CHUNK = 1000


def workers(worker_ids: Iterable[int]) -> None:
    """The contract facts of these workers changed: recompute their lines (on every project, which is more than
    needed and never wrong)."""
    _mark(PayrollLine.worker_id, worker_ids)


def project_facts(project_id: int) -> None:
    """The project's current sheets changed (an import): recompute R03's bound of its contract facts."""
    statement = (
        sa.update(ContractFact)
        .where(ContractFact.project_id == project_id, ContractFact.lines_stale.is_(False))
        .values(lines_stale=True)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(statement)


def lines(line_ids: Iterable[int | None]) -> None:
    """These lines' confirmations changed."""
    _mark(PayrollLine.id, line_ids)


def _mark(column: Any, values: Iterable[int | None]) -> None:
    ordered = sorted({v for v in values if v is not None})
    for start in range(0, len(ordered), CHUNK):
        statement = (
            sa.update(PayrollLine)
            .where(column.in_(ordered[start : start + CHUNK]), PayrollLine.bounds_stale.is_(False))
            .values(bounds_stale=True)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(statement)
