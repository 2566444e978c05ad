"""How far a contract batch's runs have come, for the progress bars of the foreman and the signatory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from wage_guard.batches.models import BatchItem, BatchRun, ItemState
from wage_guard.extensions import db


@dataclass(frozen=True)
class Problem:
    position: int
    message: str
    #: Whether the platform will try again (a signing service was down) or gave up on this contract.
    retrying: bool


@dataclass(frozen=True)
class Progress:
    run_id: int
    kind: str
    total: int
    done: int
    failed: int
    finished_at: datetime | None
    problems: list[Problem]

    @property
    def settled(self) -> int:
        return self.done + self.failed

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.settled * 100 // self.total

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "settled": self.settled,
            "percent": self.percent,
            "finished": self.finished,
        }


def batch_progress(contract_batch_id: int) -> list[Progress]:
    """Every run of the contract batch (issuing, then sealing), oldest first."""
    runs = db.session.scalars(sa.select(BatchRun).where(BatchRun.contract_batch_id == contract_batch_id).order_by(BatchRun.id))
    return [run_progress(run) for run in runs]


def run_progress(run: BatchRun) -> Progress:
    counts = dict(
        db.session.execute(
            sa.select(BatchItem.state, sa.func.count()).where(BatchItem.run_id == run.id).group_by(BatchItem.state)
        ).all()
    )
    troubled = db.session.scalars(
        sa.select(BatchItem)
        .where(BatchItem.run_id == run.id, BatchItem.error.is_not(None))
        .order_by(BatchItem.position)
        .limit(50)
    )
    problems = [Problem(i.position, i.error or "", i.state == ItemState.PENDING.value) for i in troubled]
    return Progress(
        run_id=run.id,
        kind=run.kind,
        total=run.total,
        done=counts.get(ItemState.DONE.value, 0),
        failed=counts.get(ItemState.FAILED.value, 0),
        finished_at=run.finished_at,
        problems=problems,
    )


def run_by_id(run_id: int) -> BatchRun | None:
    return db.session.get(BatchRun, run_id)
