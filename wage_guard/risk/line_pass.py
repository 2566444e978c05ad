"""One pass over the current payroll lines of a scope that names the candidate lines of each line rule.

Why: R01's payroll half, R04–R09 and R11 each read every current line; at a province of twelve
million lines each of those statements cost about a scan of the table, and the joins to contracts and
confirmations up to three (docs/performance.md). The pass reads the lines once, joined only to their sheet and
project, and tests each rule's narrowing condition on the line's own columns and its stored bounds
(``risk.line_bounds``). A stale line is a candidate of every rule that reads bounds. Each rule then runs its
own exact statement on its candidates only (by primary key, in chunks), so the results are the rule's own,
whatever the pass lets through: the pass may only ever return too many lines, never too few, and a property
test holds every rule with and without it to the same results. The module imports nothing from ``risk.rules``:
the rule modules import it to register their conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.payroll.models import PayrollImport, PayrollLine, on_sheet
from wage_guard.risk.rule import Scope

CHUNK = 1000
T = TypeVar("T")
KEY = "line_pass"
Condition = Callable[[Scope], sa.ColumnElement[bool]]
#: Each candidate set's narrowing condition on a line (over ``payroll_line``, its sheet and its project), as the
#: rule modules register them: each rule owns its condition next to its exact statement.
CONDITIONS: dict[str, Condition] = {}


def narrowing(name: str) -> Callable[[Condition], Condition]:
    """Register a rule's narrowing condition under ``name`` (the name ``rows`` and ``candidates`` take)."""

    def register(condition: Condition) -> Condition:
        CONDITIONS[name] = condition
        return condition

    return register


def candidates(scope: Scope, rule: str) -> list[int]:
    """The ids of the current lines in ``scope`` that the condition registered as ``rule`` lets through."""
    found: dict[str, list[int]] | None = scope.shared.get(KEY)
    if found is None:
        found = scope.shared[KEY] = _run(scope)
    return found.get(rule, [])


def chunked(items: list[T]) -> Iterator[list[T]]:
    """``items`` in slices of ``CHUNK``: the IN lists the rules send with their candidates."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def rows(scope: Scope, query: Any, rule: str) -> list[Any]:
    """The rows of a rule's exact ``query`` (over lines, selecting from ``payroll_line``) for its candidates only;
    without the shared pass, every row of the query."""
    if not scope.shared_pass:
        return list(db.session.execute(query))
    found: list[Any] = []
    for ids in chunked(candidates(scope, rule)):
        found.extend(db.session.execute(query.where(PayrollLine.id.in_(ids))))
    return found


def _run(scope: Scope) -> dict[str, list[int]]:
    conditions = {name: condition(scope) for name, condition in CONDITIONS.items()}
    if not conditions:
        return {}
    line, sheet = PayrollLine, PayrollImport
    flags = [sa.case((condition, 1), else_=0).label(rule) for rule, condition in conditions.items()]
    query = (
        sa.select(line.id, *flags)
        .select_from(line)
        .join(sheet, on_sheet(line, sheet))
        .join(Project, Project.id == sheet.project_id)
        .where(sheet.superseded_at.is_(None), sa.or_(*conditions.values()))
    )
    query = scope.where(query, Project.county_code, sheet.project_id)
    found: dict[str, list[int]] = {rule: [] for rule in conditions}
    names = list(conditions)
    for row in db.session.execute(query):
        for index, rule in enumerate(names, start=1):
            if row[index]:
                found[rule].append(row[0])
    return found
