"""Administration: employers (platform administrators), staff accounts (administrators, and employer
administrators for their own foremen): creation, deactivation and reactivation; and the filing push's delivery
log. Deactivating ends every session of the account at once (``accounts.sessions``), not only future logins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from wage_guard import boundary, clock
from wage_guard.accounts import services as accounts
from wage_guard.accounts.models import ROLE_LABELS, Role
from wage_guard.admin.forms import EmployerForm, StaffForm
from wage_guard.errors import PermissionDenied, WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Employer
from wage_guard.security import actor, role_required
from wage_guard.settings import settings

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


@bp.post("/staff/<int:user_id>/deactivate")
@role_required(Role.ADMIN, Role.EMPLOYER_ADMIN)
def deactivate_staff(user_id: int):  # type: ignore[no-untyped-def]
    """Disable an account: it cannot log in, and every session it has ends now."""
    return _set_enabled(user_id, enabled=False)


@bp.post("/staff/<int:user_id>/reactivate")
@role_required(Role.ADMIN, Role.EMPLOYER_ADMIN)
def reactivate_staff(user_id: int):  # type: ignore[no-untyped-def]
    """Enable a deactivated account again; it logs in afresh with its password and second factor."""
    return _set_enabled(user_id, enabled=True)


@bp.post("/staff/<int:user_id>/unlock-codes")
@role_required(Role.ADMIN)
def unlock_staff_codes(user_id: int):  # type: ignore[no-untyped-def]
    """Lift the lock after too many wrong codes (the administrator has checked who is asking)."""
    user = accounts.unlock_codes(actor(), user_id, now=clock.utcnow())
    boundary.commit()
    flash(_("Codes for the account %(username)s are unlocked.", username=user.username), "info")
    return redirect(url_for("admin.staff"))


def _set_enabled(user_id: int, *, enabled: bool):  # type: ignore[no-untyped-def]
    try:
        user = accounts.set_enabled(actor(), user_id, enabled, now=clock.utcnow())
    except WageGuardError as error:
        boundary.end_failed(error)
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
        return redirect(url_for("admin.staff"))
    boundary.commit()
    if enabled:
        flash(_("The account %(username)s is active again.", username=user.username), "info")
    else:
        flash(_("The account %(username)s is deactivated and every session of it has ended.", username=user.username), "info")
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


@bp.get("/filings")
@role_required(Role.ADMIN)
def filings():  # type: ignore[no-untyped-def]
    """The filing push to the employment-filing system: what is waiting, what was delivered, every attempt."""
    from wage_guard.filing import queries as filing_queries

    return render_template("admin/filings.html", overview=filing_queries.overview(), configured=bool(settings().filing_push_url))


@bp.post("/filings/resend")
@role_required(Role.ADMIN)
def resend_filing():  # type: ignore[no-untyped-def]
    """Send one record again at once (the receiver lost it, or asked for it again)."""
    from wage_guard.filing import services as filing

    try:
        record_id = int(request.form.get("record_id", ""))
    except ValueError:
        abort(404)
    filing.resend(record_id, by=f"staff:{actor().id}", now=clock.utcnow())
    boundary.commit()
    flash(_("Filing record %(id)d will be sent again within a minute.", id=record_id), "info")
    return redirect(url_for("admin.filings"))
