"""The law's checks on a labour contract before it is issued: each rule is a code, a law reference (the legal.md
item and the article) and one small function, shaped like the payroll risk rules (risk-rules.md).

An employer is liable for issuing a contract that breaks the law (legal.md L-04), so a ``REFUSE`` rule stops the
issue and names its provision; a ``CONFIRM`` rule (a backdated start, an unknown minimum wage) lets the foreman go on
only after confirming the warning; a ``NOTE`` rule marks the contract (a minor worker). The minimum-wage, probation and
pay-day checks are also plain-value functions here (``minimum_wage_outcome``, ``probation_limit_for``,
``probation_pay_floor``, ``pay_day_valid``) so payroll rules R02, R06 and R16 reuse them rather than restate them.
Pure: no database or request, so each rule is table- and property-tested on its own.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from wage_guard.contracts import ages, clauses
from wage_guard.contracts.law import (
    ART19_LIMITS,
    ART19_NO_PROBATION,
    ART19_ONCE,
    ART19_ONLY_PROBATION,
    ART20,
    ART82,
    LABOUR_LAW_MINIMUM_AGE,
    LABOUR_LAW_MINIMUM_WAGE,
    MINIMUM_WAGE_PLACE,
    MINOR_WORKERS,
    RETIREMENT,
    RETIREMENT_DECISION,
    WAGE_REG_OWN_ACCOUNT,
    WAGE_REG_PAY_DAY,
    Effect,
    Facts,
    Outcome,
    Rule,
    TermProblem,
    TermsInvalid,
    art17,
    blank,
    positive,
    yuan,
)
from wage_guard.contracts.terms import ContractTerms, PayForm, TermType, add_months
from wage_guard.i18n import _, ngettext

__all__ = ["Effect", "Facts", "Outcome", "Rule", "TermProblem", "TermsInvalid", "RULES", "validate_terms"]

#: Average working days per month used to compare a daily wage with a monthly minimum (劳社部发〔2008〕3号).
WORKING_DAYS_PER_MONTH = Decimal("21.75")
PROBATION_PAY_FLOOR = Decimal("0.8")
MAX_PROBATION_MONTHS = 6
#: Codes of the warnings the foreman confirms (the issue form has one checkbox for each).
BACKDATED_START = "C14"
MINIMUM_WAGE_UNKNOWN = "C15"


# --- plain-value checks, shared with the payroll risk rules -----------------------------------------------------


def monthly_equivalent(amount: Decimal, pay_form: PayForm) -> Decimal | None:
    """Convert pay to a monthly amount for the minimum-wage comparison.

    Daily pay counts 21.75 working days a month. Piece pay cannot be converted: its monthly value depends on the work
    quota, which the contract does not fix, so piece rates are never compared with the minimum wage here (payroll
    rule R06 checks what was actually paid).
    """
    if pay_form is PayForm.MONTHLY:
        return amount
    if pay_form is PayForm.DAILY:
        return amount * WORKING_DAYS_PER_MONTH
    return None


def minimum_wage_outcome(amount: Decimal, pay_form: PayForm, minimum_monthly: Decimal | None) -> Outcome:
    """R02's comparison: inconclusive without a known minimum or for a piece rate, else below it or not."""
    monthly = monthly_equivalent(amount, pay_form)
    if minimum_monthly is None or monthly is None:
        return Outcome.INCONCLUSIVE
    return Outcome.VIOLATION if monthly < minimum_monthly else Outcome.COMPLIANT


def term_lasts_at_least(start: date, end: date, months: int) -> bool:
    """Whether a fixed term from ``start`` to ``end`` (both days included) is ``months`` months or longer.

    A term from 2026-03-01 to 2026-05-31 is exactly three months; to 2026-05-30 it is not.
    """
    return end + timedelta(days=1) >= add_months(start, months)


def probation_limit_for(term_type: TermType, start: date, end: date | None) -> int | None:
    """The longest probation 第十九条 allows for a term in months, or None when a fixed term is incomplete."""
    if term_type is TermType.TASK:
        return 0
    if term_type is TermType.OPEN_ENDED:
        return MAX_PROBATION_MONTHS
    if end is None or end < start:
        return None
    for months, limit in ((36, 6), (12, 2), (3, 1)):
        if term_lasts_at_least(start, end, months):
            return limit
    return 0


def probation_limit_months(terms: ContractTerms) -> int | None:
    return probation_limit_for(terms.term_type, terms.start_date, terms.end_date)


def probation_pay_floor(pay_amount: Decimal) -> Decimal:
    """80 per cent of the agreed pay (第二十条); the minimum wage is the second floor."""
    return pay_amount * PROBATION_PAY_FLOOR


def pay_day_valid(day: object) -> bool:
    """Wages are paid at least monthly, on a fixed day of the month (条例第十二条; a short month pays on its last day)."""
    return isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31


def backdated(start: date, today: date) -> bool:
    """The start is more than one month before the signing day, when 第八十二条 double wages may already be owed."""
    return add_months(start, 1) < today


# --- rules on pay ------------------------------------------------------------------------------------------------


def pay_stated(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C04: a positive amount, and for a piece rate the unit it is paid for."""
    problems = []
    if not positive(terms.pay_amount):
        message = _("The pay must be an amount greater than zero (required by %(clause)s).", clause=art17(6))
        problems.append(TermProblem("pay_amount", art17(6), message))
    if terms.pay_form is PayForm.PIECE and blank(terms.piece_unit):
        message = _(
            "Piece-rate pay needs the unit the rate is paid for, such as a square metre (required by %(clause)s).",
            clause=art17(6),
        )
        problems.append(TermProblem("piece_unit", art17(6), message))
    return problems


def pay_day(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C05: a fixed pay day each month."""
    if pay_day_valid(terms.pay_day):
        return []
    message = _("The pay day must be a day of the month from 1 to 31 (%(clause)s).", clause=WAGE_REG_PAY_DAY)
    return [TermProblem("pay_day", WAGE_REG_PAY_DAY, message)]


def own_account(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C06: wages go into the worker's own bank account."""
    if terms.paid_to_own_bank_account is True:
        return []
    message = _("Wages must be paid into the worker's own bank account (%(clause)s).", clause=WAGE_REG_OWN_ACCOUNT)
    return [TermProblem("paid_to_own_bank_account", WAGE_REG_OWN_ACCOUNT, message)]


def minimum_wage(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C07: the agreed pay is not below the site county's minimum wage on the start date."""
    minimum = facts.minimum_wage_monthly
    if not positive(terms.pay_amount) or minimum_wage_outcome(terms.pay_amount, terms.pay_form, minimum) is not Outcome.VIOLATION:
        return []
    assert minimum is not None
    message = _(
        "The agreed pay is worth %(monthly)s yuan a month, below the local minimum wage of %(minimum)s yuan (%(clause)s).",
        monthly=yuan(monthly_equivalent(terms.pay_amount, terms.pay_form) or Decimal(0)),
        minimum=yuan(minimum),
        clause=LABOUR_LAW_MINIMUM_WAGE,
    )
    return [TermProblem("pay_amount", LABOUR_LAW_MINIMUM_WAGE, message)]


def minimum_wage_unknown(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C15 (confirm): without the minimum wage on the start date the pay cannot be checked; R02 is inconclusive."""
    if facts.minimum_wage_monthly is not None:
        return []
    message = _(
        "No minimum wage is known for the site's county on the start date %(start)s, so the pay cannot be checked "
        "against it (%(clause)s). Check the local minimum wage yourself before issuing; the contract will carry a note "
        "that this check was inconclusive.",
        start=terms.start_date.isoformat(),
        clause=MINIMUM_WAGE_PLACE,
    )
    return [TermProblem("start_date", MINIMUM_WAGE_PLACE, message)]


# --- rules on probation --------------------------------------------------------------------------------------------


def probation_length(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C08: probation only as long as 第十九条 allows for the term, and never the whole term."""
    months = terms.probation_months
    if isinstance(months, bool) or not 0 <= months <= MAX_PROBATION_MONTHS:
        message = _("The probation period must be between 0 and 6 months (%(clause)s).", clause=ART19_LIMITS)
        return [TermProblem("probation_months", ART19_LIMITS, message)]
    problem = _probation_length_problem(terms) if months else None
    return [problem] if problem else []


def _probation_length_problem(terms: ContractTerms) -> TermProblem | None:
    limit = probation_limit_months(terms)
    if limit is None:
        return None  # the incomplete term is reported by C02
    if terms.term_type is TermType.TASK:
        message = _(
            "A contract for the completion of a task may not have a probation period (%(clause)s).",
            clause=ART19_NO_PROBATION,
        )
        return TermProblem("probation_months", ART19_NO_PROBATION, message)
    if limit == 0:
        message = _(
            "A contract shorter than three months may not have a probation period (%(clause)s).",
            clause=ART19_NO_PROBATION,
        )
        return TermProblem("probation_months", ART19_NO_PROBATION, message)
    if terms.end_date is not None and add_months(terms.start_date, terms.probation_months) > terms.end_date:
        message = _(
            "The probation period covers the whole contract term; a contract cannot consist of probation only (%(clause)s).",
            clause=ART19_ONLY_PROBATION,
        )
        return TermProblem("probation_months", ART19_ONLY_PROBATION, message)
    if terms.probation_months > limit:
        message = ngettext(
            "For this contract term the probation period may be at most %(num)d month (%(clause)s).",
            "For this contract term the probation period may be at most %(num)d months (%(clause)s).",
            limit,
            clause=ART19_LIMITS,
        )
        return TermProblem("probation_months", ART19_LIMITS, message)
    return None


def probation_once(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C09: one employer may agree probation with one worker only once, so never after an earlier contract."""
    if not facts.earlier_contract_with_employer or terms.probation_months == 0 or isinstance(terms.probation_months, bool):
        return []
    message = _(
        "This worker has already had a contract with this employer, and an employer may set a probation period "
        "with the same worker only once: remove the probation period (%(clause)s).",
        clause=ART19_ONCE,
    )
    return [TermProblem("probation_months", ART19_ONCE, message)]


def probation_pay(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C10: probation pay at least 80 per cent of the agreed pay and not below the minimum wage."""
    pay, months = terms.probation_pay, terms.probation_months
    if pay is None or not positive(terms.pay_amount) or probation_length(terms, facts) or not months:
        return []
    if not positive(pay) or pay < probation_pay_floor(terms.pay_amount):
        message = _(
            "Pay during probation must be at least 80 per cent of the agreed pay, that is %(floor)s yuan (%(clause)s).",
            floor=yuan(probation_pay_floor(terms.pay_amount)),
            clause=ART20,
        )
        return [TermProblem("probation_pay", ART20, message)]
    minimum = facts.minimum_wage_monthly
    if minimum_wage_outcome(pay, terms.pay_form, minimum) is not Outcome.VIOLATION:
        return []
    assert minimum is not None
    message = _(
        "Pay during probation is worth %(monthly)s yuan a month, below the local minimum wage of %(minimum)s yuan (%(clause)s).",
        monthly=yuan(monthly_equivalent(pay, terms.pay_form) or Decimal(0)),
        minimum=yuan(minimum),
        clause=ART20,
    )
    return [TermProblem("probation_pay", ART20, message)]


# --- rules on the worker's age and on dates ----------------------------------------------------------------------


def minimum_age(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C11: nobody under 16 on the start date (禁止使用童工规定)."""
    birth = ages.birth_date_of(terms.worker.id_number)
    if birth is None or not ages.too_young_on(birth, terms.start_date):
        return []
    message = _(
        "The worker is under 16 on the start date, and employing anyone under 16 is prohibited (%(clause)s).",
        clause=LABOUR_LAW_MINIMUM_AGE,
    )
    return [TermProblem("worker.id_number", LABOUR_LAW_MINIMUM_AGE, message)]


def retirement_age(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C12: no labour contract at or after the statutory retirement age; a labour-service agreement fits instead."""
    birth, male = ages.birth_date_of(terms.worker.id_number), ages.is_male(terms.worker.id_number)
    if birth is None or male is None or not ages.retired_on(birth, terms.start_date, male=male):
        return []
    message = _(
        "The worker reaches the statutory retirement age on %(date)s, on or before the start date, so a labour contract "
        "cannot be concluded (%(clause)s; %(decision)s). Use a labour-service agreement for this work instead.",
        date=ages.retirement_date(birth, male=male).isoformat(),
        clause=RETIREMENT,
        decision=RETIREMENT_DECISION,
    )
    return [TermProblem("worker.id_number", RETIREMENT, message)]


def minor_worker(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C13 (note): a worker aged 16 or 17 is a minor worker; the contract carries the restrictions."""
    birth = ages.birth_date_of(terms.worker.id_number)
    if birth is None or not ages.is_minor_on(birth, terms.start_date):
        return []
    message = _(
        "Minor worker (aged 16 or 17 on the start date): the contract forbids work at height and other prohibited "
        "work, and requires regular health checks (%(clause)s).",
        clause=MINOR_WORKERS,
    )
    return [TermProblem("worker.id_number", MINOR_WORKERS, message)]


def backdated_start(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C14 (confirm): a start more than a month back means the worker may be owed double wages (第八十二条)."""
    if not backdated(terms.start_date, facts.today):
        return []
    message = _(
        "The start date %(start)s is more than one month before today. If the worker has worked since then without a "
        "written contract, the employer owes double wages for each month after the first (%(clause)s). Confirm that "
        "the start date is the real first day of work.",
        start=terms.start_date.isoformat(),
        clause=ART82,
    )
    return [TermProblem("start_date", ART82, message)]


RULES = (
    Rule("C01", "L-29", "《劳动合同法》第十七条", Effect.REFUSE, clauses.mandatory_clauses),
    Rule("C02", "L-31", "《劳动合同法》第十二条至第十五条", Effect.REFUSE, clauses.term_fits_type),
    Rule("C03", "L-29", art17(5), Effect.REFUSE, clauses.hours_cycle),
    Rule("C04", "L-39", art17(6), Effect.REFUSE, pay_stated),
    Rule("C05", "L-41", WAGE_REG_PAY_DAY, Effect.REFUSE, pay_day),
    Rule("C06", "L-40", WAGE_REG_OWN_ACCOUNT, Effect.REFUSE, own_account),
    Rule("C07", "L-35", LABOUR_LAW_MINIMUM_WAGE, Effect.REFUSE, minimum_wage),
    Rule("C08", "L-32", ART19_LIMITS, Effect.REFUSE, probation_length),
    Rule("C09", "L-32", ART19_ONCE, Effect.REFUSE, probation_once),
    Rule("C10", "L-33", ART20, Effect.REFUSE, probation_pay),
    Rule("C11", None, LABOUR_LAW_MINIMUM_AGE, Effect.REFUSE, minimum_age),
    Rule("C12", None, RETIREMENT, Effect.REFUSE, retirement_age),
    Rule("C13", None, MINOR_WORKERS, Effect.NOTE, minor_worker),
    Rule(BACKDATED_START, "L-27", ART82, Effect.CONFIRM, backdated_start),
    Rule(MINIMUM_WAGE_UNKNOWN, "L-35", MINIMUM_WAGE_PLACE, Effect.CONFIRM, minimum_wage_unknown),
)


def validate_terms(
    terms: ContractTerms, *, minimum_wage_monthly: Decimal | None, today: date, earlier_contract_with_employer: bool = False
) -> list[TermProblem]:
    """Return every reason the law refuses the terms; an empty list means the contract may be issued.

    ``minimum_wage_monthly`` is the site county's monthly minimum wage on the start date, or None when it is not
    known (the comparison is then skipped and rule C15 asks the foreman to confirm). ``today`` is the issue date.
    """
    return findings(terms, Facts(today, minimum_wage_monthly, earlier_contract_with_employer), Effect.REFUSE)


def require_valid(
    terms: ContractTerms, *, minimum_wage_monthly: Decimal | None, today: date, earlier_contract_with_employer: bool = False
) -> ContractTerms:
    """Return the terms unchanged when they are lawful.

    :raises TermsInvalid: carrying every problem ``validate_terms`` found.
    """
    facts = Facts(today, minimum_wage_monthly, earlier_contract_with_employer)
    problems = findings(terms, facts, Effect.REFUSE)
    if problems:
        raise TermsInvalid(problems)
    return terms


def findings(terms: ContractTerms, facts: Facts, effect: Effect) -> list[TermProblem]:
    """What the rules of one effect find: the refusals, the warnings to confirm, or the notes."""
    return [problem for rule in RULES if rule.effect is effect for problem in rule.apply(terms, facts)]
