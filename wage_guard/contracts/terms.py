"""Structured terms of a construction labour contract and their storage form.

The terms are data, not text: the PDF, the worker's phone page and the payroll rules all read the same fields, so a
pay day or a probation period cannot differ between what was signed and what is enforced. The legal checks on them
live in ``rules.py`` and our standard wording in ``defaults.py``; this module is only the data and its strict,
versioned JSON form, so that every reader (renderer, risk engine, worker view) depends on nothing else.
"""

from __future__ import annotations

import calendar
import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

#: Bumped when the stored form changes incompatibly.
SCHEMA_VERSION = 1


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


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later; without that day in the target month, its last day (民法典第二百零三条)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


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
