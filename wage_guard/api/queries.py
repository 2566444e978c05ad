"""The API's read side: each list is one page of one query in the token's scope, turned into ``schemas`` models.

Scope comes from ``api.services`` (the token's projects and flags); this module only reads and shapes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from wage_guard.api import schemas, services
from wage_guard.api.models import ApiToken
from wage_guard.confirmations import queries as confirmations
from wage_guard.contracts import services as contracts
from wage_guard.contracts.models import Contract
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import NotFound
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.inspector import queries as inspector_queries
from wage_guard.inspector.queries import FlagFilter
from wage_guard.ledger.models import TreeHead
from wage_guard.organisations.models import Project
from wage_guard.payroll import queries as payroll
from wage_guard.risk.models import Finding, FindingStatus
from wage_guard.risk.rules import BY_CODE
from wage_guard.verification import services as verification


def _page(query: sa.Select[Any], paging: schemas.PageQuery) -> tuple[list[Any], dict[str, int]]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(db.session.execute(query.limit(paging.per_page).offset((paging.page - 1) * paging.per_page)))
    return rows, {"page": paging.page, "per_page": paging.per_page, "total": total}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def projects(token: ApiToken, paging: schemas.PageQuery) -> schemas.ProjectPage:
    rows, info = _page(services.projects_query(token), paging)
    found = [row[0] for row in rows]
    counts = _enrolled([p.id for p in found])
    return schemas.ProjectPage(items=[project_out(p, counts.get(p.id, 0)) for p in found], **info)


def project(token: ApiToken, project_id: int) -> schemas.ProjectOut:
    found = services.get_project(token, project_id)
    return project_out(found, _enrolled([found.id]).get(found.id, 0))


def _enrolled(project_ids: list[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    query = (
        sa.select(Enrollment.project_id, sa.func.count())
        .where(Enrollment.project_id.in_(project_ids), Enrollment.exit_date.is_(None))
        .group_by(Enrollment.project_id)
    )
    return {project_id: count for project_id, count in db.session.execute(query)}


def project_out(found: Project, enrolled: int) -> schemas.ProjectOut:
    return schemas.ProjectOut(
        id=found.id,
        name=found.name,
        address=found.address,
        status=found.status.value,
        county_code=found.county_code,
        county_name=found.county.name,
        employer_id=found.employer_id,
        employer_name=found.employer.name,
        workers_enrolled=enrolled,
    )


def workers(token: ApiToken, project_id: int, paging: schemas.PageQuery) -> schemas.WorkerPage:
    found = services.get_project(token, project_id)
    latest = (
        sa.select(sa.func.max(Contract.id)).where(Contract.enrollment_id == Enrollment.id).correlate(Enrollment).scalar_subquery()
    )
    query = (
        sa.select(Enrollment, Worker, latest)
        .join(Worker, Worker.id == Enrollment.worker_id)
        .where(Enrollment.project_id == found.id)
        .order_by(Enrollment.id)
    )
    rows, info = _page(query, paging)
    statuses = _statuses([contract_id for *_, contract_id in rows if contract_id])
    items = [_worker_out(enrollment, worker, contract_id, statuses) for enrollment, worker, contract_id in rows]
    return schemas.WorkerPage(items=items, **info)


def _statuses(contract_ids: list[int]) -> dict[int, str]:
    if not contract_ids:
        return {}
    query = sa.select(Contract.id, Contract.status).where(Contract.id.in_(contract_ids))
    return {contract_id: status.value for contract_id, status in db.session.execute(query)}


def _worker_out(enrollment: Enrollment, worker: Worker, contract_id: int | None, statuses: dict[int, str]) -> schemas.WorkerOut:
    return schemas.WorkerOut(
        id=worker.id,
        enrollment_id=enrollment.id,
        name=worker.name,
        id_number_masked=worker.masked_id_number,
        phone_masked=worker.masked_phone,
        trade=enrollment.trade,
        entry_date=enrollment.entry_date,
        exit_date=enrollment.exit_date,
        contract_id=contract_id,
        contract_status=statuses.get(contract_id) if contract_id else None,
    )


def contracts_of(token: ApiToken, project_id: int, paging: schemas.PageQuery) -> schemas.ContractPage:
    found = services.get_project(token, project_id)
    rows, info = _page(sa.select(Contract).where(Contract.project_id == found.id).order_by(Contract.id), paging)
    return schemas.ContractPage(items=[contract_out(row[0]) for row in rows], **info)


def get_contract(token: ApiToken, contract_id: int) -> Contract:
    """:raises NotFound: outside the token's scope (no existence leak)."""
    in_scope = services.projects_query(token).with_only_columns(Project.id).order_by(None)
    contract = db.session.scalar(sa.select(Contract).where(Contract.id == contract_id, Contract.project_id.in_(in_scope)))
    if contract is None:
        raise NotFound(_("This contract does not exist or is not in this token's scope."))
    return contract


def contract_out(contract: Contract) -> schemas.ContractOut:
    terms = contracts.contract_terms(contract)
    document = contract.current_document
    return schemas.ContractOut(
        id=contract.id,
        number=contract.number,
        kind=contract.kind.value,
        status=contract.status.value,
        project_id=contract.project_id,
        worker_id=contract.worker_id,
        worker_name=contract.worker.name,
        worker_id_number_masked=contract.worker.masked_id_number,
        employer_id=contract.employer_id,
        employer_signed_at=contract.employer_signed_at,
        worker_signed_at=contract.worker_signed_at,
        ends_on=contract.ends_on,
        document_version=document.version,
        document_sha256=document.sha256,
        terms=schemas.TermsOut(
            term_type=terms.term_type.value,
            start_date=terms.start_date,
            end_date=terms.end_date,
            job_title=terms.job_title,
            work_place=terms.work_place,
            working_hours=terms.working_hours.value,
            pay_form=terms.pay_form.value,
            pay_amount=_money(terms.pay_amount) or "0.00",
            pay_day=terms.pay_day,
            probation_months=terms.probation_months,
            probation_pay=_money(terms.probation_pay),
            paid_to_own_bank_account=terms.paid_to_own_bank_account,
        ),
    )


def verification_of(contract: Contract) -> schemas.VerificationOut:
    checked = verification.verify_pdf(contract.current_document.pdf)
    return schemas.VerificationOut(
        contract_id=contract.id,
        result=checked.result.value,
        stage=checked.version.stage.value,
        document_version=checked.version.document_version,
        in_force=checked.version.in_force,
        signatures=len(checked.report.signatures),
        findings=[schemas.VerificationFinding(code=f.code, signature=f.signature) for f in checked.findings],
    )


def payroll_months(token: ApiToken, project_id: int, paging: schemas.PageQuery) -> schemas.PayrollPage:
    found = services.get_project(token, project_id)
    months = payroll.month_totals(found)  # newest first
    counts = {c.month: c for c in confirmations.counts_by_project_month([found.id])}
    start = (paging.page - 1) * paging.per_page
    items = [
        schemas.PayrollMonthOut(
            month=f"{m.month:%Y-%m}",
            version=m.version,
            lines=m.lines,
            total_gross=_money(m.gross) or "0.00",
            total_deductions=_money(m.deductions) or "0.00",
            total_net=_money(m.net) or "0.00",
            confirmations_asked=counts[m.month].lines if m.month in counts else 0,
            confirmations_disputed=counts[m.month].disputed if m.month in counts else 0,
            confirmations_unanswered=counts[m.month].unanswered if m.month in counts else 0,
        )
        for m in months[start : start + paging.per_page]
    ]
    return schemas.PayrollPage(items=items, page=paging.page, per_page=paging.per_page, total=len(months))


def findings(token: ApiToken, chosen: schemas.FindingQuery) -> schemas.FindingPage:
    narrowed = FlagFilter(chosen.severity, chosen.rule, chosen.workflow, chosen.project_id, chosen.employer_id, chosen.period)
    query = inspector_queries.filtered(services.findings_query(token), narrowed)
    rows, info = _page(query.order_by(Finding.id.desc()), chosen)
    return schemas.FindingPage(items=[finding_out(row[0]) for row in rows], **info)


def finding_out(finding: Finding) -> schemas.FindingOut:
    rule = BY_CODE.get(finding.rule_code)
    return schemas.FindingOut(
        id=finding.id,
        rule_code=finding.rule_code,
        rule_name=str(rule.name) if rule else finding.rule_code,
        law=rule.law if rule else "",
        recommended_action=str(rule.next_action) if rule else "",
        severity=finding.severity.value if finding.severity else None,
        condition_holds=finding.status is FindingStatus.OPEN,
        workflow_status=finding.workflow_status,
        project_id=finding.project_id,
        county_code=finding.county_code,
        worker_id=finding.worker_id,
        period=finding.period,
        amount_owed=_money(finding.amount_owed),
        first_opened_at=finding.first_opened_at,
        opened_at=finding.opened_at,
        closed_at=finding.closed_at,
        evidence=finding.evidence or {},
    )


def tree_heads(paging: schemas.PageQuery) -> schemas.TreeHeadPage:
    rows, info = _page(sa.select(TreeHead).order_by(TreeHead.size.desc()), paging)
    items = [
        schemas.TreeHeadOut(size=h.size, root_hash=h.root_hash, timestamp=h.timestamp, signature=h.signature, key_id=h.key_id)
        for (h,) in rows
    ]
    return schemas.TreeHeadPage(items=items, **info)
