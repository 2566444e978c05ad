"""Staff pages for contracts: the project's contracts, issuing from the roster, detail, PDF, withdraw, change."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role
from wage_guard.batches import kinds
from wage_guard.batches import queries as batch_queries
from wage_guard.contracts import ages, endings, issuing, notice_state, queries, services, severance, terms
from wage_guard.contracts.forms import CONFIRMATIONS, ChangeForm, IssueForm, NoticeForm, OfferForm
from wage_guard.contracts.issuing import NeedsConfirmation
from wage_guard.contracts.lifecycle import OPEN, Kind, Status
from wage_guard.contracts.models import Contract
from wage_guard.enrollment import queries as enrollment_queries
from wage_guard.errors import WageGuardError
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Project
from wage_guard.security import actor, requester, role_required, staff_required
from wage_guard.settings import settings

bp = Blueprint("contracts", __name__, url_prefix="/projects/<int:project_id>/contracts")
MANAGERS = (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)


def offer_from(form: OfferForm) -> services.ContractOffer:
    return services.ContractOffer(
        term_type=terms.TermType(form.term_type.data),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        task_description=form.task_description.data or "",
        job_title=form.job_title.data,
        work_place=form.work_place.data,
        pay_form=terms.PayForm(form.pay_form.data),
        pay_amount=form.pay_amount.data,
        piece_unit=form.piece_unit.data or "",
        probation_months=form.probation_months.data or 0,
        probation_pay=form.probation_pay.data,
        other_terms=form.other_terms.data or "",
    )


@bp.get("/")
@staff_required
def list_contracts(project_id: int):  # type: ignore[no-untyped-def]
    """Every contract of the project with its status and any refusal reason."""
    project = organisations.get_project(actor(), project_id)
    return render_template(
        "contracts/list.html", project=project, contracts=services.project_contracts(project), can_manage=actor().role in MANAGERS
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def issue(project_id: int):  # type: ignore[no-untyped-def]
    """Issue contracts to one or more workers on the roster; they go to the employer for sealing first."""
    project = organisations.get_project(actor(), project_id, manage=True)
    form = IssueForm()
    under_contract = issuing.enrollments_under_contract(project)
    roster = [e for e in enrollment_queries.roster(project) if e.exit_date is None and e.id not in under_contract]
    form.enrollment_ids.choices = [SelectChoice(str(e.id), e.worker.name) for e in roster]
    if not form.is_submitted():
        form.start_date.data = clock.china_date(clock.utcnow())
        form.work_place.data = project.address
    start = form.start_date.data or clock.china_date(clock.utcnow())
    context = {
        "form": form,
        "project": project,
        "roster": roster,
        "age_marks": {e.id: ages.age_mark(e.worker.id_number, start) for e in roster},
        "minimum_wage": project.county.minimum_wage_on(start),
        "warnings": [],
        "confirmations": CONFIRMATIONS,
    }
    if not form.validate_on_submit():
        return render_template("contracts/issue.html", **context), 422 if form.is_submitted() else 200
    offer = replace(_only_relevant(offer_from(form)), confirmed=form.confirmed())
    try:
        run = kinds.start_issuing(
            actor(), project, form.enrollment_ids.data, offer, now=clock.utcnow(), inline_max=settings().batch_inline_max
        )
    except NeedsConfirmation as error:
        return boundary.failed_form("contracts/issue.html", error, **{**context, "warnings": error.warnings})
    except WageGuardError as error:
        return boundary.failed_form("contracts/issue.html", error, **context)
    boundary.commit()
    if run.finished_at is None:  # a large batch: the scheduler issues it while the foreman watches
        return redirect(url_for("contracts.batch", project_id=project_id, batch_id=run.contract_batch_id))
    flash(_("%(n)d contracts issued. The employer has been asked to seal them.", n=run.total), "info")
    return redirect(url_for("contracts.list_contracts", project_id=project_id))


@bp.get("/batches/<int:batch_id>")
@staff_required
def batch(project_id: int, batch_id: int):  # type: ignore[no-untyped-def]
    """A batch's progress: its contracts being issued, then sealed, with any contract that could not be."""
    project = organisations.get_project(actor(), project_id)
    contract_batch = services.get_batch(project, batch_id)
    return render_template(
        "contracts/batch.html",
        project=project,
        batch=contract_batch,
        runs=batch_queries.batch_progress(contract_batch.id),
        status_url=url_for("contracts.batch_progress", project_id=project_id, batch_id=batch_id),
    )


@bp.get("/batches/<int:batch_id>/progress.json")
@staff_required
def batch_progress(project_id: int, batch_id: int) -> Response:
    """The figures of the progress bars, polled by ``static/js/progress.js``."""
    contract_batch = services.get_batch(organisations.get_project(actor(), project_id), batch_id)
    return jsonify([progress.as_json() for progress in batch_queries.batch_progress(contract_batch.id)])


def _only_relevant(offer: services.ContractOffer) -> services.ContractOffer:
    """Drop what belongs to another term type (the page hides those fields; without JavaScript they stay visible)."""
    end_date = offer.end_date if offer.term_type is terms.TermType.FIXED else None
    task = offer.task_description if offer.term_type is terms.TermType.TASK else ""
    return replace(offer, end_date=end_date, task_description=task)


@bp.get("/<int:contract_id>")
@staff_required
def detail(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """One contract: status, terms, the evidence trail and the changes made to it."""
    project = organisations.get_project(actor(), project_id)
    contract = services.get_contract(project, contract_id)
    contract_terms = services.contract_terms(contract)
    return render_template(
        "contracts/detail.html",
        project=project,
        contract=contract,
        terms=contract_terms,
        age_mark=queries.age_mark(contract, contract_terms.start_date),
        data_quality=queries.data_quality_codes(contract),
        children=services.children(contract),
        change_form=_change_form(contract),
        notice_form=NoticeForm(),
        grounds=severance.GROUNDS,
        pending_notice=notice_state.pending_notice(contract),
        working_after_expiry=queries.working_after_expiry(contract),
        can_manage=actor().role in MANAGERS,
        open_states=OPEN,
    )


@bp.get("/<int:contract_id>/pdf")
@staff_required
def pdf(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """The latest PDF of the contract (the download is logged)."""
    contract = services.get_contract(organisations.get_project(actor(), project_id), contract_id)
    services.record(
        contract,
        "downloaded",
        f"staff:{actor().id}",
        clock.utcnow(),
        ip_address=requester().ip_address,
        user_agent=requester().user_agent,
        what="pdf",
    )
    boundary.commit()
    return pdf_response(contract, download=True)


@bp.get("/<int:contract_id>/evidence.zip")
@staff_required
def evidence(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """The evidence package (for the parties and the county's inspectors)."""
    contract = services.get_contract(organisations.get_project(actor(), project_id), contract_id)
    return evidence_response(contract, f"staff:{actor().id}")


@bp.get("/<int:contract_id>/verify")
@staff_required
def verify(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """The stored current version checked as the public verification page checks an uploaded file: which version it
    is, its signatures and signers (for the county's inspectors above all, who cannot rely on the party's word)."""
    from wage_guard.verification import services as verification
    from wage_guard.verification.views import render_report

    contract = services.get_contract(organisations.get_project(actor(), project_id), contract_id)
    return render_report(verification.verify_pdf(contract.current_document.pdf))


def evidence_response(contract: Contract, who: str) -> Response:
    from wage_guard.ledger import evidence as evidence_package

    now = clock.utcnow()
    services.record(contract, "evidence_exported", who, now, ip_address=requester().ip_address, user_agent=requester().user_agent)
    data = evidence_package.build(contract, now=now)
    boundary.commit()
    headers = {"Content-Disposition": f'attachment; filename="{contract.number}-evidence.zip"'}
    return Response(data, mimetype="application/zip", headers=headers)


def pdf_response(contract: Contract, *, download: bool) -> Response:
    disposition = "attachment" if download else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{contract.number}.pdf"'}
    return Response(contract.current_document.pdf, mimetype="application/pdf", headers=headers)


@bp.post("/<int:contract_id>/withdraw")
@role_required(*MANAGERS)
def withdraw(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """Withdraw a contract that is still being signed."""
    contract = services.get_contract(organisations.get_project(actor(), project_id, manage=True), contract_id)
    services.withdraw(actor(), contract, now=clock.utcnow())
    boundary.commit()
    flash(_("The contract has been withdrawn."), "info")
    return redirect(url_for("contracts.detail", project_id=project_id, contract_id=contract_id))


@bp.post("/<int:contract_id>/change")
@role_required(*MANAGERS)
def change(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """Start a renewal, amendment, rescission or termination; it is sealed and signed like a contract."""
    project = organisations.get_project(actor(), project_id, manage=True)
    contract = services.get_contract(project, contract_id)
    form = _change_form(contract)
    if not form.validate_on_submit():
        flash(_("Please check the form: %(errors)s", errors="; ".join(str(e) for v in form.errors.values() for e in v)), "error")
        return redirect(url_for("contracts.detail", project_id=project_id, contract_id=contract_id))
    try:
        changed = services.change_contract(actor(), contract, Kind(form.kind.data), offer_from(form), now=clock.utcnow())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("contracts.detail", project_id=project_id, contract_id=contract_id))
    boundary.commit()
    flash(_("%(kind)s issued; the employer has been asked to seal it.", kind=changed.kind.label), "info")
    return redirect(url_for("contracts.detail", project_id=project_id, contract_id=changed.id))


@bp.post("/<int:contract_id>/notice")
@role_required(*MANAGERS)
def notice(project_id: int, contract_id: int):  # type: ignore[no-untyped-def]
    """Issue a termination notice or notice of rescission; the employer seals it and the worker does not sign."""
    project = organisations.get_project(actor(), project_id, manage=True)
    contract = services.get_contract(project, contract_id)
    form = NoticeForm()
    back = redirect(url_for("contracts.detail", project_id=project_id, contract_id=contract_id))
    if not form.validate_on_submit():
        flash(_("Please check the form: %(errors)s", errors="; ".join(str(e) for v in form.errors.values() for e in v)), "error")
        return back
    notice_request = endings.NoticeRequest(
        ground=form.ground.data or "",
        effective_date=form.effective_date.data,
        reason=form.reason.data or "",
        pay_in_lieu=bool(form.pay_in_lieu.data),
        renewal_refused=bool(form.renewal_refused.data),
        arrangements=form.arrangements.data or "",
    )
    try:
        issued = endings.issue_notice(actor(), contract, notice_request, now=clock.utcnow())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return back
    boundary.commit()
    flash(_("%(kind)s issued; the employer has been asked to seal it.", kind=issued.kind.label), "info")
    return redirect(url_for("contracts.detail", project_id=project_id, contract_id=issued.id))


@bp.app_template_global()
def contract_alerts(project: Project) -> queries.ContractAlerts:
    """For the project page, its roster and the contract list: terms ending soon and work after expiry."""
    return queries.project_alerts(project, clock.china_date(clock.utcnow()))


def _change_form(contract: Contract) -> ChangeForm:
    form = ChangeForm()
    if not form.is_submitted() and contract.status in (Status.IN_FORCE, Status.EXPIRED):
        current = services.contract_terms(contract)
        for name in ("job_title", "work_place", "task_description", "piece_unit", "other_terms", "end_date", "start_date"):
            getattr(form, name).data = getattr(current, name)
        form.term_type.data, form.pay_form.data = current.term_type.value, current.pay_form.value
        form.pay_amount.data = current.pay_amount
    return form
