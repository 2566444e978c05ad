"""The contract rules (wage_guard.contracts.rules and ages): each rule's shape, then the law's boundaries table by
table - probation by term length (Art. 19(1)) and once per employer (Art. 19(2)), the 16th and 18th birthdays, the
statutory retirement age by birth year, month and sex, the minimum wage on the start date, the backdated start - and
property tests of the plain-value functions the payroll risk rules will reuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.contracts.support import MINIMUM_WAGE, START, TODAY, sample_terms
from tests.factories import id_number
from wage_guard.contracts import ages, rules
from wage_guard.contracts.defaults import MINOR_WORKER_CLAUSE, with_minor_worker_clause
from wage_guard.contracts.rules import Effect, Facts, Outcome
from wage_guard.contracts.terms import ContractTerms, PayForm, TermType, add_months


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: these are pure functions (no app, database or clock)."""


def born(day: date, *, male: bool = True) -> str:
    """A valid ID number with this birth date; the 17th digit is odd for a man, even for a woman (GB 11643)."""
    return id_number("370322" + day.strftime("%Y%m%d") + ("123" if male else "122"))


def worker_terms(birth: date, *, male: bool = True, start: date = START) -> ContractTerms:
    terms = sample_terms(start_date=start, end_date=add_months(start, 12) - timedelta(days=1))
    return replace(terms, worker=replace(terms.worker, id_number=born(birth, male=male)))


def found(terms: ContractTerms, effect: Effect = Effect.REFUSE, **facts: object) -> list[str]:
    """The codes of the rules of ``effect`` that fire."""
    context = Facts(**{"today": TODAY, "minimum_wage_monthly": MINIMUM_WAGE, **facts})  # type: ignore[arg-type]
    return [p.rule for p in rules.findings(terms, context, effect)]


# --- the shape ----------------------------------------------------------------------------------------------------


def test_every_rule_has_a_unique_code_an_article_and_one_function() -> None:
    codes = [rule.code for rule in rules.RULES]
    assert len(codes) == len(set(codes))
    for rule in rules.RULES:
        assert rule.code.startswith("C")
        assert rule.article.startswith("《")
        assert rule.legal_id is None or rule.legal_id.startswith("L-")
        assert callable(rule.check)
        assert rule.check.__doc__
        assert rule.code in rule.check.__doc__


def test_a_lawful_contract_meets_no_rule_of_any_effect() -> None:
    assert [found(sample_terms(), effect) for effect in Effect] == [[], [], []]


def test_each_problem_names_its_rule_and_its_provision() -> None:
    problems = rules.validate_terms(sample_terms(pay_day=0, probation_months=7), minimum_wage_monthly=None, today=TODAY)
    assert [(p.rule, p.field) for p in problems] == [("C05", "pay_day"), ("C08", "probation_months")]
    assert all(p.clause in p.message for p in problems)


# --- probation (Art. 19) -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months_of_term", "probation", "fires"),
    [
        (3, 1, False),  # exactly 3 months: at most 1 month
        (3, 2, True),
        (12, 2, False),  # exactly 1 year: at most 2 months
        (12, 3, True),
        (36, 6, False),  # exactly 3 years: at most 6 months
        (36, 7, True),
    ],
)
def test_probation_limit_at_3_months_1_year_and_3_years(months_of_term: int, probation: int, fires: bool) -> None:
    end = add_months(START, months_of_term) - timedelta(days=1)
    assert found(sample_terms(end_date=end, probation_months=probation)) == (["C08"] if fires else [])
    shorter = sample_terms(end_date=end - timedelta(days=1), probation_months=probation if not fires else 0)
    assert rules.probation_limit_months(shorter) == {3: 0, 12: 1, 36: 2}[months_of_term]


@pytest.mark.parametrize(
    ("earlier", "probation", "expected"),
    [(False, 1, []), (True, 1, ["C09"]), (True, 0, []), (False, 0, [])],
)
def test_probation_only_once_per_employer_and_worker(earlier: bool, probation: int, expected: list[str]) -> None:
    terms = sample_terms(probation_months=probation)
    assert found(terms, earlier_contract_with_employer=earlier) == expected
    if expected:
        [problem] = rules.validate_terms(terms, minimum_wage_monthly=None, today=TODAY, earlier_contract_with_employer=True)
        assert problem.clause == "《劳动合同法》第十九条第二款"


# --- ages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age_change", "expected"),
    [
        (-1, ["C11"]),  # the day before the 16th birthday
        (0, []),  # on the 16th birthday
    ],
)
def test_sixteenth_birthday(age_change: int, expected: list[str]) -> None:
    birth = date(2010, 3, 1)
    start = date(2026, 3, 1) + timedelta(days=age_change)
    assert found(worker_terms(birth, start=start)) == expected


@pytest.mark.parametrize(
    ("start", "minor"),
    [
        (date(2026, 3, 1), True),  # 16th birthday
        (date(2028, 2, 29), True),  # the day before the 18th birthday
        (date(2028, 3, 1), False),  # the 18th birthday
    ],
)
def test_a_worker_of_16_or_17_is_a_minor_worker(start: date, minor: bool) -> None:
    terms = worker_terms(date(2010, 3, 1), start=start)
    assert found(terms) == []
    assert found(terms, Effect.NOTE) == (["C13"] if minor else [])


def test_the_minor_worker_clause_is_added_once() -> None:
    terms = with_minor_worker_clause(with_minor_worker_clause(sample_terms(other_terms="自带工具")))
    assert terms.other_terms.count(MINOR_WORKER_CLAUSE) == 1
    assert terms.other_terms.endswith("自带工具")
    assert "高处作业" in MINOR_WORKER_CLAUSE


@pytest.mark.parametrize(
    ("birth", "male", "years", "months"),
    [
        (date(1964, 12, 15), True, 60, 0),  # before the first cohort
        (date(1965, 1, 15), True, 60, 1),  # men: first cohort
        (date(1965, 4, 30), True, 60, 1),
        (date(1965, 5, 1), True, 60, 2),
        (date(1970, 6, 1), True, 61, 5),  # middle: 65 birth months on, 65 // 4 + 1 = 17 months
        (date(1976, 8, 31), True, 62, 11),
        (date(1976, 9, 1), True, 63, 0),  # capped
        (date(1990, 1, 1), True, 63, 0),
        (date(1974, 12, 31), False, 50, 0),  # women workers: before the first cohort
        (date(1975, 1, 1), False, 50, 1),  # first cohort
        (date(1975, 2, 28), False, 50, 1),
        (date(1975, 3, 1), False, 50, 2),
        (date(1980, 1, 1), False, 52, 7),  # middle: 60 birth months on, 60 // 2 + 1 = 31 months
        (date(1984, 10, 31), False, 54, 11),
        (date(1984, 11, 1), False, 55, 0),  # capped
        (date(1995, 5, 5), False, 55, 0),
    ],
)
def test_retirement_age_by_birth_year_month_and_sex(birth: date, male: bool, years: int, months: int) -> None:
    reached = ages.retirement_date(birth, male=male)
    assert reached == add_months(birth, years * 12 + months)
    day_before = reached - timedelta(days=1)
    assert found(worker_terms(birth, male=male, start=day_before), today=day_before) == []
    assert found(worker_terms(birth, male=male, start=reached), today=reached) == ["C12"]


def test_retirement_refusal_points_to_a_labour_service_agreement() -> None:
    [problem] = rules.validate_terms(
        worker_terms(date(1965, 1, 15), start=date(2026, 3, 1)), minimum_wage_monthly=None, today=TODAY
    )
    assert problem.rule == "C12"
    assert "labour-service agreement" in problem.message
    assert "2025-02-15" in problem.message  # 60 years and 1 month
    assert "渐进式延迟法定退休年龄" in problem.message


def test_women_cadre_schedule_matches_the_published_caps() -> None:
    assert ages.WOMEN_CADRES.age_in_months(date(1970, 1, 1)) == 55 * 12 + 1
    assert ages.WOMEN_CADRES.age_in_months(date(1981, 9, 1)) == 58 * 12


@pytest.mark.parametrize("text", ["", "37032219850315", "3703221985X3151234", "370322198502301234", "37032219850315123X"])
def test_unreadable_id_numbers_give_no_age(text: str) -> None:
    assert ages.age_mark(text, TODAY) is None


@given(birth=st.dates(date(1940, 1, 1), date(2010, 12, 31)), male=st.booleans())
def test_retirement_age_is_monotonic_and_within_the_decision(birth: date, male: bool) -> None:
    schedule = ages.MEN if male else ages.WOMEN_WORKERS
    age = schedule.age_in_months(birth)
    assert schedule.original_years * 12 <= age <= schedule.original_years * 12 + schedule.cap_months
    assert schedule.age_in_months(add_months(birth, 1)) >= age
    assert ages.retirement_date(birth, male=male) > birth


@given(birth=st.dates(date(1950, 1, 1), date(2015, 12, 31)), day=st.dates(date(2020, 1, 1), date(2040, 12, 31)))
def test_age_marks_partition_the_ages(birth: date, day: date) -> None:
    number = born(birth)
    mark = ages.age_mark(number, day)
    years = ages.age_on(birth, day)
    if years < 16:
        assert mark is ages.AgeMark.UNDER_AGE
    elif years < 18:
        assert mark is ages.AgeMark.MINOR
    else:
        assert mark in (None, ages.AgeMark.RETIRED)
        assert (mark is ages.AgeMark.RETIRED) == (day >= ages.retirement_date(birth, male=True))


# --- minimum wage, pay day, backdating ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum", "codes"),
    [(Decimal("2000"), []), (Decimal("8000"), ["C07"]), (None, [])],
)
def test_minimum_wage_is_the_one_given_for_the_start_date(minimum: Decimal | None, codes: list[str]) -> None:
    terms = sample_terms()  # 350 a day = 7612.50 a month
    assert found(terms, minimum_wage_monthly=minimum) == codes
    assert found(terms, Effect.CONFIRM, minimum_wage_monthly=minimum) == (["C15"] if minimum is None else [])


@pytest.mark.parametrize(
    ("amount", "pay_form", "minimum", "outcome"),
    [
        ("2000", PayForm.MONTHLY, "2000", Outcome.COMPLIANT),
        ("1999.99", PayForm.MONTHLY, "2000", Outcome.VIOLATION),
        ("100", PayForm.DAILY, "2175", Outcome.COMPLIANT),
        ("99.99", PayForm.DAILY, "2175", Outcome.VIOLATION),
        ("5", PayForm.PIECE, "2000", Outcome.INCONCLUSIVE),
        ("5000", PayForm.MONTHLY, None, Outcome.INCONCLUSIVE),
    ],
)
def test_minimum_wage_outcome_has_three_results(amount: str, pay_form: PayForm, minimum: str | None, outcome: Outcome) -> None:
    assert rules.minimum_wage_outcome(Decimal(amount), pay_form, Decimal(minimum) if minimum else None) is outcome


@pytest.mark.parametrize(
    ("start", "today", "warned"),
    [
        (date(2026, 10, 2), date(2026, 11, 2), False),  # exactly one month back
        (date(2026, 10, 1), date(2026, 11, 2), True),  # one day more
        (date(2026, 1, 31), date(2026, 2, 28), False),  # a month from 31 January ends on 28 February
        (date(2026, 1, 31), date(2026, 3, 1), True),
        (date(2026, 12, 1), date(2026, 11, 2), False),  # a future start
    ],
)
def test_backdated_start_boundary(start: date, today: date, warned: bool) -> None:
    terms = sample_terms(start_date=start, end_date=date(2028, 12, 31))
    assert found(terms, Effect.CONFIRM, today=today) == (["C14"] if warned else [])
    if warned:
        [warning] = rules.findings(terms, Facts(today, MINIMUM_WAGE), Effect.CONFIRM)
        assert "《劳动合同法》第八十二条" in warning.message
        assert start.isoformat() in warning.message


@given(start=st.dates(date(2020, 1, 1), date(2030, 12, 31)), days=st.integers(-400, 400))
def test_backdated_means_more_than_one_calendar_month(start: date, days: int) -> None:
    today = start + timedelta(days=days)
    assert rules.backdated(start, today) == (today > add_months(start, 1))


@given(day=st.integers(-40, 40) | st.booleans())
def test_pay_day_is_a_day_of_every_month(day: int) -> None:
    assert rules.pay_day_valid(day) == (not isinstance(day, bool) and 1 <= day <= 31)


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
    minimum=st.decimals(min_value=Decimal("1"), max_value=Decimal("10000"), places=2),
    pay_form=st.sampled_from([PayForm.MONTHLY, PayForm.DAILY]),
)
def test_rule_c07_agrees_with_the_shared_outcome(amount: Decimal, minimum: Decimal, pay_form: PayForm) -> None:
    terms = sample_terms(pay_form=pay_form, pay_amount=amount)
    violation = rules.minimum_wage_outcome(amount, pay_form, minimum) is Outcome.VIOLATION
    assert ("C07" in found(terms, minimum_wage_monthly=minimum)) == violation


@given(
    term_type=st.sampled_from(list(TermType)),
    start=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    length=st.integers(0, 2000),
)
def test_probation_limit_never_exceeds_six_months(term_type: TermType, start: date, length: int) -> None:
    end = None if term_type is not TermType.FIXED else start + timedelta(days=length)
    limit = rules.probation_limit_for(term_type, start, end)
    assert limit in (0, 1, 2, 6)
    assert (limit == 0) == (term_type is TermType.TASK or (end is not None and end < add_months(start, 3) - timedelta(days=1)))
