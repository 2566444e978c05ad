"""Enrolment pages: the staff side (QR code, poster, links) and the public phone pages behind the QR code."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, session, url_for
from wtforms.fields.choices import SelectChoice

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role
from wage_guard.documents import qr
from wage_guard.enrollment import links, services
from wage_guard.enrollment.forms import CodeForm, EnrollmentForm, RosterEntryForm
from wage_guard.enrollment.models import EnrollmentLink
from wage_guard.errors import NotFound, WageGuardError
from wage_guard.extensions import limiter
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.security import actor, requester, role_required, staff_required
from wage_guard.sms.phones import mask_mobile

bp = Blueprint("enrollment", __name__, url_prefix="/projects/<int:project_id>/enrolment")
public_bp = Blueprint("enroll", __name__, url_prefix="/e")
MANAGERS = (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)


def enrollment_url(link: EnrollmentLink) -> str:
    """The absolute URL printed in the QR code."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    path = url_for("enroll.start", token=link.token)
    return base.rstrip("/") + path if base else url_for("enroll.start", token=link.token, _external=True)


def _current_link(project_id: int) -> EnrollmentLink:
    project = organisations.get_project(actor(), project_id)
    link = links.current_link(project, now=clock.utcnow())
    if link is None:
        raise NotFound(_("This project has no active QR code. Create a new one on the project page."))
    return link


@bp.get("/qr.svg")
@staff_required
def qr_svg(project_id: int):  # type: ignore[no-untyped-def]
    return Response(qr.render_svg(enrollment_url(_current_link(project_id))), mimetype="image/svg+xml")


@bp.get("/qr.png")
@staff_required
def qr_png(project_id: int):  # type: ignore[no-untyped-def]
    """The QR code as a PNG download."""
    png = qr.render_png(enrollment_url(_current_link(project_id)))
    headers = {"Content-Disposition": f'attachment; filename="enrolment-qr-{project_id}.png"'}
    return Response(png, mimetype="image/png", headers=headers)


@bp.get("/poster")
@staff_required
def poster(project_id: int):  # type: ignore[no-untyped-def]
    """The printable A4 rights-information board (维权信息告示牌) with the enrolment QR code."""
    link = _current_link(project_id)
    project = link.project
    wage = project.county.minimum_wage_on(clock.china_date(clock.utcnow()))
    return render_template(
        "enrollment/poster.html", project=project, link=link, minimum_wage=wage, enrol_url=enrollment_url(link)
    )


@bp.post("/links")
@role_required(*MANAGERS)
def new_link(project_id: int):  # type: ignore[no-untyped-def]
    """Replace the QR code: the old poster stops working at once."""
    project = organisations.get_project(actor(), project_id, manage=True)
    links.issue_link(actor(), project, now=clock.utcnow())
    boundary.commit()
    flash(_("A new QR code has been created and the old one no longer works. Print the new poster."), "info")
    return redirect(url_for("organisations.detail", project_id=project_id))


@bp.post("/links/<int:link_id>/revoke")
@role_required(*MANAGERS)
def revoke_link(project_id: int, link_id: int):  # type: ignore[no-untyped-def]
    """Withdraw the QR code without a replacement (e.g. the poster was posted in the wrong place)."""
    project = organisations.get_project(actor(), project_id, manage=True)
    links.revoke_link(project, link_id, now=clock.utcnow())
    boundary.commit()
    flash(_("The QR code has been withdrawn. Nobody can enrol with it any more."), "info")
    return redirect(url_for("organisations.detail", project_id=project_id))


@bp.route("/roster/<int:enrollment_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_entry(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """Assign a worker to a crew, correct the trade, or record the day they left the site."""
    project = organisations.get_project(actor(), project_id, manage=True)
    entry = services.get_enrollment(project, enrollment_id)
    form = RosterEntryForm(obj=entry)
    form.crew_id.choices = [SelectChoice("0", "—")] + [SelectChoice(str(c.id), c.name) for c in project.crews]
    if not form.validate_on_submit():
        return render_template("enrollment/edit_entry.html", form=form, entry=entry), 422 if form.is_submitted() else 200
    try:
        services.update_enrollment(entry, crew_id=form.crew_id.data or None, trade=form.trade.data, exit_date=form.exit_date.data)
    except WageGuardError as error:
        return boundary.failed_form("enrollment/edit_entry.html", error, form=form, entry=entry)
    boundary.commit()
    flash(_("The roster entry has been updated."), "info")
    return redirect(url_for("organisations.detail", project_id=project_id, _anchor="roster"))


def _sms_ip_limit() -> str:
    return str(current_app.config["RATELIMIT_SMS_PER_IP"])


def _check_ip_limit() -> str:
    return str(current_app.config["RATELIMIT_CODE_CHECK_PER_IP"])


@public_bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit(_sms_ip_limit, methods=["POST"])
def start(token: str):  # type: ignore[no-untyped-def]
    """The page behind the QR code: name, ID number, phone, trade and consent; then a code by SMS."""
    link = links.resolve_link(token, now=clock.utcnow())
    form = EnrollmentForm()
    if not form.validate_on_submit():
        return render_template("enrollment/start.html", form=form, link=link), 422 if form.is_submitted() else 200
    data = services.EnrollmentForm(
        form.name.data or "",
        form.id_number.data or "",
        form.phone.data or "",
        form.trade.data or "",
        bool(form.consent.data),
        form.address.data or "",
    )
    try:
        pending = services.start_enrollment(link, data, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("enrollment/start.html", error, form=form, link=link)
    session["enrolment"] = pending.handle
    boundary.commit()
    return redirect(url_for("enroll.verify", token=token))


@public_bp.route("/<token>/verify", methods=["GET", "POST"])
@limiter.limit(_check_ip_limit, methods=["POST"])
def verify(token: str):  # type: ignore[no-untyped-def]
    """Enter the SMS code; success puts the worker on the roster."""
    now = clock.utcnow()
    link = links.resolve_link(token, now=now)
    pending = services.get_pending(session.get("enrolment"), link, now=now)
    form = CodeForm()
    context = {"form": form, "link": link, "masked_phone": mask_mobile(pending.phone)}
    if not form.validate_on_submit():
        return render_template("enrollment/verify.html", **context), 422 if form.is_submitted() else 200
    try:
        outcome = services.complete_enrollment(pending, form.code.data or "", now=now, requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("enrollment/verify.html", error, **context)
    session.pop("enrolment", None)
    if outcome.check is not None:
        session["identity_check"] = outcome.check.id
        boundary.commit()
        return redirect(url_for("enroll.held", token=token))
    assert outcome.enrollment is not None
    session["enrolled"] = outcome.enrollment.id
    boundary.commit()
    return redirect(url_for("enroll.done", token=token))


@public_bp.get("/<token>/held")
def held(token: str):  # type: ignore[no-untyped-def]
    """The enrolment waits for an identity check: what happens next, and the old-phone shortcut for a phone change."""
    check = services.get_own_check(session.get("identity_check"), token)
    return render_template("enrollment/held.html", check=check, token=token, form=CodeForm())


@public_bp.post("/<token>/old-phone/code")
@limiter.limit(_sms_ip_limit)
def old_phone_code(token: str):  # type: ignore[no-untyped-def]
    """Text a code to the phone on record (the person still has it)."""
    check = services.get_own_check(session.get("identity_check"), token)
    try:
        services.send_old_phone_code(check, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("enrollment/held.html", error, check=check, token=token, form=CodeForm())
    boundary.commit()
    flash(_("A code is on its way to the phone number registered with your ID number."), "info")
    return redirect(url_for("enroll.held", token=token, sent=1))


@public_bp.post("/<token>/old-phone")
@limiter.limit(_check_ip_limit)
def old_phone(token: str):  # type: ignore[no-untyped-def]
    """Enter the code from the old phone: both phones are proven, so the change and the enrolment happen now."""
    check = services.get_own_check(session.get("identity_check"), token)
    form = CodeForm()
    context = {"check": check, "token": token, "form": form}
    if not form.validate_on_submit():
        return render_template("enrollment/held.html", **context), 422
    try:
        enrollment = services.finish_with_old_phone(check, form.code.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("enrollment/held.html", error, **context)
    session.pop("identity_check", None)
    if enrollment is not None:
        session["enrolled"] = enrollment.id
    boundary.commit()
    return redirect(url_for("enroll.done", token=token))


@public_bp.post("/<token>/resend")
@limiter.limit(_sms_ip_limit)
def resend(token: str):  # type: ignore[no-untyped-def]
    """Send the code again, after the 60-second cool-down."""
    now = clock.utcnow()
    link = links.resolve_link(token, now=now)
    pending = services.get_pending(session.get("enrolment"), link, now=now)
    try:
        services.send_enrollment_code(pending, now=now, requester=requester())
    except WageGuardError as error:
        return boundary.failed_form(
            "enrollment/verify.html", error, form=CodeForm(), link=link, masked_phone=mask_mobile(pending.phone)
        )
    boundary.commit()
    flash(_("A new code is on its way."), "info")
    return redirect(url_for("enroll.verify", token=token))


@public_bp.get("/<token>/done")
def done(token: str):  # type: ignore[no-untyped-def]
    """Confirmation for the worker who just enrolled (only in their own browser session)."""
    enrollment = services.get_own_enrollment(session.get("enrolled"), token)
    return render_template("enrollment/done.html", enrollment=enrollment)
