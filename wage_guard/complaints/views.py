"""Complaint pages: report unpaid wages from the site poster's QR page (/e/<token>/complaint) or the portal
(/me/complaints), and the project's list where the foreman or the county's inspector closes them."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for

from wage_guard import boundary, clock
from wage_guard.complaints import services
from wage_guard.complaints.forms import CloseForm, PortalComplaintForm, PosterComplaintForm
from wage_guard.contracts.forms import CodeForm
from wage_guard.enrollment import links as enrollment_links
from wage_guard.enrollment.models import Enrollment, Worker
from wage_guard.errors import NotFound, WageGuardError
from wage_guard.extensions import db, limiter
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.portal.views import _worker_ids as portal_worker_ids
from wage_guard.security import actor, requester
from wage_guard.sms.phones import mask_mobile

bp = Blueprint("complaints", __name__)


def _sms_limit() -> str:
    return str(current_app.config["RATELIMIT_SMS_PER_IP"])


def _check_limit() -> str:
    return str(current_app.config["RATELIMIT_CODE_CHECK_PER_IP"])


def _form_data(form: PortalComplaintForm) -> services.ComplaintForm:
    person = form if isinstance(form, PosterComplaintForm) else None
    return services.ComplaintForm(
        months=form.months.data or "",
        amount=form.amount.data or "",
        note=form.note.data or "",
        name=(person.name.data or "") if person else "",
        phone=(person.phone.data or "") if person else "",
    )


@bp.route("/e/<token>/complaint", methods=["GET", "POST"])
@limiter.limit(_sms_limit, methods=["POST"])
def poster(token: str):  # type: ignore[no-untyped-def]
    """Report unpaid wages on this site: name, phone, months, amount, note; then a code to the phone."""
    link = enrollment_links.resolve_link(token, now=clock.utcnow())
    form = PosterComplaintForm()
    if not form.validate_on_submit():
        return render_template("complaints/poster.html", form=form, link=link), 422 if form.is_submitted() else 200
    try:
        handle = services.start_from_poster(link.project, _form_data(form), now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("complaints/poster.html", error, form=form, link=link)
    session["complaint"] = handle
    boundary.commit()
    return redirect(url_for("complaints.poster_verify", token=token))


@bp.route("/e/<token>/complaint/verify", methods=["GET", "POST"])
@limiter.limit(_check_limit, methods=["POST"])
def poster_verify(token: str):  # type: ignore[no-untyped-def]
    """Enter the code: the complaint is filed."""
    link = enrollment_links.resolve_link(token, now=clock.utcnow())
    handle = session.get("complaint")
    complaint = services.get_pending(handle, link.project, now=clock.utcnow())
    form = CodeForm()
    context = {"form": form, "token": token, "masked_phone": mask_mobile(complaint.phone)}
    if not form.validate_on_submit():
        return render_template("complaints/verify.html", **context), 422 if form.is_submitted() else 200
    try:
        services.confirm_from_poster(complaint, str(handle), form.code.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("complaints/verify.html", error, **context)
    session.pop("complaint", None)
    boundary.commit()
    return render_template("complaints/filed.html", complaint=complaint)


@bp.post("/e/<token>/complaint/resend")
@limiter.limit(_sms_limit)
def poster_resend(token: str):  # type: ignore[no-untyped-def]
    link = enrollment_links.resolve_link(token, now=clock.utcnow())
    handle = session.get("complaint")
    complaint = services.get_pending(handle, link.project, now=clock.utcnow())
    try:
        services.send_code(complaint, str(handle), now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("complaints.poster_verify", token=token))
    boundary.commit()
    flash(_("A new code is on its way."), "info")
    return redirect(url_for("complaints.poster_verify", token=token))


@bp.route("/me/complaints", methods=["GET", "POST"])
def portal():  # type: ignore[no-untyped-def]
    """The worker reports unpaid wages on one of their projects, and sees their complaints."""
    worker_ids = portal_worker_ids()
    entries = list(db.session.scalars(db.select(Enrollment).where(Enrollment.worker_id.in_(worker_ids))))
    form = PortalComplaintForm()
    form.project_id.choices = [(str(e.project_id), e.project.name) for e in entries]
    context = {"form": form, "complaints": services.of_workers(worker_ids)}
    if not form.validate_on_submit():
        return render_template("complaints/portal.html", **context), 422 if form.is_submitted() else 200
    try:
        entry = next((e for e in entries if str(e.project_id) == form.project_id.data), None)
        if entry is None:
            raise NotFound(_("You are not on this project's roster."))
        worker = db.session.get(Worker, entry.worker_id)
        assert worker is not None
        services.file_from_portal(worker, entry.project_id, _form_data(form), now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("complaints/portal.html", error, **context)
    boundary.commit()
    flash(_("Your complaint has been recorded. The site office and the labour inspector can see it."), "info")
    return redirect(url_for("complaints.portal"))


@bp.get("/projects/<int:project_id>/complaints")
def project_list(project_id: int):  # type: ignore[no-untyped-def]
    project = organisations.get_project(actor(), project_id)
    return render_template("complaints/project.html", project=project, complaints=services.of_project(project))


@bp.route("/projects/<int:project_id>/complaints/<int:complaint_id>", methods=["GET", "POST"])
def detail(project_id: int, complaint_id: int):  # type: ignore[no-untyped-def]
    """One complaint; the foreman or the county's inspector closes it with a resolution note."""
    project = organisations.get_project(actor(), project_id)
    complaint = services.get_complaint(project, complaint_id)
    form = CloseForm()
    if not form.is_submitted():
        return render_template("complaints/detail.html", project=project, complaint=complaint, form=form)
    try:
        services.close(actor(), complaint, form.resolution.data or "", now=clock.utcnow())
    except WageGuardError as error:
        return boundary.failed_form("complaints/detail.html", error, project=project, complaint=complaint, form=form)
    boundary.commit()
    flash(_("The complaint has been closed."), "info")
    return redirect(url_for("complaints.project_list", project_id=project_id))
