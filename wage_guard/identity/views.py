"""Identity pages: the foreman's in-person checks (decide, lost phone, address, unlock, revoking a signing
certificate) and the old number's cancel link."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from wage_guard import boundary, clock
from wage_guard.accounts.models import Role
from wage_guard.enrollment import services as enrollment
from wage_guard.errors import PermissionDenied, WageGuardError
from wage_guard.extensions import limiter
from wage_guard.i18n import _
from wage_guard.identity import queries
from wage_guard.identity import services as identity
from wage_guard.identity.forms import AddressForm, CancelForm, CodeForm, DecisionForm, NewPhoneForm, UnlockForm
from wage_guard.identity.models import CheckKind, IdentityCheck
from wage_guard.journeys import links as signing_links
from wage_guard.organisations import services as organisations
from wage_guard.security import actor, requester, role_required
from wage_guard.signing import revocation
from wage_guard.signing.forms import InPersonRevocationForm

bp = Blueprint("identity", __name__)
public_bp = Blueprint("identity_public", __name__)
MANAGERS = (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)
VIEWERS = (*MANAGERS, Role.INSPECTOR)


def _sms_limit() -> str:
    return str(current_app.config["RATELIMIT_SMS_PER_IP"])


def _check_limit() -> str:
    return str(current_app.config["RATELIMIT_CODE_CHECK_PER_IP"])


@bp.get("/identity-checks/")
@role_required(*VIEWERS)
def checks():  # type: ignore[no-untyped-def]
    """Open checks to decide (foremen) or to watch (inspectors), and the recent decisions."""
    user = actor()
    return render_template("identity/checks.html", open_checks=queries.open_checks(user), decided=queries.recent_decided(user))


def _decidable(check_id: int) -> IdentityCheck:
    check = queries.get_check(actor(), check_id)
    organisations.get_project(actor(), check.project_id, manage=True)
    return check


@bp.route("/identity-checks/<int:check_id>", methods=["GET", "POST"])
@role_required(*VIEWERS)
def detail(check_id: int):  # type: ignore[no-untyped-def]
    """One check; managers of its project confirm (after seeing the ID card) or refuse it."""
    check = queries.get_check(actor(), check_id)
    form = DecisionForm()
    context = {"check": check, "form": form, "code_form": CodeForm(), "may_decide": queries.may_decide(actor())}
    if not form.is_submitted():
        return render_template("identity/detail.html", **context)
    if not queries.may_decide(actor()):
        raise PermissionDenied(_("Inspectors can look at identity checks but not decide them."))
    check = _decidable(check_id)
    approve = request.form.get("decision") == "confirm"
    try:
        _decide(check, approve=approve, seen=bool(form.seen_id_card.data), note=form.note.data or "")
    except WageGuardError as error:
        return boundary.failed_form("identity/detail.html", error, **context)
    boundary.commit()
    flash(_("Your decision has been recorded."), "info")
    return redirect(url_for("identity.detail", check_id=check.id))


def _decide(check: IdentityCheck, *, approve: bool, seen: bool, note: str) -> None:
    now = clock.utcnow()
    if check.kind is CheckKind.SHARED_PHONE_SIGNING:
        signing_links.decide_held_link(check, actor(), approve=approve, seen_id_card=seen, note=note, now=now)
    else:
        enrollment.decide_check(check, actor(), approve=approve, seen_id_card=seen, note=note, now=now)


@bp.post("/identity-checks/<int:check_id>/code")
@role_required(*MANAGERS)
@limiter.limit(_check_limit)
def new_phone_code(check_id: int):  # type: ignore[no-untyped-def]
    """Lost phone: the worker reads out the code that reached the new phone."""
    check = _decidable(check_id)
    form = CodeForm()
    context = {"check": check, "form": DecisionForm(), "code_form": form, "may_decide": True}
    try:
        identity.verify_new_phone(check, form.code.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("identity/detail.html", error, **context)
    boundary.commit()
    flash(_("The new phone is proven. The registered phone has been told."), "info")
    return redirect(url_for("identity.detail", check_id=check.id))


@bp.post("/identity-checks/<int:check_id>/resend")
@role_required(*MANAGERS)
@limiter.limit(_sms_limit)
def resend(check_id: int):  # type: ignore[no-untyped-def]
    check = _decidable(check_id)
    try:
        identity.send_new_phone_code(check, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("identity.detail", check_id=check.id))
    boundary.commit()
    flash(_("A new code is on its way."), "info")
    return redirect(url_for("identity.detail", check_id=check.id))


def _entry(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    project = organisations.get_project(actor(), project_id, manage=True)
    return project, enrollment.get_enrollment(project, enrollment_id)


@bp.route("/projects/<int:project_id>/identity/<int:enrollment_id>/lost-phone", methods=["GET", "POST"])
@role_required(*MANAGERS)
@limiter.limit(_sms_limit, methods=["POST"])
def lost_phone(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """The worker is with the foreman and has a new phone: a code to it starts a phone change."""
    project, entry = _entry(project_id, enrollment_id)
    form = NewPhoneForm()
    context = {"entry": entry, "form": form}
    if not form.is_submitted():
        return render_template("identity/lost_phone.html", **context)
    try:
        check = identity.start_lost_phone(
            actor(), project, entry.worker, form.phone.data or "", now=clock.utcnow(), requester=requester()
        )
    except WageGuardError as error:
        return boundary.failed_form("identity/lost_phone.html", error, **context)
    boundary.commit()
    return redirect(url_for("identity.detail", check_id=check.id))


@bp.route("/projects/<int:project_id>/identity/<int:enrollment_id>/address", methods=["GET", "POST"])
@role_required(*MANAGERS)
@limiter.limit(_check_limit, methods=["POST"])
def address(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """Change the worker's address with the worker present: the code sent to their own phone authorises it."""
    _project, entry = _entry(project_id, enrollment_id)
    form = AddressForm()
    context = {"entry": entry, "form": form}
    if not form.is_submitted():
        form.address.data = entry.worker.address
        return render_template("identity/address.html", **context)
    try:
        identity.change_address(
            actor(), entry.worker, form.address.data or "", form.code.data or "", now=clock.utcnow(), requester=requester()
        )
    except WageGuardError as error:
        return boundary.failed_form("identity/address.html", error, **context)
    boundary.commit()
    flash(_("The address has been changed."), "info")
    return redirect(url_for("enrollment.edit_entry", project_id=project_id, enrollment_id=enrollment_id))


@bp.post("/projects/<int:project_id>/identity/<int:enrollment_id>/address/code")
@role_required(*MANAGERS)
@limiter.limit(_sms_limit)
def address_code(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    project, entry = _entry(project_id, enrollment_id)
    try:
        identity.send_person_data_code(project, entry.worker, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
    else:
        boundary.commit()
        flash(_("A code is on its way to the worker's phone."), "info")
    return redirect(url_for("identity.address", project_id=project_id, enrollment_id=enrollment_id))


@bp.route("/projects/<int:project_id>/identity/<int:enrollment_id>/unlock", methods=["GET", "POST"])
@role_required(*MANAGERS)
def unlock(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """Lift the code lock of a worker's phone after seeing them and their ID card."""
    _project, entry = _entry(project_id, enrollment_id)
    form = UnlockForm()
    context = {"entry": entry, "form": form}
    if not form.is_submitted():
        return render_template("identity/unlock.html", **context)
    try:
        identity.unlock_codes(actor(), entry.worker, seen_id_card=bool(form.seen_id_card.data), now=clock.utcnow())
    except WageGuardError as error:
        return boundary.failed_form("identity/unlock.html", error, **context)
    boundary.commit()
    flash(_("Codes for this worker's phone are unlocked."), "info")
    return redirect(url_for("enrollment.edit_entry", project_id=project_id, enrollment_id=enrollment_id))


@bp.route("/projects/<int:project_id>/identity/<int:enrollment_id>/certificate", methods=["GET", "POST"])
@role_required(*MANAGERS)
def certificate(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """The worker's signing certificates; revoke the one in use for the worker in front of you (compromised means)."""
    _project, entry = _entry(project_id, enrollment_id)
    form = InPersonRevocationForm()
    context = {"entry": entry, "form": form, "certificates": revocation.certificates_of("worker", entry.worker_id)}
    if not form.is_submitted():
        return render_template("identity/certificate.html", **context)
    try:
        revocation.report_in_person(actor(), entry.worker, seen_id_card=bool(form.seen_id_card.data), now=clock.utcnow())
    except WageGuardError as error:
        return boundary.failed_form("identity/certificate.html", error, **context)
    boundary.commit()
    flash(_("The signing certificate has been revoked. The worker's next signature will use a new one."), "info")
    return redirect(url_for("identity.certificate", project_id=project_id, enrollment_id=enrollment_id))


@public_bp.route("/id/<token>", methods=["GET", "POST"])
@limiter.limit(_check_limit, methods=["POST"])
def cancel(token: str):  # type: ignore[no-untyped-def]
    """The registered phone's link: see what was asked, and stop it."""
    check = identity.check_for_cancel_token(token)
    form = CancelForm()
    if not form.is_submitted():
        return render_template("identity/cancel.html", check=check, form=form, token=token)
    try:
        identity.cancel_from_old_phone(token, now=clock.utcnow())
    except WageGuardError as error:
        return boundary.failed_form("identity/cancel.html", error, check=check, form=form, token=token)
    boundary.commit()
    return render_template("identity/cancel.html", check=check, form=form, token=token, cancelled=True)
