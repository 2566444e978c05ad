"""Structured terms of a construction labour contract, their storage form, and the legal checks on them.

The terms are data, not text: the PDF, the worker's phone page and the payroll rules all read the same fields, so a
pay day or a probation period cannot differ between what was signed and what is enforced. ``validate_terms`` refuses
a contract that lacks a mandatory clause of 《劳动合同法》第十七条 or breaks the probation and pay rules, because the
employer is liable for issuing one (legal.md L-04, L-29, L-32, L-33); every problem names the provision it comes from.

Pure functions with no database or Flask request, so the rules are table- and property-tested on their own.
"""

from __future__ import annotations

import calendar
import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from operator import attrgetter
from typing import Any

from wage_guard.i18n import _, _l, ngettext

#: Bumped when the stored form changes incompatibly.
SCHEMA_VERSION = 1
#: Average working days per month used to compare a daily wage with a monthly minimum (劳社部发〔2008〕3号).
WORKING_DAYS_PER_MONTH = Decimal("21.75")
PROBATION_PAY_FLOOR = Decimal("0.8")
MAX_PROBATION_MONTHS = 6

LCL = "《劳动合同法》"
ART17_ITEMS = ("一", "二", "三", "四", "五", "六", "七", "八", "九")
ART14 = LCL + "第十四条"
ART15 = LCL + "第十五条"
ART19_LIMITS = LCL + "第十九条第一款"
ART19_NO_PROBATION = LCL + "第十九条第三款"
ART19_ONLY_PROBATION = LCL + "第十九条第四款"
ART20 = LCL + "第二十条"
LABOUR_LAW_MINIMUM_WAGE = "《劳动法》第四十八条"
WAGE_REG_PAY_DAY = "《保障农民工工资支付条例》第十二条"
WAGE_REG_OWN_ACCOUNT = "《保障农民工工资支付条例》第三十一条"
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


def art17(item: int) -> str:
    """Name an item of 《劳动合同法》第十七条第一款, e.g. ``art17(6)`` for remuneration."""
    return f"{LCL}第十七条第一款第（{ART17_ITEMS[item - 1]}）项"


class TermType(StrEnum):
    FIXED = "fixed"  # 固定期限
    OPEN_ENDED = "open_ended"  # 无固定期限
    TASK = "task"  # 以完成一定工作任务为期限


class WorkingHours(StrEnum):
    STANDARD = "standard"  # 标准工时工作制
    COMPREHENSIVE = "comprehensive"  # 综合计算工时工作制
    FLEXIBLE = "flexible"  # 不定时工作制


class PayForm(StrEnum):
    MONTHLY = "monthly"  # pay_amount per month
    DAILY = "daily"  # pay_amount per day worked
    PIECE = "piece"  # pay_amount per piece_unit of work


@dataclass(frozen=True)
class EmployerParty:
    name: str
    credit_code: str  # 统一社会信用代码
    legal_representative: str  # 法定代表人或者主要负责人
    address: str  # 住所
    phone: str


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    phone: str
    relationship: str = ""


@dataclass(frozen=True)
class WorkerParty:
    name: str
    id_number: str
    address: str
    phone: str
    emergency_contact: EmergencyContact | None = None


@dataclass(frozen=True)
class ContractTerms:
    """Everything the parties agree. Money is in yuan; ``probation_pay`` is in the same unit as ``pay_amount``."""

    employer: EmployerParty
    worker: WorkerParty
    term_type: TermType
    start_date: date
    job_title: str  # 岗位/工种
    work_place: str
    working_hours: WorkingHours
    rest_and_leave: str
    pay_form: PayForm
    pay_amount: Decimal
    pay_day: int  # wages are paid monthly, in full, by this day of the month
    social_insurance: str
    labour_protection: str  # 劳动保护和劳动条件
    occupational_hazard_protection: str
    end_date: date | None = None  # last day of a fixed term, inclusive
    task_description: str = ""  # the task whose completion ends a task-based contract
    hours_cycle: str = ""  # accounting cycle of the comprehensive system, e.g. "月" or "季度"
    piece_unit: str = ""  # the unit a piece rate is paid per, e.g. "平方米"
    paid_to_own_bank_account: bool = True
    probation_months: int = 0
    probation_pay: Decimal | None = None  # None means the agreed pay applies during probation
    other_terms: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-compatible dict (dates as ISO text, money as decimal text) for storage."""
        encoded = _encode(self)
        assert isinstance(encoded, dict)
        return {"schema": SCHEMA_VERSION, **encoded}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContractTerms:
        """Rebuild terms stored by ``to_dict``.

        :raises ValueError: when the data has another schema version, unknown or missing keys, or wrong types.
        """
        fields = dict(data)
        if fields.pop("schema", None) != SCHEMA_VERSION:
            raise ValueError(f"unsupported contract terms schema: {data.get('schema')!r}")
        result = _decode(cls, fields, "terms")
        assert isinstance(result, ContractTerms)
        return result


@dataclass(frozen=True)
class TermProblem:
    field: str  # dotted path of the offending field, e.g. ``worker.id_number``
    clause: str  # the provision, e.g. 《劳动合同法》第十九条第一款
    message: str  # translated, user-facing, names the clause


class TermsInvalid(ValueError):
    """The terms break the law; ``problems`` lists every reason and ``str()`` joins their messages."""

    def __init__(self, problems: list[TermProblem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))


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
    give ``task_description`` (``validate_terms`` says so otherwise).
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


def validate_terms(terms: ContractTerms, *, minimum_wage_monthly: Decimal | None, today: date) -> list[TermProblem]:
    """Return every legal problem with the terms; an empty list means the contract may be issued.

    ``minimum_wage_monthly`` is the monthly minimum wage at the place of work (实施条例第十四条), or None when it is
    not known; the minimum-wage checks are skipped then. ``today`` rejects a fixed term that has already ended.
    """
    return [
        *_mandatory_problems(terms),
        *_term_problems(terms, today),
        *_hours_problems(terms),
        *_pay_problems(terms, minimum_wage_monthly),
        *_probation_problems(terms, minimum_wage_monthly),
    ]


def require_valid(terms: ContractTerms, *, minimum_wage_monthly: Decimal | None, today: date) -> ContractTerms:
    """Return the terms unchanged when they are lawful.

    :raises TermsInvalid: carrying every problem ``validate_terms`` found.
    """
    problems = validate_terms(terms, minimum_wage_monthly=minimum_wage_monthly, today=today)
    if problems:
        raise TermsInvalid(problems)
    return terms


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later; without that day in the target month, its last day (民法典第二百零三条)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def term_lasts_at_least(start: date, end: date, months: int) -> bool:
    """Whether a fixed term from ``start`` to ``end`` (both days included) is ``months`` months or longer.

    A term from 2026-03-01 to 2026-05-31 is exactly three months; to 2026-05-30 it is not.
    """
    return end + timedelta(days=1) >= add_months(start, months)


def probation_limit_months(terms: ContractTerms) -> int | None:
    """Return the longest probation 《劳动合同法》第十九条 allows for this term, or None when the term is incomplete."""
    if terms.term_type is TermType.TASK:
        return 0
    if terms.term_type is TermType.OPEN_ENDED:
        return MAX_PROBATION_MONTHS
    if terms.end_date is None or terms.end_date < terms.start_date:
        return None
    for months, limit in ((36, 6), (12, 2), (3, 1)):
        if term_lasts_at_least(terms.start_date, terms.end_date, months):
            return limit
    return 0


def monthly_equivalent(amount: Decimal, pay_form: PayForm) -> Decimal | None:
    """Convert pay to a monthly amount for the minimum-wage comparison.

    Daily pay counts 21.75 working days a month. Piece pay cannot be converted: its monthly value depends on the work
    quota, which the contract does not fix, so piece rates are never compared with the minimum wage here (payroll
    rule R-07 checks what was actually paid).
    """
    if pay_form is PayForm.MONTHLY:
        return amount
    if pay_form is PayForm.DAILY:
        return amount * WORKING_DAYS_PER_MONTH
    return None


def _mandatory_problems(terms: ContractTerms) -> list[TermProblem]:
    return [
        TermProblem(field, art17(item), str(message) % {"clause": art17(item)})
        for field, item, message in MANDATORY_TEXT
        if _blank(attrgetter(field)(terms))
    ]


def _term_problems(terms: ContractTerms, today: date) -> list[TermProblem]:
    if terms.term_type is TermType.TASK:
        problems = []
        if _blank(terms.task_description):
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
    return _fixed_term_problems(terms, today)


def _fixed_term_problems(terms: ContractTerms, today: date) -> list[TermProblem]:
    clause = art17(3)
    if terms.end_date is None:
        message = _("A fixed-term contract needs an end date (required by %(clause)s).", clause=clause)
    elif terms.end_date <= terms.start_date:
        message = _("The end date must be after the start date (%(clause)s).", clause=clause)
    elif terms.end_date < today:
        message = _("The end date has already passed; the contract term must not be over (%(clause)s).", clause=clause)
    else:
        return []
    return [TermProblem("end_date", clause, message)]


def _hours_problems(terms: ContractTerms) -> list[TermProblem]:
    if terms.working_hours is not WorkingHours.COMPREHENSIVE or not _blank(terms.hours_cycle):
        return []
    message = _(
        "The comprehensive working-hours system needs its accounting cycle, such as a month or a quarter "
        "(required by %(clause)s).",
        clause=art17(5),
    )
    return [TermProblem("hours_cycle", art17(5), message)]


def _pay_problems(terms: ContractTerms, minimum_wage_monthly: Decimal | None) -> list[TermProblem]:
    problems = []
    if not _positive(terms.pay_amount):
        message = _("The pay must be an amount greater than zero (required by %(clause)s).", clause=art17(6))
        problems.append(TermProblem("pay_amount", art17(6), message))
    if terms.pay_form is PayForm.PIECE and _blank(terms.piece_unit):
        message = _(
            "Piece-rate pay needs the unit the rate is paid for, such as a square metre (required by %(clause)s).",
            clause=art17(6),
        )
        problems.append(TermProblem("piece_unit", art17(6), message))
    if isinstance(terms.pay_day, bool) or not 1 <= terms.pay_day <= 31:
        message = _("The pay day must be a day of the month from 1 to 31 (%(clause)s).", clause=WAGE_REG_PAY_DAY)
        problems.append(TermProblem("pay_day", WAGE_REG_PAY_DAY, message))
    if terms.paid_to_own_bank_account is not True:
        message = _("Wages must be paid into the worker's own bank account (%(clause)s).", clause=WAGE_REG_OWN_ACCOUNT)
        problems.append(TermProblem("paid_to_own_bank_account", WAGE_REG_OWN_ACCOUNT, message))
    if _positive(terms.pay_amount):
        problems.extend(_minimum_wage_problems(terms, minimum_wage_monthly))
    return problems


def _minimum_wage_problems(terms: ContractTerms, minimum_wage_monthly: Decimal | None) -> list[TermProblem]:
    monthly = monthly_equivalent(terms.pay_amount, terms.pay_form)
    if minimum_wage_monthly is None or monthly is None or monthly >= minimum_wage_monthly:
        return []
    message = _(
        "The agreed pay is worth %(monthly)s yuan a month, below the local minimum wage of %(minimum)s yuan (%(clause)s).",
        monthly=_yuan(monthly),
        minimum=_yuan(minimum_wage_monthly),
        clause=LABOUR_LAW_MINIMUM_WAGE,
    )
    return [TermProblem("pay_amount", LABOUR_LAW_MINIMUM_WAGE, message)]


def _probation_problems(terms: ContractTerms, minimum_wage_monthly: Decimal | None) -> list[TermProblem]:
    months = terms.probation_months
    if isinstance(months, bool) or not 0 <= months <= MAX_PROBATION_MONTHS:
        message = _("The probation period must be between 0 and 6 months (%(clause)s).", clause=ART19_LIMITS)
        return [TermProblem("probation_months", ART19_LIMITS, message)]
    if months == 0:
        return []
    problem = _probation_length_problem(terms)
    if problem is not None:
        return [problem]
    return _probation_pay_problems(terms, minimum_wage_monthly)


def _probation_length_problem(terms: ContractTerms) -> TermProblem | None:
    limit = probation_limit_months(terms)
    if limit is None:
        return None  # the incomplete term is reported by _term_problems
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


def _probation_pay_problems(terms: ContractTerms, minimum_wage_monthly: Decimal | None) -> list[TermProblem]:
    pay = terms.probation_pay
    if pay is None or not _positive(terms.pay_amount):
        return []
    if not _positive(pay) or pay < terms.pay_amount * PROBATION_PAY_FLOOR:
        message = _(
            "Pay during probation must be at least 80 per cent of the agreed pay, that is %(floor)s yuan (%(clause)s).",
            floor=_yuan(terms.pay_amount * PROBATION_PAY_FLOOR),
            clause=ART20,
        )
        return [TermProblem("probation_pay", ART20, message)]
    monthly = monthly_equivalent(pay, terms.pay_form)
    if minimum_wage_monthly is None or monthly is None or monthly >= minimum_wage_monthly:
        return []
    message = _(
        "Pay during probation is worth %(monthly)s yuan a month, below the local minimum wage of %(minimum)s yuan (%(clause)s).",
        monthly=_yuan(monthly),
        minimum=_yuan(minimum_wage_monthly),
        clause=ART20,
    )
    return [TermProblem("probation_pay", ART20, message)]


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _positive(amount: object) -> bool:
    return isinstance(amount, Decimal) and amount.is_finite() and amount > 0


def _yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(kind: Any, value: object, where: str) -> object:
    """Rebuild a value of the annotated type ``kind``, strictly: storage must not drift silently."""
    if typing.get_origin(kind) in (typing.Union, _UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return None if value is None else _decode(options[0], value, where)
    if dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, value, where)
    decoder: Callable[[Any], object] | None = _SCALARS.get(kind)
    if decoder is None and isinstance(kind, type) and issubclass(kind, StrEnum):
        decoder = kind
    if decoder is None:
        raise TypeError(f"{where}: no decoder for {kind!r}")
    raw = _expect(value, _SOURCE_TYPES.get(kind, str), where)
    try:
        return decoder(raw)
    except (ValueError, InvalidOperation) as error:
        raise ValueError(f"{where}: invalid value {value!r}") from error


def _decode_dataclass(kind: Any, value: object, where: str) -> object:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
    hints = typing.get_type_hints(kind)
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = set(value) - names
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    missing = {f.name for f in dataclasses.fields(kind) if f.name not in value and _required(f)}
    if missing:
        raise ValueError(f"{where}: missing keys {sorted(missing)}")
    return kind(**{name: _decode(hints[name], item, f"{where}.{name}") for name, item in value.items()})


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _expect(value: object, kind: type, where: str) -> object:
    if type(value) is not kind:
        raise ValueError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


_UnionType = type(int | None)
_SCALARS: dict[Any, Callable[[Any], object]] = {str: str, int: int, bool: bool, Decimal: Decimal, date: date.fromisoformat}
_SOURCE_TYPES: dict[Any, type] = {int: int, bool: bool}
