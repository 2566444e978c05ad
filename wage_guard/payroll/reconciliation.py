"""Reconciling the bank's transfer results with the payroll lines, line by line; pure, no database.

Why: a payroll sheet only says what the employer claims. The bank's 代发 result says what left the wage account
and to whom. Each transfer is matched to a payroll line by the receiving account's last four digits and the
account holder's name, then the amount is compared with the line's net pay:

- a transfer is ``paid`` (succeeded, the line's net), ``amount_differs`` (succeeded, another amount), ``failed``
  (the bank reports it failed) or ``not_on_payroll`` (nobody on the payroll has that account and name);
- a line's outcome sums its successful transfers: ``paid`` when they equal the net, ``amount_differs`` when they
  do not, ``failed`` when every transfer failed, ``not_paid`` when the bank file has no transfer for it.

A failed transfer followed by a successful retry is common: successful transfers are matched first, so the retry
pays the line and the failed attempt attaches to the same line without making it "failed".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SUCCESS = "success"
FAILED = "failed"
PAID = "paid"
AMOUNT_DIFFERS = "amount_differs"
NOT_ON_PAYROLL = "not_on_payroll"
NOT_PAID = "not_paid"
TRANSFER_OUTCOMES = (PAID, FAILED, AMOUNT_DIFFERS, NOT_ON_PAYROLL)
LINE_OUTCOMES = (PAID, FAILED, AMOUNT_DIFFERS, NOT_PAID)


@dataclass(frozen=True)
class TransferRow:
    """One row of the bank's result file, read and checked."""

    row_number: int
    payee_name: str
    account_tail: str
    amount: Decimal
    status: str
    transfer_date: date


@dataclass(frozen=True)
class PayLine:
    """What reconciling needs of a payroll line: the account holder's name (the payee, else the worker)."""

    line_id: int
    name: str
    account_tail: str | None
    net: Decimal


@dataclass(frozen=True)
class Match:
    row_number: int
    line_id: int | None
    outcome: str


def normalise_name(name: str) -> str:
    """Names compare without spaces (全角 or not) and with full-width forms folded (NFKC)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def reconcile(lines: Sequence[PayLine], transfers: Sequence[TransferRow]) -> list[Match]:
    """Match every transfer to at most one line and give its outcome; the result follows the transfers' order."""
    paid: set[int] = set()
    touched: set[int] = set()
    matches: dict[int, Match] = {}
    ordered = sorted(transfers, key=lambda t: (t.status != SUCCESS, t.row_number))
    for transfer in ordered:
        line = _choose(_candidates(lines, transfer), transfer, paid, touched)
        if line is None:
            matches[transfer.row_number] = Match(transfer.row_number, None, NOT_ON_PAYROLL)
            continue
        touched.add(line.line_id)
        if transfer.status == SUCCESS:
            paid.add(line.line_id)
            outcome = PAID if transfer.amount == line.net else AMOUNT_DIFFERS
        else:
            outcome = FAILED
        matches[transfer.row_number] = Match(transfer.row_number, line.line_id, outcome)
    return [matches[t.row_number] for t in transfers]


def _candidates(lines: Sequence[PayLine], transfer: TransferRow) -> list[PayLine]:
    """Lines of the same holder: the same tail first, then lines that name no account (the name alone)."""
    name = normalise_name(transfer.payee_name)
    same = [line for line in lines if normalise_name(line.name) == name]
    return [line for line in same if line.account_tail == transfer.account_tail] + [
        line for line in same if not line.account_tail
    ]


def _choose(candidates: list[PayLine], transfer: TransferRow, paid: set[int], touched: set[int]) -> PayLine | None:
    exact: Callable[[PayLine], bool] = lambda line: line.net == transfer.amount  # noqa: E731
    if transfer.status == SUCCESS:
        preferences = [
            lambda line: line.line_id not in paid and exact(line),
            lambda line: line.line_id not in paid,
            lambda line: True,
        ]
    else:
        preferences = [
            lambda line: line.line_id not in touched and exact(line),
            exact,
            lambda line: line.line_id not in touched,
            lambda line: True,
        ]
    for preferred in preferences:
        found = next((line for line in candidates if preferred(line)), None)
        if found is not None:
            return found
    return None


def line_outcome(net: Decimal, transfers: Iterable[tuple[Decimal, str]]) -> str:
    """The outcome of one payroll line from its matched transfers' (amount, status)."""
    listed = list(transfers)
    succeeded = [amount for amount, status in listed if status == SUCCESS]
    if succeeded:
        return PAID if sum(succeeded, Decimal(0)) == net else AMOUNT_DIFFERS
    return FAILED if listed else NOT_PAID


def outcome_counts(lines: Sequence[PayLine], transfers: Sequence[TransferRow], matches: Sequence[Match]) -> dict[str, int]:
    """Per line outcome (paid, failed, amount_differs, not_paid) plus the transfers not on the payroll."""
    by_line: dict[int, list[tuple[Decimal, str]]] = {line.line_id: [] for line in lines}
    for transfer, match in zip(transfers, matches, strict=True):
        if match.line_id is not None:
            by_line[match.line_id].append((transfer.amount, transfer.status))
    counts = Counter(line_outcome(line.net, by_line[line.line_id]) for line in lines)
    result = {outcome: counts.get(outcome, 0) for outcome in LINE_OUTCOMES}
    result[NOT_ON_PAYROLL] = sum(1 for match in matches if match.outcome == NOT_ON_PAYROLL)
    return result
