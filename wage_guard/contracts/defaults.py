"""Our standard wording for a construction labour contract, and the clauses the rules add for particular workers.

Kept apart from the data (``terms.py``) and the legal checks (``rules.py``) because it is editorial: the employer's
lawyers may reword a clause without touching what a contract is or what the law refuses. The wording of the rest,
insurance and safety clauses follows the government model contract (legal.md L-04); the restriction for a minor
worker follows 《劳动法》第五十八条、第六十四条、第六十五条 and 《未成年工特殊保护规定》.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from wage_guard.contracts.terms import ContractTerms, EmployerParty, PayForm, TermType, WorkerParty, WorkingHours

DEFAULT_REST_AND_LEAVE = (
    "甲方保证乙方每周至少休息一日；安排乙方延长工作时间或者在休息日、法定节假日工作的，依法安排补休或者支付加班工资。"
    "乙方依法享受法定节假日、年休假、婚假、丧假、产假等假期。"
)
DEFAULT_SOCIAL_INSURANCE = (
    "甲方依法为乙方参加工伤保险（可按建设项目参加），并依法办理其他社会保险登记、按时足额缴纳社会保险费；"
    "乙方个人应缴纳的部分由甲方从工资中代扣代缴，并告知乙方缴费情况。"
)
DEFAULT_LABOUR_PROTECTION = (
    "甲方提供符合国家标准的安全防护设施和劳动条件，免费发放安全帽、安全带、防护鞋等合格的劳动防护用品，"
    "并在乙方上岗前进行安全生产教育和岗位技能培训；乙方应正确佩戴和使用防护用品，遵守安全操作规程。"
)
DEFAULT_OCCUPATIONAL_HAZARD_PROTECTION = (
    "甲方如实告知乙方工作岗位可能产生的粉尘、噪声、高温、有毒有害物质等职业病危害及其后果和防护措施，"
    "落实防暑降温等防护措施，并按规定组织上岗前、在岗期间和离岗时的职业健康检查，检查费用由甲方承担。"
)
#: Added to the other terms of a worker aged 16 or 17 on the start date (未成年工).
MINOR_WORKER_CLAUSE = (
    "乙方为未成年工（已满十六周岁、未满十八周岁）。依照《劳动法》第六十四条、第六十五条和《未成年工特殊保护规定》，"
    "甲方不得安排乙方从事高处作业，不得安排乙方从事矿山井下、有毒有害、国家规定的第四级体力劳动强度的劳动"
    "和其他禁忌从事的劳动；甲方应定期对乙方进行健康检查，并按规定办理未成年工登记。"
)


def default_construction_terms(
    employer: EmployerParty,
    worker: WorkerParty,
    *,
    job_title: str,
    work_place: str,
    start_date: date,
    pay_form: PayForm,
    pay_amount: Decimal,
    pay_day: int,
    term_type: TermType = TermType.TASK,
    end_date: date | None = None,
    task_description: str = "",
    piece_unit: str = "",
    working_hours: WorkingHours = WorkingHours.STANDARD,
    hours_cycle: str = "",
    probation_months: int = 0,
    probation_pay: Decimal | None = None,
    other_terms: str = "",
) -> ContractTerms:
    """Build terms for a construction worker with our standard wording for the rest, insurance and safety clauses.

    The term defaults to the task-based type because most site work ends with the project; the caller must then
    give ``task_description`` (``rules.validate_terms`` says so otherwise).
    """
    return ContractTerms(
        employer=employer,
        worker=worker,
        term_type=term_type,
        start_date=start_date,
        end_date=end_date,
        task_description=task_description,
        job_title=job_title,
        work_place=work_place,
        working_hours=working_hours,
        hours_cycle=hours_cycle,
        rest_and_leave=DEFAULT_REST_AND_LEAVE,
        pay_form=pay_form,
        pay_amount=pay_amount,
        piece_unit=piece_unit,
        pay_day=pay_day,
        probation_months=probation_months,
        probation_pay=probation_pay,
        social_insurance=DEFAULT_SOCIAL_INSURANCE,
        labour_protection=DEFAULT_LABOUR_PROTECTION,
        occupational_hazard_protection=DEFAULT_OCCUPATIONAL_HAZARD_PROTECTION,
        other_terms=other_terms,
    )


def with_minor_worker_clause(terms: ContractTerms) -> ContractTerms:
    """The terms with the minor-worker restriction first in the other terms (once, however often it is applied)."""
    if MINOR_WORKER_CLAUSE in terms.other_terms:
        return terms
    other = "\n".join(part for part in (MINOR_WORKER_CLAUSE, terms.other_terms.strip()) if part)
    return replace(terms, other_terms=other)
