"""The API's request and response bodies as pydantic models: SpecTree writes the OpenAPI document from them and
checks every request and response against them, so the document cannot drift from what the API does.

Money is decimal text ("1234.50"), never a float; dates and times are ISO 8601 (times in UTC). People appear with
their name and masked ID and phone numbers only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _in_utc(moment: datetime) -> datetime:
    """Times are stored in UTC; SQLite hands them back without the zone, which RFC 3339 needs."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


#: A moment in UTC with its offset ("2026-11-01T23:00:00Z").
Moment = Annotated[datetime, AfterValidator(_in_utc)]
PER_PAGE_LIMIT = 100
MONEY = r"^-?[0-9]+\.[0-9]{2}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    page: int = Field(1, ge=1, le=1_000_000, description="1 for the first page")
    per_page: int = Field(50, ge=1, le=PER_PAGE_LIMIT)


class FindingQuery(PageQuery):
    severity: Literal["red", "orange", "yellow"] | None = None
    workflow: Literal["open", "acknowledged", "investigating", "resolved", "dismissed"] | None = None
    rule: str | None = Field(None, pattern=r"^R[0-9]{2}$")
    project_id: int | None = Field(None, ge=1, le=2**31 - 1)
    employer_id: int | None = Field(None, ge=1, le=2**31 - 1)
    period: str | None = Field(None, pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="a month: the flag's period")


class Error(Strict):
    """Every error: a stable code for programs and a message for people (Chinese by default, or as asked)."""

    code: str = Field(description="e.g. not_found, forbidden, unauthenticated, invalid_request")
    message: str
    errors: dict[str, str] | None = Field(None, description="the fields that are wrong, each with its message")


class PageInfo(Strict):
    page: int
    per_page: int
    total: int


class ProjectOut(Strict):
    id: int
    name: str
    address: str
    status: str
    county_code: str
    county_name: str
    employer_id: int
    employer_name: str
    workers_enrolled: int


class ProjectPage(PageInfo):
    items: list[ProjectOut]


class WorkerOut(Strict):
    id: int
    enrollment_id: int
    name: str
    id_number_masked: str
    phone_masked: str
    trade: str
    entry_date: date
    exit_date: date | None
    contract_id: int | None = Field(description="the latest contract of this enrolment, if any")
    contract_status: str | None


class WorkerPage(PageInfo):
    items: list[WorkerOut]


class TermsOut(Strict):
    term_type: str
    start_date: date
    end_date: date | None
    job_title: str
    work_place: str
    working_hours: str
    pay_form: str
    pay_amount: str = Field(pattern=MONEY)
    pay_day: int
    probation_months: int
    probation_pay: str | None = Field(pattern=MONEY)
    paid_to_own_bank_account: bool


class ContractOut(Strict):
    id: int
    number: str
    kind: str
    status: str
    project_id: int
    worker_id: int
    worker_name: str
    worker_id_number_masked: str
    employer_id: int
    employer_signed_at: Moment | None
    worker_signed_at: Moment | None
    ends_on: date | None
    document_version: int
    document_sha256: str
    terms: TermsOut


class ContractPage(PageInfo):
    items: list[ContractOut]


class VerificationFinding(Strict):
    code: str
    signature: int | None


class VerificationOut(Strict):
    """The platform's own check of the stored current version, as the public verification page reports it."""

    contract_id: int
    result: Literal["valid", "incomplete", "invalid"]
    stage: str
    document_version: int | None
    in_force: bool
    signatures: int
    findings: list[VerificationFinding]


class PayrollMonthOut(Strict):
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    version: int
    lines: int
    total_gross: str = Field(pattern=MONEY)
    total_deductions: str = Field(pattern=MONEY)
    total_net: str = Field(pattern=MONEY)
    confirmations_asked: int
    confirmations_disputed: int
    confirmations_unanswered: int


class PayrollPage(PageInfo):
    items: list[PayrollMonthOut]


class FindingOut(Strict):
    id: int
    rule_code: str
    rule_name: str
    law: str
    recommended_action: str
    severity: str | None
    condition_holds: bool = Field(description="the engine still sees the condition on the latest data")
    workflow_status: str
    project_id: int
    county_code: str
    worker_id: int | None
    period: str
    amount_owed: str | None = Field(pattern=MONEY)
    first_opened_at: Moment
    opened_at: Moment
    closed_at: Moment | None
    evidence: dict[str, Any]


class FindingPage(PageInfo):
    items: list[FindingOut]


class FindingActionIn(Strict):
    """One workflow step (acknowledge, investigate, resolve, dismiss, assign), with a note."""

    action: Literal["acknowledge", "investigate", "resolve", "dismiss", "assign"]
    note: str = Field(min_length=1, max_length=2000)
    reason: str = Field("", max_length=2000, description="needed to resolve a flag whose condition still holds")
    assignee_id: int | None = Field(None, ge=1, le=2**31 - 1, description="for assign: an inspector of the county")


class TreeHeadOut(Strict):
    size: int
    root_hash: str
    timestamp: Moment
    signature: str
    key_id: str


class TreeHeadPage(PageInfo):
    items: list[TreeHeadOut]
