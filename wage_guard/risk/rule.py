"""What a risk rule is: data (code, names, law, severity policy, effective dates, next action) plus one function.

Why: risk-rules.md asks for rules as data plus one small function each, so that the list of rules, their law
references and their recommended actions are shown and tested from one place, and a payroll rule (R03–R13, R17)
is one more module in ``risk.rules`` without touching the engine. A rule's function receives a ``Scope`` (the
county or project, the day, the settings) and returns the subjects that are not compliant: each ``Result`` is
a violation or an inconclusive result; a subject absent from the results is compliant, and its open finding
closes. The function runs a few set-based SQL statements over the scope, never one query per worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar

import sqlalchemy as sa

from wage_guard.organisations.minimum_wages import WageBook
from wage_guard.risk.models import Outcome, Severity
from wage_guard.settings import Settings

Query = TypeVar("Query", bound=sa.Select)  # type: ignore[type-arg]


@dataclass(frozen=True)
class Result:
    """A non-compliant subject: a violation (with its severity) or an inconclusive result (severity None)."""

    subject: str
    period: str
    project_id: int
    county_code: str
    worker_id: int | None
    outcome: Outcome
    severity: Severity | None
    #: JSON-ready (text, numbers, booleans): the rows and dates used, expected vs actual, and why if inconclusive.
    evidence: dict[str, Any]


@dataclass
class Scope:
    """Where and when a run evaluates: one county, one project, or everything, as of ``today`` (China time)."""

    now: datetime
    today: date
    settings: Settings
    county: str | None = None
    project: int | None = None
    #: The payroll rules take their candidate lines from one shared pass (``risk.line_pass``); False runs each
    #: rule's own statement over every line, the reference the shared pass is tested against.
    shared_pass: bool = True
    _counties: set[str] | None = field(default=None, repr=False)
    #: What the rules of one run share (the shared pass's candidates), computed once per scope.
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def where(self, query: Query, county_column: Any, project_column: Any) -> Query:
        """Restrict ``query`` to the scope: every rule query is filtered by county code (shard-local)."""
        if self.county is not None:
            query = query.where(county_column == self.county)
        if self.project is not None:
            query = query.where(project_column == self.project)
        return query

    @cached_property
    def wages(self) -> WageBook:
        """The minimum wages of the scope's counties (all counties for a run over everything)."""
        return WageBook({self.county} if self.county else None)


@dataclass(frozen=True)
class Rule:
    code: str
    #: Lazily translated texts (``_l``): English msgids, shown in Chinese by default.
    name: object
    #: The legal basis as printed (risk-rules.md), e.g. "条例 Art. 28; LCL Art. 10, 82".
    law: str
    #: How the severity is chosen, in words, for the rules page.
    severity_policy: object
    #: What the inspector should do next.
    next_action: object
    evaluate: Callable[[Scope], Iterable[Result]]
    effective_from: date = date(2020, 5, 1)  # 《保障农民工工资支付条例》 in force
    effective_to: date | None = None

    def in_effect(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def tier(value: Any, orange_from: Any, red_above: Any) -> Severity:
    """Yellow below ``orange_from``, orange up to ``red_above`` (inclusive), red beyond: R04's days late and R05's
    shortfall share are graded this way."""
    if value < orange_from:
        return Severity.YELLOW
    return Severity.ORANGE if value <= red_above else Severity.RED


def unless_unreadable(severity: Severity, unreadable: bool, evidence: dict[str, Any]) -> tuple[Outcome, Severity | None]:
    """A violation of ``severity``, or inconclusive (noted in ``evidence``) when the contract terms cannot be read."""
    if unreadable:
        evidence["inconclusive_because"] = "contract_terms_unreadable"
        return Outcome.INCONCLUSIVE, None
    return Outcome.VIOLATION, severity


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def money(value: Any) -> str | None:
    """Amounts as text with two decimals in evidence (JSON has no decimal type)."""
    return None if value is None else f"{value:.2f}"
