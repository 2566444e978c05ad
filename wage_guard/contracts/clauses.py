"""Rules C01-C03: the mandatory clauses of 《劳动合同法》第十七条 and a contract term that fits its type.

These check that the contract says everything the law requires (legal.md L-04, L-29, L-31); ``rules.py`` holds
the rules on what it says (pay, probation, the worker's age, dates). Pure functions of the terms.
"""

from __future__ import annotations

from operator import attrgetter

from wage_guard.contracts.law import ART14, ART15, Facts, TermProblem, art17, blank
from wage_guard.contracts.terms import ContractTerms, TermType, WorkingHours
from wage_guard.i18n import _, _l

#: Text terms that 第十七条第一款 requires: (field, item of the paragraph, message naming %(clause)s).
MANDATORY_TEXT = (
    ("employer.name", 1, _l("The employer's name is missing (required by %(clause)s).")),
    ("employer.address", 1, _l("The employer's domicile is missing (required by %(clause)s).")),
    (
        "employer.legal_representative",
        1,
        _l("The employer's legal representative or principal is missing (required by %(clause)s)."),
    ),
    ("worker.name", 2, _l("The worker's name is missing (required by %(clause)s).")),
    ("worker.address", 2, _l("The worker's address is missing (required by %(clause)s).")),
    ("worker.id_number", 2, _l("The worker's ID number is missing (required by %(clause)s).")),
    ("job_title", 4, _l("The job or trade is missing (required by %(clause)s).")),
    ("work_place", 4, _l("The place of work is missing (required by %(clause)s).")),
    ("rest_and_leave", 5, _l("The rest and leave arrangements are missing (required by %(clause)s).")),
    ("social_insurance", 7, _l("The social insurance clause is missing (required by %(clause)s).")),
    ("labour_protection", 8, _l("The labour protection and working conditions clause is missing (required by %(clause)s).")),
    ("occupational_hazard_protection", 8, _l("The occupational hazard protection clause is missing (required by %(clause)s).")),
)


def mandatory_clauses(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C01: every text clause of 第十七条第一款 is filled in."""
    return [
        TermProblem(field, art17(item), str(message) % {"clause": art17(item)})
        for field, item, message in MANDATORY_TEXT
        if blank(attrgetter(field)(terms))
    ]


def term_fits_type(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C02: a task names its task and has no end date, an open-ended term has none, a fixed term a future one."""
    if terms.term_type is TermType.TASK:
        problems = []
        if blank(terms.task_description):
            message = _(
                "A contract for the completion of a task must describe the task (required by %(clause)s).", clause=art17(3)
            )
            problems.append(TermProblem("task_description", art17(3), message))
        if terms.end_date is not None:
            message = _(
                "A contract for the completion of a task ends when the task is done and has no end date (%(clause)s).",
                clause=ART15,
            )
            problems.append(TermProblem("end_date", ART15, message))
        return problems
    if terms.term_type is TermType.OPEN_ENDED:
        if terms.end_date is None:
            return []
        return [TermProblem("end_date", ART14, _("An open-ended contract has no end date (%(clause)s).", clause=ART14))]
    return _fixed_term_problems(terms, facts)


def _fixed_term_problems(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    clause = art17(3)
    if terms.end_date is None:
        message = _("A fixed-term contract needs an end date (required by %(clause)s).", clause=clause)
    elif terms.end_date <= terms.start_date:
        message = _("The end date must be after the start date (%(clause)s).", clause=clause)
    elif terms.end_date < facts.today:
        message = _("The end date has already passed; the contract term must not be over (%(clause)s).", clause=clause)
    else:
        return []
    return [TermProblem("end_date", clause, message)]


def hours_cycle(terms: ContractTerms, facts: Facts) -> list[TermProblem]:
    """C03: the comprehensive working-hours system names its accounting cycle."""
    if terms.working_hours is not WorkingHours.COMPREHENSIVE or not blank(terms.hours_cycle):
        return []
    message = _(
        "The comprehensive working-hours system needs its accounting cycle, such as a month or a quarter "
        "(required by %(clause)s).",
        clause=art17(5),
    )
    return [TermProblem("hours_cycle", art17(5), message)]
