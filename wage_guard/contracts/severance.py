"""The grounds on which an employer ends a labour contract alone, and the severance the law attaches to each.

Pure data and functions, no database, so property tests can walk them. The grounds are those of 劳动合同法
Art. 39 (the worker's fault: no notice, no severance), Art. 40 (30 days' written notice or one month's wage in
lieu, severance due), Art. 41 (economic layoff, severance due), Art. 44(1) (a fixed term ends; severance due under
Art. 46(5) unless the employer offered renewal on the same or better terms and the worker refused) and the end of
a task-based contract (实施条例 Art. 22, severance due). A rescission by agreement (Art. 36) is not here: it stays
the two-party rescission agreement. Severance follows Art. 47: one month's wage per full year of service, a year
for six months or more, half a month for less; for a worker earning over three times the local average monthly
wage, that three-fold average for at most twelve years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from wage_guard.contracts.terms import TermType, add_months
from wage_guard.i18n import _l

EndingKind = Literal["termination_notice", "rescission_notice"]
LAW = "《中华人民共和国劳动合同法》"
#: Art. 40: the written notice the employer gives, or one month's wage in lieu of it.
NOTICE_DAYS = 30
#: Art. 47(2): the cap for high earners.
CAP_FACTOR = Decimal(3)
CAP_YEARS = 12


@dataclass(frozen=True)
class Ground:
    """One legal ground, with the wording printed on the notice and what it means for money and notice."""

    code: str
    kind: EndingKind
    #: The article and item, as printed: "第三十九条第（二）项".
    article: str
    #: The statute's words for the ground, printed as the reason's heading.
    text: str
    #: The item of Art. 46 that makes severance due, or None when none is due (Art. 39).
    severance_item: str | None
    #: Days of written notice the law requires (Art. 40), or 0.
    notice_days: int
    #: For a termination: the contract term it applies to.
    term_type: TermType | None
    label: object

    @property
    def severance_due(self) -> bool:
        return self.severance_item is not None


def _g(code: str, kind: EndingKind, article: str, text: str, item: str | None, label: object, **extra: object) -> Ground:
    notice_days = int(extra.get("notice_days", 0))  # type: ignore[call-overload]
    term_type = extra.get("term_type")
    return Ground(code, kind, article, text, item, notice_days, term_type, label)  # type: ignore[arg-type]


R: EndingKind = "rescission_notice"
T: EndingKind = "termination_notice"
GROUNDS: dict[str, Ground] = {
    g.code: g
    for g in (
        _g("44.1", T, "第四十四条第（一）项", "劳动合同期满", "第四十六条第（五）项",
           _l("Art. 44(1): the fixed term has ended"), term_type=TermType.FIXED),
        _g("task", T, "第四十四条、《劳动合同法实施条例》第二十二条", "以完成一定工作任务为期限的劳动合同因任务完成而终止",
           "《劳动合同法实施条例》第二十二条", _l("The task of a task-based contract is completed"), term_type=TermType.TASK),
        _g("39.1", R, "第三十九条第（一）项", "在试用期间被证明不符合录用条件的", None,
           _l("Art. 39(1): shown not to meet the hiring conditions during probation (no severance)")),
        _g("39.2", R, "第三十九条第（二）项", "严重违反用人单位的规章制度的", None,
           _l("Art. 39(2): serious breach of the employer's rules (no severance)")),
        _g("39.3", R, "第三十九条第（三）项", "严重失职，营私舞弊，给用人单位造成重大损害的", None,
           _l("Art. 39(3): serious neglect of duty or graft causing major damage (no severance)")),
        _g("39.4", R, "第三十九条第（四）项",
           "同时与其他用人单位建立劳动关系，对完成本单位的工作任务造成严重影响，或者经用人单位提出，拒不改正的", None,
           _l("Art. 39(4): another employment that seriously affects the work, not corrected (no severance)")),
        _g("39.5", R, "第三十九条第（五）项",
           "因《中华人民共和国劳动合同法》第二十六条第一款第一项规定的情形致使劳动合同无效的", None,
           _l("Art. 39(5): the contract is void through the worker's fraud or duress (no severance)")),
        _g("39.6", R, "第三十九条第（六）项", "被依法追究刑事责任的", None,
           _l("Art. 39(6): the worker is held criminally liable (no severance)")),
        _g("40.1", R, "第四十条第（一）项",
           "劳动者患病或者非因工负伤，在规定的医疗期满后不能从事原工作，也不能从事由用人单位另行安排的工作的",
           "第四十六条第（三）项",
           _l("Art. 40(1): cannot work after the medical treatment period (30 days' notice, severance)"),
           notice_days=NOTICE_DAYS),
        _g("40.2", R, "第四十条第（二）项", "劳动者不能胜任工作，经过培训或者调整工作岗位，仍不能胜任工作的",
           "第四十六条第（三）项",
           _l("Art. 40(2): still incompetent after training or another post (30 days' notice, severance)"),
           notice_days=NOTICE_DAYS),
        _g("40.3", R, "第四十条第（三）项",
           "劳动合同订立时所依据的客观情况发生重大变化，致使劳动合同无法履行，经用人单位与劳动者协商，未能就变更劳动合同内容达成协议的",
           "第四十六条第（三）项",
           _l("Art. 40(3): major change of circumstances, no agreement on changing the contract (30 days' notice, severance)"),
           notice_days=NOTICE_DAYS),
        _g("41", R, "第四十一条", "经济性裁员", "第四十六条第（四）项",
           _l("Art. 41: economic layoff (severance)")),
    )
}  # fmt: skip


def grounds_for(kind: EndingKind) -> list[Ground]:
    return [g for g in GROUNDS.values() if g.kind == kind]


def whole_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` up to ``end`` (0 when ``end`` is not after ``start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def severance_months(first_day: date, last_day: date) -> Decimal:
    """Months of wage owed for service from ``first_day`` to ``last_day``, both included (Art. 47(1)).

    One month per full year; a remainder of six months or more counts as a year, a shorter one as half a month.
    """
    if last_day < first_day:
        return Decimal(0)
    after = last_day + timedelta(days=1)
    months = whole_months(first_day, after)
    years, rest = divmod(months, 12)
    rest_days = (after - add_months(first_day, months)).days
    if rest >= 6:
        return Decimal(years + 1)
    if rest > 0 or rest_days > 0:
        return Decimal(years) + Decimal("0.5")
    return Decimal(years)


@dataclass(frozen=True)
class Severance:
    months: Decimal
    #: Art. 47(2) applied: the wage base is three times the local average and the years at most twelve.
    capped: bool
    monthly_base: Decimal | None
    amount: Decimal | None


def severance(
    first_day: date,
    last_day: date,
    *,
    monthly_wage: Decimal | None = None,
    local_average_monthly: Decimal | None = None,
) -> Severance:
    """Severance for the service period; with the wage (the average of the last twelve months, Art. 47(3)) also
    the amount, capped for a worker earning more than three times ``local_average_monthly``."""
    months = severance_months(first_day, last_day)
    if monthly_wage is None:
        return Severance(months, False, None, None)
    base = monthly_wage
    capped = local_average_monthly is not None and monthly_wage > CAP_FACTOR * local_average_monthly
    if capped:
        assert local_average_monthly is not None
        base = CAP_FACTOR * local_average_monthly
        months = min(months, Decimal(CAP_YEARS))
    amount = (base * months).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Severance(months, capped, base, amount)


def short_notice(ground: Ground, issued_on: date, effective: date) -> bool:
    """Whether the effective date comes before the written notice the ground needs has run (Art. 40)."""
    return ground.notice_days > 0 and effective < issued_on + timedelta(days=ground.notice_days)
