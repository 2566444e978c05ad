"""The county inspector's pages: the dashboard of the area, the list of risk flags and each flag with its evidence
and history, and the workflow's one POST (acknowledge, investigate, resolve, dismiss, assign)."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role
from wage_guard.enrollment.trades import TRADES
from wage_guard.errors import WageGuardError
from wage_guard.i18n import _
from wage_guard.inspector import drilldown, exports, queries, reports, services
from wage_guard.inspector.forms import FlagActionForm
from wage_guard.organisations import closure
from wage_guard.organisations import services as organisations
from wage_guard.organisations.forms import SettlementForm
from wage_guard.payroll import ledger as wage_ledger
from wage_guard.risk.rules import BY_CODE
from wage_guard.security import actor, role_required
from wage_guard.sheets import writing

bp = Blueprint("inspector", __name__, url_prefix="/inspector")
#: A month as the filter takes it: 2026-11 (months 01–12).
MONTH = re.compile(r"20[0-9]{2}-(0[1-9]|1[0-2])")


@bp.app_template_global()
def severity_label(value: str) -> str:
    return str(services.SEVERITY_LABELS.get(value, value))


@bp.app_template_global()
def workflow_label(value: str) -> str:
    return str(services.WORKFLOW_LABELS.get(value, value))


@bp.get("/")
@role_required(Role.INSPECTOR, Role.ADMIN)
def dashboard():  # type: ignore[no-untyped-def]
    """Counties in scope, each with its projects and the workers on their rosters; with a filter (severity, rule,
    employer, project, month), the projects ranked by their open flags that match it."""
    chosen, unknown = _filter_from(request.args)
    if unknown:
        flash(_("Unknown filter values were ignored: %(names)s", names=", ".join(unknown)), "error")
    active = any(value is not None for value in vars(chosen).values())
    projects, employers = queries.filter_choices(actor())
    return render_template(
        "inspector/dashboard.html",
        **vars(queries.dashboard(actor())),
        chosen=chosen,
        filtered=queries.ranked_by_flags(actor(), chosen) if active else None,
        filters=queries.FLAG_FILTERS,
        rules=sorted(BY_CODE),
        filter_projects=projects,
        filter_employers=employers,
    )


@bp.get("/flags")
@role_required(Role.INSPECTOR, Role.ADMIN)
def flags():  # type: ignore[no-untyped-def]
    """The flags of the area, most severe first, filtered by severity, rule, workflow state or project."""
    chosen, unknown = _filter_from(request.args)
    if unknown:
        flash(_("Unknown filter values were ignored: %(names)s", names=", ".join(unknown)), "error")
    projects, employers = queries.filter_choices(actor())
    return render_template(
        "inspector/flags.html",
        rows=queries.flag_list(actor(), chosen),
        severity_labels={key: str(label) for key, label in services.SEVERITY_LABELS.items()},
        workflow_labels={key: str(label) for key, label in services.WORKFLOW_LABELS.items()},
        projects=projects,
        employers=employers,
        chosen=chosen,
        filters=queries.FLAG_FILTERS,
        rules=sorted(BY_CODE),
        form=FlagActionForm(),
        inspectors=services.inspectors_for(actor()),
        export_args=_query_args(chosen),
    )


@bp.get("/flags.xlsx")
@role_required(Role.INSPECTOR, Role.ADMIN)
def flags_xlsx() -> Response:
    """The filtered flag list as a workbook."""
    return _download(_flag_sheet(), f"flags-{clock.china_date(clock.utcnow()).isoformat()}", "xlsx")


@bp.get("/flags.csv")
@role_required(Role.INSPECTOR, Role.ADMIN)
def flags_csv() -> Response:
    """The filtered flag list as CSV (UTF-8 with a byte-order mark)."""
    return _download(_flag_sheet(), f"flags-{clock.china_date(clock.utcnow()).isoformat()}", "csv")


@bp.get("/report.xlsx")
@role_required(Role.INSPECTOR, Role.ADMIN)
def report_xlsx() -> Response:
    """The monthly statistics report of the area's counties (``?month=YYYY-MM``, the last month by default)."""
    month = _report_month()
    return _download(reports.monthly_sheet(actor(), month), f"report-{month:%Y-%m}", "xlsx")


@bp.get("/report.csv")
@role_required(Role.INSPECTOR, Role.ADMIN)
def report_csv() -> Response:
    month = _report_month()
    return _download(reports.monthly_sheet(actor(), month), f"report-{month:%Y-%m}", "csv")


def _flag_sheet() -> writing.Sheet:
    chosen, _unknown = _filter_from(request.args)
    return exports.flag_sheet(queries.flag_list(actor(), chosen))


def _report_month() -> date:
    return reports.parse_month(request.args.get("month"), today=clock.china_date(clock.utcnow()))


def _download(sheet: writing.Sheet, stem: str, extension: str) -> Response:
    if extension == "xlsx":
        data, mimetype = writing.workbook_bytes([sheet]), writing.XLSX_MIMETYPE
    else:
        data, mimetype = writing.csv_bytes(sheet), "text/csv"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{stem}.{extension}"'})


@bp.get("/flags/<int:finding_id>")
@role_required(Role.INSPECTOR, Role.ADMIN)
def flag(finding_id: int):  # type: ignore[no-untyped-def]
    """One flag: the rule and its law, the evidence, the engine's transitions and the inspectors' steps."""
    form = FlagActionForm(finding_ids=[finding_id])
    detail = queries.flag_detail(actor(), finding_id)
    return render_template("inspector/flag.html", detail=detail, form=form, inspectors=services.inspectors_for(actor()))


@bp.get("/projects/<int:project_id>")
@role_required(Role.INSPECTOR, Role.ADMIN)
def project(project_id: int):  # type: ignore[no-untyped-def]
    """Drill-down, step 1: a project's flags, roster (masked) with each worker's contract, wage months, complaints."""
    view = drilldown.project_view(actor(), project_id)
    form = SettlementForm(wages_settled_on=view.project.wages_settled_on)
    return render_template("inspector/project.html", view=view, trades=TRADES, settlement_form=form)


@bp.post("/projects/<int:project_id>/settlement")
@role_required(Role.INSPECTOR)
def confirm_settlement(project_id: int):  # type: ignore[no-untyped-def]
    """Confirm that every wage of a completed project is settled: the three-year retention clock starts."""
    project = organisations.get_project(actor(), project_id)
    back = url_for("inspector.project", project_id=project.id)
    form = SettlementForm()
    if not form.validate_on_submit():
        flash(_("Please enter the date every wage was settled."), "error")
        return redirect(back)
    try:
        closure.confirm_wage_settlement(actor(), project, form.wages_settled_on.data, now=clock.utcnow())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(back)
    boundary.commit()
    flash(_("The settlement of wages has been confirmed."), "info")
    return redirect(back)


@bp.get("/projects/<int:project_id>/workers/<int:enrollment_id>")
@role_required(Role.INSPECTOR, Role.ADMIN)
def worker(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """Drill-down, step 2: one worker on the project: contracts (view, download, verify, evidence), payroll lines
    with their wage confirmations, complaints and flags."""
    view = drilldown.worker_view(actor(), project_id, enrollment_id)
    return render_template("inspector/worker.html", view=view, confirmation_label=wage_ledger.confirmation_label, trades=TRADES)


@bp.post("/flags/act")
@role_required(Role.INSPECTOR, Role.ADMIN)
def act_on_flags():  # type: ignore[no-untyped-def]
    """Take one step on the chosen flags (all or none), then back to the flag, or to the list for a selection."""
    form = FlagActionForm()
    ids = [i for i in (form.finding_ids.data or []) if isinstance(i, int)]
    back = url_for("inspector.flag", finding_id=ids[0]) if len(ids) == 1 else url_for("inspector.flags")
    if not form.validate_on_submit():
        flash(_("Please check the form: %(errors)s", errors="; ".join(str(e) for v in form.errors.values() for e in v)), "error")
        return redirect(back)
    try:
        done = services.act(
            actor(),
            ids,
            services.Action(form.action.data),
            note=form.note.data or "",
            reason=form.reason.data or "",
            assignee_id=form.assignee_id.data,
            now=clock.utcnow(),
        )
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(back)
    boundary.commit()
    flash(_("%(n)d flags updated.", n=len(done)), "info")
    return redirect(back)


def _query_args(chosen: queries.FlagFilter) -> dict[str, object]:
    """The filter as the list's query string (the download links keep it)."""
    values = {
        "severity": chosen.severity,
        "rule": chosen.rule,
        "workflow": chosen.workflow,
        "project": chosen.project_id,
        "employer": chosen.employer_id,
        "period": chosen.period,
    }
    return {name: value for name, value in values.items() if value is not None}


def _filter_from(args: dict[str, str]) -> tuple[queries.FlagFilter, list[str]]:
    unknown = []
    values: dict[str, str | None] = {}
    for name in ("severity", "workflow"):
        value = args.get(name) or None
        if value is not None and value not in queries.FLAG_FILTERS[name]:
            unknown.append(name)
            value = None
        values[name] = value
    rule = args.get("rule") or None
    if rule is not None and rule not in BY_CODE:
        unknown.append("rule")
        rule = None
    ids: dict[str, int | None] = {}
    for name in ("project", "employer"):
        value = args.get(name) or None
        if value is not None and not (value.isascii() and value.isdigit() and len(value) <= 9):
            unknown.append(name)
            value = None
        ids[name] = int(value) if value else None
    period = args.get("period") or None
    if period is not None and not MONTH.fullmatch(period):
        unknown.append("period")
        period = None
    chosen = queries.FlagFilter(values["severity"], rule, values["workflow"], ids["project"], ids["employer"], period)
    return chosen, unknown
