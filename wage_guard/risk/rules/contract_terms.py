"""R02 Contract wage below minimum and R16 Unlawful probation: the agreed terms of issued contracts.

One SQL statement each selects the county's live contracts (issued, signed, or expired but not ended) from their
plain-column facts; the legal comparison is the contract module's own (``contracts.rules``:
``minimum_wage_outcome``, ``probation_limit_for``, ``probation_pay_floor``), so the issue form and the nightly
check can never disagree. The minimum wage is the site county's on the contract's start date (``WageBook``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from wage_guard.contracts.models import Contract
from wage_guard.contracts.rules import (
    WORKING_DAYS_PER_MONTH,
    minimum_wage_outcome,
    monthly_equivalent,
    probation_limit_for,
    probation_pay_floor,
)
from wage_guard.contracts.terms import PayForm, TermType, add_months
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.risk.facts import LIVE
from wage_guard.risk.models import ContractFact, Outcome, Severity
from wage_guard.risk.rule import Result, Rule, Scope, iso, money

LIVE_VALUES = [s.value for s in LIVE]


def _live_contracts(scope: Scope, *conditions: sa.ColumnElement[bool]) -> sa.Select[Any]:
    query = (
        sa.select(ContractFact, Contract.data_quality)
        .join(Contract, Contract.id == ContractFact.contract_id)
        .where(ContractFact.status.in_(LIVE_VALUES), *conditions)
    )
    return scope.where(query, ContractFact.county_code, ContractFact.project_id)


def _result(fact: ContractFact, outcome: Outcome, severity: Severity | None, evidence: dict[str, Any]) -> Result:
    return Result(
        f"contract:{fact.contract_id}", "", fact.project_id, fact.county_code, fact.worker_id, outcome, severity, evidence
    )


def below_minimum(scope: Scope) -> list[Result]:
    """R02: the contract's monthly-equivalent wage against the site county's minimum on its start date.

    SQL returns only the contracts that can be anything but compliant: terms unreadable or incomplete, a pay form
    without a monthly equivalent, a county without a known minimum, or a monthly equivalent below the largest
    minimum in the book. A province's million contracts paying more never travel to Python.
    """
    fact, book = ContractFact, scope.wages
    equivalent = sa.case(
        (fact.pay_form == PayForm.MONTHLY.value, fact.pay_amount),
        (fact.pay_form == PayForm.DAILY.value, fact.pay_amount * WORKING_DAYS_PER_MONTH),
        else_=None,
    )
    open_questions: list[sa.ColumnElement[bool]] = [
        fact.readable.is_(False),
        fact.start_date.is_(None),
        fact.pay_amount.is_(None),
        equivalent.is_(None),
        fact.county_code.not_in(sorted(book.counties())),
    ]
    highest = book.highest()
    if highest is not None:
        open_questions.append(equivalent < highest)
    results = []
    for fact, data_quality in db.session.execute(_live_contracts(scope, sa.or_(*open_questions))):
        result = _minimum_result(scope, fact, data_quality)
        if result is not None:
            results.append(result)
    return results


def _minimum_result(scope: Scope, fact: ContractFact, data_quality: dict[str, Any] | None) -> Result | None:
    evidence: dict[str, Any] = {"contract": fact.contract_id, "start_date": iso(fact.start_date)}
    if not fact.readable or fact.start_date is None or fact.pay_amount is None or fact.pay_form is None:
        return _result(fact, Outcome.INCONCLUSIVE, None, {**evidence, "inconclusive_because": "contract_terms_unreadable"})
    pay_form = PayForm(fact.pay_form)
    standard = scope.wages.on(fact.county_code, fact.start_date)
    minimum = standard.monthly if standard else None
    monthly = monthly_equivalent(fact.pay_amount, pay_form)
    evidence.update(
        pay_form=pay_form.value,
        pay_amount=money(fact.pay_amount),
        actual=money(monthly),
        expected=money(minimum),
        minimum_wage_from=iso(standard.effective_from) if standard else None,
        minimum_wage_source=standard.source[:80] if standard else None,
    )
    if data_quality and "R02" in data_quality:
        evidence["issued_with_note"] = data_quality["R02"]
    outcome = minimum_wage_outcome(fact.pay_amount, pay_form, minimum)
    if outcome is Outcome.COMPLIANT:
        return None
    if outcome is Outcome.VIOLATION:
        assert minimum is not None
        assert monthly is not None
        evidence["shortfall"] = money(minimum - monthly)
        return _result(fact, Outcome.VIOLATION, Severity.RED, evidence)
    evidence["inconclusive_because"] = "no_minimum_wage_known" if minimum is None else "piece_rate"
    return _result(fact, Outcome.INCONCLUSIVE, None, evidence)


def unlawful_probation(scope: Scope) -> list[Result]:
    """R16: probation on a task-based or under-3-month term, longer than the term allows, or paid below 80%."""
    query = _live_contracts(scope, sa.or_(ContractFact.probation_months > 0, ContractFact.readable.is_(False)))
    results = []
    for fact, _data_quality in db.session.execute(query):
        result = _probation_result(fact)
        if result is not None:
            results.append(result)
    return results


def _probation_result(fact: ContractFact) -> Result | None:
    evidence: dict[str, Any] = {"contract": fact.contract_id, "start_date": iso(fact.start_date), "end_date": iso(fact.end_date)}
    if not fact.readable or fact.start_date is None or fact.term_type is None or fact.pay_amount is None:
        return _result(fact, Outcome.INCONCLUSIVE, None, {**evidence, "inconclusive_because": "contract_terms_unreadable"})
    term_type, months = TermType(fact.term_type), fact.probation_months
    limit = probation_limit_for(term_type, fact.start_date, fact.end_date)
    evidence.update(term_type=term_type.value, probation_months=months, expected=limit, actual=months)
    if limit is None:
        return _result(fact, Outcome.INCONCLUSIVE, None, {**evidence, "inconclusive_because": "fixed_term_without_end"})
    problems = []
    if term_type is TermType.TASK:
        problems.append("task_based_contract")
    elif limit == 0:
        problems.append("term_under_three_months")
    elif fact.end_date is not None and add_months(fact.start_date, months) > fact.end_date:
        problems.append("probation_covers_whole_term")
    elif months > limit:
        problems.append("probation_too_long")
    floor = probation_pay_floor(fact.pay_amount)
    if fact.probation_pay is not None and fact.probation_pay < floor:
        problems.append("probation_pay_below_80_percent")
        evidence.update(probation_pay=money(fact.probation_pay), probation_pay_floor=money(floor))
    if not problems:
        return None
    return _result(fact, Outcome.VIOLATION, Severity.YELLOW, {**evidence, "problems": problems})


RULES = (
    Rule(
        "R02",
        _l("Contract wage below minimum"),
        "LCL Art. 85; 实施条例 Art. 14",
        _l("Red: the agreed wage, as a monthly amount, is below the site county's minimum wage on the start date."),
        _l("Order the employer to raise the agreed wage to at least the local minimum and pay the difference."),
        below_minimum,
    ),
    Rule(
        "R16",
        _l("Unlawful probation"),
        "LCL Art. 19–20",
        _l("Yellow: probation where the law allows none, longer than the term allows, or paid below 80 per cent."),
        _l("Have the employer amend the probation clause and pay any probation shortfall."),
        unlawful_probation,
    ),
)
