"""The shape every contract rule shares, and the names of the provisions the rules cite.

Split from ``rules.py`` so that the rule modules (``clauses.py`` for the mandatory clauses, ``rules.py`` for pay,
probation, ages and dates) and, later, the payroll risk rules (risk-rules.md) build on one vocabulary: a rule is a
code, a legal.md item, an article and one small function; a finding names its field, provision and rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from wage_guard.contracts.terms import ContractTerms

LCL = "《劳动合同法》"
ART17_ITEMS = ("一", "二", "三", "四", "五", "六", "七", "八", "九")
ART14 = LCL + "第十四条"
ART15 = LCL + "第十五条"
ART19_LIMITS = LCL + "第十九条第一款"
ART19_ONCE = LCL + "第十九条第二款"
ART19_NO_PROBATION = LCL + "第十九条第三款"
ART19_ONLY_PROBATION = LCL + "第十九条第四款"
ART20 = LCL + "第二十条"
ART82 = LCL + "第八十二条"
LABOUR_LAW_MINIMUM_WAGE = "《劳动法》第四十八条"
LABOUR_LAW_MINIMUM_AGE = "《劳动法》第十五条"
RETIREMENT = "《劳动合同法实施条例》第二十一条"
RETIREMENT_DECISION = "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》"
MINOR_WORKERS = "《劳动法》第五十八条、第六十四条"
MINIMUM_WAGE_PLACE = "《劳动合同法实施条例》第十四条"
WAGE_REG_PAY_DAY = "《保障农民工工资支付条例》第十二条"
WAGE_REG_OWN_ACCOUNT = "《保障农民工工资支付条例》第三十一条"


def art17(item: int) -> str:
    """Name an item of 《劳动合同法》第十七条第一款, e.g. ``art17(6)`` for remuneration."""
    return f"{LCL}第十七条第一款第（{ART17_ITEMS[item - 1]}）项"


class Effect(StrEnum):
    REFUSE = "refuse"  # the contract may not be issued
    CONFIRM = "confirm"  # the foreman may issue it only after confirming the warning
    NOTE = "note"  # the contract is issued and marked


class Outcome(StrEnum):
    """The three outcomes of a risk rule (risk-rules.md): never silently compliant for lack of data."""

    VIOLATION = "violation"
    COMPLIANT = "compliant"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Facts:
    """What the rules need besides the terms."""

    today: date  # the issue (signing) date in China
    #: The monthly minimum wage of the site's county in force on the contract's start date (实施条例第十四条).
    minimum_wage_monthly: Decimal | None = None
    #: The worker had a concluded contract (and so any probation) with this employer before (第十九条第二款).
    earlier_contract_with_employer: bool = False


@dataclass(frozen=True)
class TermProblem:
    field: str  # dotted path of the offending field, e.g. ``worker.id_number``
    clause: str  # the provision, e.g. 《劳动合同法》第十九条第一款
    message: str  # translated, user-facing, names the clause
    rule: str = ""  # the code of the rule that found it, e.g. ``C08``


class TermsInvalid(ValueError):
    """The terms break the law; ``problems`` lists every reason and ``str()`` joins their messages."""

    def __init__(self, problems: list[TermProblem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))


Check = Callable[[ContractTerms, Facts], list[TermProblem]]


@dataclass(frozen=True)
class Rule:
    code: str
    legal_id: str | None  # the item in legal.md, e.g. ``L-32``; None where legal.md has none
    article: str
    effect: Effect
    check: Check

    def apply(self, terms: ContractTerms, facts: Facts) -> list[TermProblem]:
        return [replace(p, rule=self.code) for p in self.check(terms, facts)]


def blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def positive(amount: object) -> bool:
    return isinstance(amount, Decimal) and amount.is_finite() and amount > 0


def yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"
