"""Every registered risk rule, in code order.

Each module holds one rule or a few related ones and exports ``RULES``; a payroll rule module (R03–R13, R17)
is added by importing it here. The engine (``risk.services``) knows rules only through this tuple.
"""

from __future__ import annotations

from wage_guard.risk.rule import Rule
from wage_guard.risk.rules import contract_terms, payroll_amounts, payroll_people, payroll_timing, proxy, roster, worker_voice

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *roster.RULES,
            *contract_terms.RULES,
            *proxy.RULES,
            *payroll_people.RULES,
            *worker_voice.RULES,
            *payroll_timing.RULES,
            *payroll_amounts.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE = {rule.code: rule for rule in RULES}
