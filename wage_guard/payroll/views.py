"""Staff pages for payroll: the foreman uploads a month's wage sheet from the phone or a desktop.

The upload page is thin: the service reads and checks the whole sheet and stores it only when every row is
right. On problems the page lists every one (row, column, value, reason) and nothing is imported; on success it
shows the new version, its totals and the month's earlier versions.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role
from wage_guard.errors import NotFound, ValidationFailed, WageGuardError
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Project
from wage_guard.payroll import bank, queries, services
from wage_guard.payroll import ledger as wage_ledger
from wage_guard.payroll.forms import ACCEPT, UploadForm
from wage_guard.payroll.services import ImportRejected
from wage_guard.security import actor, role_required, staff_required
from wage_guard.sheets import writing

bp = Blueprint("payroll", __name__, url_prefix="/projects/<int:project_id>/payroll")
MANAGERS = (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)
TEMPLATE = "payroll/upload.html"
BANK_TEMPLATE = "payroll/bank_import.html"
XLSX_MIMETYPE = writing.XLSX_MIMETYPE
log = logging.getLogger(__name__)


@bp.route("/upload", methods=["GET", "POST"])
@role_required(*MANAGERS)
def upload(project_id: int) -> ResponseReturnValue:
    """Upload a month's wage sheet (.xlsx or .csv); all rows are checked, and stored only if all are right."""
    project = organisations.get_project(actor(), project_id, manage=True)
    form = UploadForm()
    if not form.is_submitted():
        form.month.data = f"{clock.china_date(clock.utcnow()).replace(day=1) - timedelta(days=1):%Y-%m}"
    context = {"project": project, "form": form, "accept": ACCEPT, "totals": queries.month_totals(project)}
    if not form.validate_on_submit():
        return render_template(TEMPLATE, **context), 422 if form.is_submitted() else 200
    try:
        month = services.parse_month(form.month.data or "")
        file_name, data = _uploaded_file()
        payroll_import = services.import_payroll(actor(), project, month, file_name, data, source="upload", now=clock.utcnow())
    except ImportRejected as rejected:
        boundary.rollback()
        return render_template(TEMPLATE, error=rejected.message, problems=rejected.problems, **context), 422
    except WageGuardError as error:
        return boundary.failed_form(TEMPLATE, error, **context)
    boundary.commit()
    context["totals"] = queries.month_totals(project)
    history = queries.history(project, payroll_import.month)
    off_roster = queries.off_roster_count(payroll_import)
    return render_template(TEMPLATE, imported=payroll_import, history=history, off_roster=off_roster, **context)


def _uploaded_file() -> tuple[str, bytes]:
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge as exc:
        raise ValidationFailed(_("The file is too large."), field="file") from exc
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Choose the wage sheet file (.xlsx or .csv)."), field="file")
    return upload.filename, upload.read()


# --- The bank's transfer results and the wage ledger (工资支付台账) -------------------------------------------


@bp.route("/bank", methods=["GET", "POST"])
@role_required(*MANAGERS)
def bank_import(project_id: int) -> ResponseReturnValue:
    """Upload the bank's result file (代发回单) of a month; it is reconciled with the month's current payroll."""
    project = organisations.get_project(actor(), project_id, manage=True)
    form = UploadForm()
    if not form.is_submitted():
        last_month = clock.china_date(clock.utcnow()).replace(day=1) - timedelta(days=1)
        form.month.data = request.args.get("month") or f"{last_month:%Y-%m}"
    context = {"project": project, "form": form, "accept": ACCEPT}
    if not form.validate_on_submit():
        return render_template(BANK_TEMPLATE, **context), 422 if form.is_submitted() else 200
    try:
        month = services.parse_month(form.month.data or "")
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(_("Choose the bank's result file (.xlsx or .csv)."), field="file")
        result = bank.import_bank_results(
            actor(), project, month, upload.filename, upload.read(), source="upload", now=clock.utcnow()
        )
    except bank.BankFileRejected as rejected:
        return boundary.failed_form(BANK_TEMPLATE, rejected, problems=rejected.problems, **context)
    except WageGuardError as error:
        return boundary.failed_form(BANK_TEMPLATE, error, **context)
    boundary.commit()
    flash(_("Bank results for %(month)s imported (version %(v)d).", month=f"{month:%Y-%m}", v=result.bank_import.version), "info")
    return redirect(url_for("payroll.ledger_month", project_id=project.id, month=f"{month:%Y-%m}"))


@bp.get("/ledger/")
@staff_required
def ledger_months(project_id: int) -> ResponseReturnValue:
    """The project's wage ledger: every month with a payroll, its version and its bank result."""
    project = organisations.get_project(actor(), project_id)
    months = wage_ledger.months(project)
    return render_template("payroll/ledger_months.html", project=project, months=months, can_manage=actor().role in MANAGERS)


@bp.get("/ledger/month")
@staff_required
def ledger_month(project_id: int) -> ResponseReturnValue:
    """One month of the wage ledger (``?month=YYYY-MM``, else the latest): who was paid what, when and how, the bank
    result and the worker's confirmation."""
    project = organisations.get_project(actor(), project_id)
    ledger = wage_ledger.month_ledger(project, _ledger_month(project))
    return render_template(
        "payroll/ledger.html",
        ledger=ledger,
        project=project,
        can_manage=actor().role in MANAGERS,
        outcome_label=wage_ledger.outcome_label,
        channel_label=wage_ledger.channel_label,
        confirmation_label=wage_ledger.confirmation_label,
    )


@bp.get("/ledger/export")
@staff_required
def ledger_export(project_id: int) -> ResponseReturnValue:
    """The month's ledger as an .xlsx with Chinese headers (the statutory 工资支付台账)."""
    project = organisations.get_project(actor(), project_id)
    ledger = wage_ledger.month_ledger(project, _ledger_month(project))
    if ledger.payroll is None:
        raise NotFound(wage_ledger.no_payroll_message(ledger.month))
    log.info("wage ledger of project %s, %s exported by staff %s", project.id, f"{ledger.month:%Y-%m}", actor().id)
    headers = {
        "Content-Disposition": f'attachment; filename="{wage_ledger.export_file_name(ledger)}"',
        "Cache-Control": "no-store",
    }
    return Response(writing.workbook_bytes([wage_ledger.export_sheet(ledger)]), mimetype=XLSX_MIMETYPE, headers=headers)


def _ledger_month(project: Project) -> date:
    """The month the URL names (``?month=YYYY-MM``), else the latest month with a wage sheet, else last month."""
    if "month" in request.args:
        return services.parse_month(request.args["month"])
    latest = wage_ledger.latest_month(project)
    return latest or (clock.china_date(clock.utcnow()).replace(day=1) - timedelta(days=1)).replace(day=1)
