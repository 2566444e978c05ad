"""A worker's birth date and sex from the ID number, and the statutory ages that decide whether a labour contract
may be concluded at all: the minimum working age, the minor-worker band and the statutory retirement age.

The retirement age follows the table annexed to 《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》
(2024-09-13, in force 2025-01-01): from a first birth cohort, each later cohort of ``months_per_step`` birth months
retires one month later, until the raise reaches its cap. Men: 60 years, first cohort born 1965-01, one month per 4
birth months, capped at 63 (born 1976-09 or later). Women workers (女职工, original age 50): first cohort born 1975-01,
one month per 2 birth months, capped at 55 (born 1984-11 or later). Women cadres (original age 55): first cohort
1970-01, one month per 4 birth months, capped at 58 (born 1981-09 or later); kept for completeness, construction
workers use the women-worker schedule. Pure functions: the rules and the risk engine share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from wage_guard.contracts.terms import add_months
from wage_guard.enrollment.identity import age_on

#: 《劳动法》第十五条: no one under 16 may be employed (禁止使用童工规定).
MINIMUM_WORKING_AGE = 16
#: 《劳动法》第五十八条: a worker aged 16 or 17 is a minor worker (未成年工).
ADULT_AGE = 18


@dataclass(frozen=True)
class RetirementSchedule:
    """One row group of the 2024 decision's annex."""

    original_years: int
    first_cohort: date  # the first birth month whose retirement age is raised
    months_per_step: int  # birth months per one month of raise
    cap_months: int  # the largest raise

    def age_in_months(self, birth: date) -> int:
        """The statutory retirement age of someone born on ``birth``, in months."""
        offset = (birth.year - self.first_cohort.year) * 12 + birth.month - self.first_cohort.month
        raise_months = 0 if offset < 0 else min(offset // self.months_per_step + 1, self.cap_months)
        return self.original_years * 12 + raise_months


MEN = RetirementSchedule(original_years=60, first_cohort=date(1965, 1, 1), months_per_step=4, cap_months=36)
WOMEN_WORKERS = RetirementSchedule(original_years=50, first_cohort=date(1975, 1, 1), months_per_step=2, cap_months=60)
WOMEN_CADRES = RetirementSchedule(original_years=55, first_cohort=date(1970, 1, 1), months_per_step=4, cap_months=36)


def birth_date_of(id_number: str) -> date | None:
    """The birth date in digits 7 to 14 of an 18-character ID number, or None when there is none."""
    if len(id_number) != 18 or not id_number[6:14].isdigit():
        return None
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def is_male(id_number: str) -> bool | None:
    """The sex from the 17th character (odd means male, GB 11643), or None when it is not a digit."""
    if len(id_number) != 18 or not id_number[16].isdigit():
        return None
    return int(id_number[16]) % 2 == 1


def retirement_date(birth: date, *, male: bool) -> date:
    """The day a worker reaches the statutory retirement age (the women-worker schedule for women)."""
    schedule = MEN if male else WOMEN_WORKERS
    return add_months(birth, schedule.age_in_months(birth))


def is_minor_on(birth: date, day: date) -> bool:
    """Aged 16 or 17 on ``day``: employable, with the minor-worker protections."""
    return MINIMUM_WORKING_AGE <= age_on(birth, day) < ADULT_AGE


def too_young_on(birth: date, day: date) -> bool:
    return age_on(birth, day) < MINIMUM_WORKING_AGE


def retired_on(birth: date, day: date, *, male: bool) -> bool:
    """At or past the statutory retirement age on ``day``."""
    return day >= retirement_date(birth, male=male)


class AgeMark(StrEnum):
    """What the foreman's pages say about a worker's age on a contract's start date."""

    UNDER_AGE = "under_age"  # under 16: no contract
    MINOR = "minor"  # 16 or 17: 未成年工, restricted work
    RETIRED = "retired"  # at or past the statutory retirement age: a labour-service agreement instead


def age_mark(id_number: str, day: date) -> AgeMark | None:
    """The mark for a worker on ``day``, or None for an adult below retirement age (or an unreadable number)."""
    birth, male = birth_date_of(id_number), is_male(id_number)
    if birth is None or male is None:
        return None
    if too_young_on(birth, day):
        return AgeMark.UNDER_AGE
    if is_minor_on(birth, day):
        return AgeMark.MINOR
    return AgeMark.RETIRED if retired_on(birth, day, male=male) else None
