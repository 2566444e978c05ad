"""Contract terms: every mandatory clause of 劳动合同法第十七条, the term types, the probation rules of 第十九条 and
第二十条 at each boundary, the pay rules, and the storage round trip."""

from __future__ import annotations

import calendar
import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.contracts.support import MINIMUM_WAGE, START, TODAY, WORKER, sample_terms, task_terms
from wage_guard.contracts.rules import TermProblem, TermsInvalid, monthly_equivalent, require_valid, validate_terms
from wage_guard.contracts.terms import (
    ContractTerms,
    EmergencyContact,
    EmployerParty,
    PayForm,
    TermType,
    WorkerParty,
    WorkingHours,
    add_months,
)


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: these are pure functions (no app, database or clock)."""


def problems(terms: ContractTerms, minimum: Decimal | None = MINIMUM_WAGE) -> list[TermProblem]:
    return validate_terms(terms, minimum_wage_monthly=minimum, today=TODAY)


def only_problem(terms: ContractTerms, minimum: Decimal | None = MINIMUM_WAGE) -> TermProblem:
    found = problems(terms, minimum)
    assert len(found) == 1, found
    assert found[0].clause in found[0].message
    return found[0]


@pytest.mark.parametrize("terms", [sample_terms(), task_terms(), sample_terms(term_type=TermType.OPEN_ENDED, end_date=None)])
def test_validate_terms_accepts_lawful_contracts(terms: ContractTerms) -> None:
    assert problems(terms) == []
    assert require_valid(terms, minimum_wage_monthly=MINIMUM_WAGE, today=TODAY) is terms


ART17 = "《劳动合同法》第十七条第一款第（{}）项"


@pytest.mark.parametrize(
    ("field", "change", "item"),
    [
        ("employer.name", lambda t: replace(t, employer=replace(t.employer, name="")), "一"),
        ("employer.address", lambda t: replace(t, employer=replace(t.employer, address="  ")), "一"),
        ("employer.legal_representative", lambda t: replace(t, employer=replace(t.employer, legal_representative="")), "一"),
        ("worker.name", lambda t: replace(t, worker=replace(t.worker, name="\u3000")), "二"),
        ("worker.address", lambda t: replace(t, worker=replace(t.worker, address="")), "二"),
        ("worker.id_number", lambda t: replace(t, worker=replace(t.worker, id_number="")), "二"),
        ("end_date", lambda t: replace(t, end_date=None), "三"),
        ("task_description", lambda t: replace(t, term_type=TermType.TASK, end_date=None, task_description=" "), "三"),
        ("job_title", lambda t: replace(t, job_title=""), "四"),
        ("work_place", lambda t: replace(t, work_place="\n"), "四"),
        ("rest_and_leave", lambda t: replace(t, rest_and_leave=""), "五"),
        ("hours_cycle", lambda t: replace(t, working_hours=WorkingHours.COMPREHENSIVE, hours_cycle=""), "五"),
        ("pay_amount", lambda t: replace(t, pay_amount=Decimal("0")), "六"),
        ("piece_unit", lambda t: replace(t, pay_form=PayForm.PIECE, pay_amount=Decimal("12.5"), piece_unit=""), "六"),
        ("social_insurance", lambda t: replace(t, social_insurance=""), "七"),
        ("labour_protection", lambda t: replace(t, labour_protection=""), "八"),
        ("occupational_hazard_protection", lambda t: replace(t, occupational_hazard_protection=" "), "八"),
    ],
)
def test_validate_terms_names_each_missing_mandatory_clause(field: str, change: Any, item: str) -> None:
    problem = only_problem(change(sample_terms()))
    assert problem.field == field
    assert problem.clause == ART17.format(item)
    assert ART17.format(item) in problem.message


def test_validate_terms_lists_every_problem_at_once() -> None:
    terms = sample_terms(employer=replace(sample_terms().employer, name=""), job_title="", pay_day=0)
    assert [p.field for p in problems(terms)] == ["employer.name", "job_title", "pay_day"]


@pytest.mark.parametrize(
    ("changes", "field", "clause"),
    [
        ({"end_date": START}, "end_date", ART17.format("三")),
        ({"end_date": START - timedelta(days=1)}, "end_date", ART17.format("三")),
        ({"start_date": date(2025, 1, 1), "end_date": TODAY - timedelta(days=1)}, "end_date", ART17.format("三")),
        ({"term_type": TermType.OPEN_ENDED}, "end_date", "《劳动合同法》第十四条"),
        ({"term_type": TermType.TASK, "task_description": "主体结构完工"}, "end_date", "《劳动合同法》第十五条"),
    ],
)
def test_validate_terms_checks_the_term_fits_its_type(changes: dict[str, Any], field: str, clause: str) -> None:
    problem = only_problem(sample_terms(**changes))
    assert (problem.field, problem.clause) == (field, clause)


def test_fixed_term_ending_today_is_still_valid() -> None:
    assert problems(sample_terms(start_date=date(2025, 3, 1), end_date=TODAY)) == []


LIMITS = "《劳动合同法》第十九条第一款"
NONE_ALLOWED = "《劳动合同法》第十九条第三款"
ONLY_PROBATION = "《劳动合同法》第十九条第四款"


@pytest.mark.parametrize(
    ("end_date", "months", "clause"),
    [
        (date(2026, 5, 30), 1, NONE_ALLOWED),  # one day short of three months
        (date(2026, 5, 31), 1, None),  # exactly three months
        (date(2026, 5, 31), 2, LIMITS),
        (date(2026, 5, 31), 3, ONLY_PROBATION),  # probation would be the whole term
        (date(2027, 2, 27), 1, None),  # one day short of a year
        (date(2027, 2, 27), 2, LIMITS),
        (date(2027, 2, 28), 2, None),  # exactly one year
        (date(2027, 2, 28), 3, LIMITS),
        (date(2029, 2, 27), 2, None),  # one day short of three years
        (date(2029, 2, 27), 3, LIMITS),
        (date(2029, 2, 28), 6, None),  # exactly three years
        (date(2029, 2, 28), 7, LIMITS),
        (date(2029, 2, 28), -1, LIMITS),
    ],
)
def test_probation_limits_of_article_19_at_each_boundary(end_date: date, months: int, clause: str | None) -> None:
    found = problems(sample_terms(end_date=end_date, probation_months=months))
    assert [p.clause for p in found] == ([clause] if clause else [])
    assert all(p.field == "probation_months" and p.clause in p.message for p in found)


@pytest.mark.parametrize(("months", "clause"), [(0, None), (6, None), (7, LIMITS)])
def test_open_ended_contracts_allow_six_months_probation(months: int, clause: str | None) -> None:
    found = problems(sample_terms(term_type=TermType.OPEN_ENDED, end_date=None, probation_months=months))
    assert [p.clause for p in found] == ([clause] if clause else [])


def test_task_based_contracts_allow_no_probation() -> None:
    problem = only_problem(task_terms(probation_months=1))
    assert (problem.field, problem.clause) == ("probation_months", NONE_ALLOWED)


def test_month_end_start_counts_whole_months_to_the_last_day() -> None:
    # From 31 January, three months end with 29 April (30 April is the corresponding "day").
    assert problems(sample_terms(start_date=date(2026, 1, 31), end_date=date(2026, 4, 29), probation_months=1)) == []
    short = sample_terms(start_date=date(2026, 1, 31), end_date=date(2026, 4, 28), probation_months=1)
    assert [p.clause for p in problems(short)] == [NONE_ALLOWED]


def _oracle_months(start: date, end: date) -> int:
    """Whole months from start to end inclusive, computed from calendar fields rather than add_months."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day < min(start.day, calendar.monthrange(after.year, after.month)[1]):
        months -= 1
    return months


def _oracle_limit(months: int) -> int:
    return 0 if months < 3 else 1 if months < 12 else 2 if months < 36 else 6


@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=1, max_value=2200),
    months=st.integers(min_value=0, max_value=6),
)
def test_probation_accepted_exactly_up_to_the_article_19_limit(start: date, length: int, months: int) -> None:
    end = start + timedelta(days=length)
    terms = sample_terms(start_date=start, end_date=end, probation_months=months)
    found = [p for p in validate_terms(terms, minimum_wage_monthly=None, today=start) if p.field == "probation_months"]
    assert bool(found) == (months > _oracle_limit(_oracle_months(start, end)))


@given(months=st.integers(min_value=-3, max_value=12), term_type=st.sampled_from(list(TermType)))
def test_probation_problems_follow_the_term_type(months: int, term_type: TermType) -> None:
    terms = task_terms(probation_months=months) if term_type is TermType.TASK else sample_terms(probation_months=months)
    if term_type is TermType.OPEN_ENDED:
        terms = replace(terms, term_type=term_type, end_date=None)
    found = [p for p in problems(terms) if p.field == "probation_months"]
    allowed = {TermType.TASK: 0, TermType.OPEN_ENDED: 6, TermType.FIXED: 2}[term_type]
    assert bool(found) == (not 0 <= months <= allowed)


@pytest.mark.parametrize(
    ("pay_form", "pay", "probation_pay", "minimum", "expected"),
    [
        (PayForm.MONTHLY, "5000", "4000", None, None),  # exactly 80 %
        (PayForm.MONTHLY, "5000", "3999.99", None, "80 per cent"),
        (PayForm.MONTHLY, "5000", "4000", "4000", None),  # exactly the minimum wage
        (PayForm.MONTHLY, "5000", "4000", "4000.01", "minimum wage"),
        (PayForm.DAILY, "200", "160", "3480", None),  # 160 × 21.75 = 3480
        (PayForm.DAILY, "200", "160", "3480.01", "minimum wage"),
        (PayForm.DAILY, "200", "159.99", None, "80 per cent"),
        (PayForm.PIECE, "10", "8", "99999", None),  # piece rates cannot be compared with a monthly minimum
        (PayForm.PIECE, "10", "7.99", None, "80 per cent"),
        (PayForm.MONTHLY, "5000", "0", None, "80 per cent"),
    ],
)
def test_probation_pay_floor_of_article_20(
    pay_form: PayForm, pay: str, probation_pay: str, minimum: str | None, expected: str | None
) -> None:
    terms = sample_terms(pay_form=pay_form, pay_amount=Decimal(pay), piece_unit="平方米", probation_months=1)
    terms = replace(terms, probation_pay=Decimal(probation_pay))
    # the agreed pay itself is above any minimum used here except the piece case, which is never compared
    found = [p for p in problems(terms, Decimal(minimum) if minimum else None) if p.field == "probation_pay"]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1
        assert found[0].clause == "《劳动合同法》第二十条"
        assert expected in found[0].message
        assert found[0].clause in found[0].message


def test_probation_pay_defaults_to_the_agreed_pay() -> None:
    assert problems(sample_terms(probation_months=1, probation_pay=None)) == []


@pytest.mark.parametrize(
    ("pay_form", "amount", "minimum", "reported"),
    [
        (PayForm.MONTHLY, "2199.99", "2200", True),
        (PayForm.MONTHLY, "2200", "2200", False),
        (PayForm.DAILY, "101.14", "2200", True),  # × 21.75 = 2199.795
        (PayForm.DAILY, "101.15", "2200", False),  # × 21.75 = 2200.0125
        (PayForm.PIECE, "0.5", "2200", False),
        (PayForm.MONTHLY, "100", None, False),
    ],
)
def test_pay_below_the_minimum_wage_is_refused(pay_form: PayForm, amount: str, minimum: str | None, reported: bool) -> None:
    terms = sample_terms(pay_form=pay_form, pay_amount=Decimal(amount), piece_unit="平方米")
    found = problems(terms, Decimal(minimum) if minimum else None)
    assert [(p.field, p.clause) for p in found] == ([("pay_amount", "《劳动法》第四十八条")] if reported else [])


@pytest.mark.parametrize("amount", ["0", "-1", "NaN", "Infinity"])
def test_pay_must_be_a_positive_amount(amount: str) -> None:
    assert only_problem(sample_terms(pay_amount=Decimal(amount))).field == "pay_amount"


@pytest.mark.parametrize(("day", "valid"), [(0, False), (1, True), (28, True), (31, True), (32, False), (-5, False)])
def test_pay_day_is_a_day_of_the_month(day: int, valid: bool) -> None:
    found = problems(sample_terms(pay_day=day))
    assert found == [] if valid else [(p.field, p.clause) for p in found] == [("pay_day", "《保障农民工工资支付条例》第十二条")]


def test_wages_must_go_to_the_workers_own_bank_account() -> None:
    problem = only_problem(sample_terms(paid_to_own_bank_account=False))
    assert (problem.field, problem.clause) == ("paid_to_own_bank_account", "《保障农民工工资支付条例》第三十一条")


def test_require_valid_raises_with_every_problem() -> None:
    with pytest.raises(TermsInvalid) as raised:
        require_valid(sample_terms(job_title="", pay_day=40), minimum_wage_monthly=None, today=TODAY)
    assert [p.field for p in raised.value.problems] == ["job_title", "pay_day"]
    assert "第十七条" in str(raised.value)


def test_monthly_equivalent_uses_21_75_days() -> None:
    assert monthly_equivalent(Decimal("200"), PayForm.DAILY) == Decimal("4350")
    assert monthly_equivalent(Decimal("200"), PayForm.PIECE) is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_uses_the_last_day_when_the_month_is_short(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# --- storage ----------------------------------------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2, allow_nan=False, allow_infinity=False)
employers = st.builds(EmployerParty, name=texts, credit_code=texts, legal_representative=texts, address=texts, phone=texts)
workers = st.builds(
    WorkerParty,
    name=texts,
    id_number=texts,
    address=texts,
    phone=texts,
    emergency_contact=st.none() | st.builds(EmergencyContact, name=texts, phone=texts, relationship=texts),
)
terms_strategy = st.builds(
    ContractTerms,
    employer=employers,
    worker=workers,
    term_type=st.sampled_from(list(TermType)),
    start_date=st.dates(),
    job_title=texts,
    work_place=texts,
    working_hours=st.sampled_from(list(WorkingHours)),
    rest_and_leave=texts,
    pay_form=st.sampled_from(list(PayForm)),
    pay_amount=money,
    pay_day=st.integers(1, 31),
    social_insurance=texts,
    labour_protection=texts,
    occupational_hazard_protection=texts,
    end_date=st.none() | st.dates(),
    task_description=texts,
    hours_cycle=texts,
    piece_unit=texts,
    paid_to_own_bank_account=st.booleans(),
    probation_months=st.integers(0, 6),
    probation_pay=st.none() | money,
    other_terms=texts,
)


@given(terms_strategy)
def test_to_dict_from_dict_round_trip_through_json(terms: ContractTerms) -> None:
    stored = json.loads(json.dumps(terms.to_dict(), ensure_ascii=False))
    assert ContractTerms.from_dict(stored) == terms


def test_to_dict_is_plain_json() -> None:
    data = sample_terms(probation_months=1, probation_pay=Decimal("300.50")).to_dict()
    assert data["schema"] == 1
    assert data["start_date"] == "2026-03-01"
    assert data["pay_amount"] == "350"
    assert data["probation_pay"] == "300.50"
    assert data["term_type"] == "fixed"
    assert data["worker"]["emergency_contact"] == {"name": "王芳", "phone": "13900139000", "relationship": "配偶"}


def test_from_dict_accepts_missing_optional_fields() -> None:
    data = sample_terms().to_dict()
    del data["other_terms"]
    del data["worker"]["emergency_contact"]
    restored = ContractTerms.from_dict(data)
    assert restored.other_terms == ""
    assert restored.worker == replace(WORKER, emergency_contact=None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema=2), "schema"),
        (lambda d: d.pop("schema"), "schema"),
        (lambda d: d.update(colour="red"), "unknown keys"),
        (lambda d: d.pop("pay_day"), "missing keys"),
        (lambda d: d.update(pay_day="15"), "expected int"),
        (lambda d: d.update(pay_day=True), "expected int"),
        (lambda d: d.update(paid_to_own_bank_account=1), "expected bool"),
        (lambda d: d.update(pay_amount=350), "expected str"),
        (lambda d: d.update(pay_amount="lots"), "invalid value"),
        (lambda d: d.update(start_date="2026-02-30"), "invalid value"),
        (lambda d: d.update(term_type="forever"), "invalid value"),
        (lambda d: d.update(worker="李四"), "expected an object"),
    ],
)
def test_from_dict_rejects_malformed_data(change: Any, message: str) -> None:
    data = sample_terms().to_dict()
    change(data)
    with pytest.raises(ValueError, match=message):
        ContractTerms.from_dict(data)
