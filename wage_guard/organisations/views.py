"""Projects: the list a staff member may see, creating a site, the site page and its crews."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role, User
from wage_guard.enrollment import links as enrollment_links
from wage_guard.enrollment import queries as enrollment_queries
from wage_guard.enrollment.trades import TRADES
from wage_guard.errors import WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations import closure, services
from wage_guard.organisations.forms import CompletionForm, CrewForm, ManagerForm, ProjectForm
from wage_guard.organisations.models import Employer, Project
from wage_guard.security import actor, role_required, staff_required

bp = Blueprint("organisations", __name__, url_prefix="/projects")
MANAGERS = (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)


@bp.get("/", endpoint="list")
@staff_required
def list_projects():  # type: ignore[no-untyped-def]
    """List the projects the current user may see, with their roster sizes."""
    projects = services.visible_projects(actor())
    counts = enrollment_queries.roster_counts([p.id for p in projects])
    return render_template("organisations/list.html", projects=projects, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def create():  # type: ignore[no-untyped-def]
    """Create a site; a foreman becomes its manager."""
    form = _project_form()
    if not form.validate_on_submit():
        return render_template("organisations/create.html", form=form), 422 if form.is_submitted() else 200
    data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "employer_id")}
    data.update({k: "" for k, v in data.items() if v is None})  # optional fields left out of the request (not just empty)
    try:
        project = services.create_project(actor(), employer=db.get_or_404(Employer, form.employer_id.data), **data)
        enrollment_links.issue_link(actor(), project, now=clock.utcnow())
    except WageGuardError as error:
        return boundary.failed_form("organisations/create.html", error, form=form)
    boundary.commit()
    flash(_("The project has been created. Print its poster so workers can enrol."), "info")
    return redirect(url_for("organisations.detail", project_id=project.id))


@bp.get("/<int:project_id>")
@staff_required
def detail(project_id: int):  # type: ignore[no-untyped-def]
    """The site page: parties, the enrolment QR code, crews and the roster."""
    project = services.get_project(actor(), project_id)
    link = enrollment_links.current_link(project, now=clock.utcnow())
    manager_form = ManagerForm()
    manager_form.user_id.choices = _foreman_choices(project)
    return render_template(
        "organisations/detail.html",
        project=project,
        link=link,
        crew_form=CrewForm(),
        roster=enrollment_queries.roster(project),
        can_manage=actor().role in MANAGERS,
        manager_form=manager_form,
        can_assign=actor().role in (Role.ADMIN, Role.EMPLOYER_ADMIN),
        completion_form=CompletionForm(completed_on=project.completed_on),
        trades=TRADES,
    )


@bp.post("/<int:project_id>/crews")
@role_required(*MANAGERS)
def add_crew(project_id: int):  # type: ignore[no-untyped-def]
    """Add a crew to the project."""
    project = services.get_project(actor(), project_id, manage=True)
    form = CrewForm()
    if form.validate_on_submit():
        services.add_crew(project, name=form.name.data, leader_name=form.leader_name.data or "")
        boundary.commit()
        flash(_("Crew added."), "info")
    else:
        flash(_("Please enter a crew name."), "error")
    return redirect(url_for("organisations.detail", project_id=project.id))


@bp.post("/<int:project_id>/managers")
@role_required(Role.ADMIN, Role.EMPLOYER_ADMIN)
def add_manager(project_id: int):  # type: ignore[no-untyped-def]
    """Give a foreman of the project's employer access to the project."""
    project = services.get_project(actor(), project_id, manage=True)
    form = ManagerForm()
    form.user_id.choices = _foreman_choices(project)
    if form.validate_on_submit():
        services.add_manager(project, db.get_or_404(User, form.user_id.data))
        boundary.commit()
        flash(_("The foreman can now manage this project."), "info")
    else:
        flash(_("Please choose a foreman."), "error")
    return redirect(url_for("organisations.detail", project_id=project.id))


@bp.post("/<int:project_id>/completion")
@role_required(*MANAGERS)
def record_completion(project_id: int):  # type: ignore[no-untyped-def]
    """Record the day the works were completed: the retention of the roster and wage records runs from it."""
    project = services.get_project(actor(), project_id, manage=True)
    form = CompletionForm()
    if not form.validate_on_submit():
        flash(_("Please enter the completion date."), "error")
        return redirect(url_for("organisations.detail", project_id=project.id))
    try:
        closure.record_completion(actor(), project, form.completed_on.data, now=clock.utcnow())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("organisations.detail", project_id=project.id))
    boundary.commit()
    flash(_("The completion date has been recorded."), "info")
    return redirect(url_for("organisations.detail", project_id=project.id))


def _foreman_choices(project: Project) -> list[SelectChoice]:
    return [SelectChoice(str(u.id), u.display_name) for u in services.foremen_of(project.employer_id)]


def _project_form() -> ProjectForm:
    form = ProjectForm()
    form.county_code.choices = [SelectChoice(c.code, f"{c.province_name} {c.name} ({c.code})") for c in services.list_counties()]
    user = actor()
    employers = db.session.scalars(sa.select(Employer).order_by(Employer.name)).all()
    if user.role is not Role.ADMIN:
        employers = [e for e in employers if e.id == user.employer_id]
    form.employer_id.choices = [SelectChoice(str(e.id), e.name) for e in employers]
    return form
