"""Administration: employers (platform administrators) and staff accounts (administrators, and employer
administrators for their own foremen)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from wage_guard import boundary
from wage_guard.accounts import services as accounts
from wage_guard.accounts.models import ROLE_LABELS, Role
from wage_guard.admin.forms import EmployerForm, StaffForm
from wage_guard.errors import PermissionDenied, WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Employer
from wage_guard.security import actor, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/employers", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def employers():  # type: ignore[no-untyped-def]
    """List employers and register a new one."""
    form = EmployerForm()
    context = {"form": form, "employers": organisations.list_employers()}
    if not form.validate_on_submit():
        return render_template("admin/employers.html", **context), 422 if form.is_submitted() else 200
    try:
        organisations.create_employer(**{k: v for k, v in form.data.items() if k != "csrf_token"})
    except WageGuardError as error:
        return boundary.failed_form("admin/employers.html", error, **context)
    boundary.commit()
    flash(_("The employer has been registered."), "info")
    return redirect(url_for("admin.employers"))


@bp.route("/staff", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.EMPLOYER_ADMIN)
def staff():  # type: ignore[no-untyped-def]
    """List staff accounts in scope and create one (employer administrators create their own foremen)."""
    form = _staff_form()
    context = {"form": form, "users": accounts.visible_users(actor())}
    if not form.validate_on_submit():
        return render_template("admin/staff.html", **context), 422 if form.is_submitted() else 200
    try:
        role = Role(form.role.data)
        employer = db.session.get(Employer, form.employer_id.data) if form.employer_id.data else None
        if actor().role is Role.EMPLOYER_ADMIN and (
            role is not Role.FOREMAN or employer is None or employer.id != actor().employer_id
        ):
            raise PermissionDenied(_("Employer administrators can only create foremen of their own employer."))
        accounts.create_user(
            username=form.username.data,
            display_name=form.display_name.data,
            role=role,
            password=form.password.data,
            phone=form.phone.data,
            employer=employer,
            area_code=form.area_code.data or None,
        )
    except WageGuardError as error:
        return boundary.failed_form("admin/staff.html", error, **context)
    boundary.commit()
    flash(_("The account has been created. Give the person their username and initial password."), "info")
    return redirect(url_for("admin.staff"))


def _staff_form() -> StaffForm:
    form = StaffForm()
    user = actor()
    roles = list(Role) if user.role is Role.ADMIN else [Role.FOREMAN]
    form.role.choices = [SelectChoice(r.value, str(ROLE_LABELS[r])) for r in roles]
    employers = db.session.scalars(sa.select(Employer).order_by(Employer.name)).all()
    if user.role is not Role.ADMIN:
        employers = [e for e in employers if e.id == user.employer_id]
    form.employer_id.choices = [SelectChoice("0", "—")] + [SelectChoice(str(e.id), e.name) for e in employers]
    return form
