"""Wage-confirmation pages: the worker's SMS link (/w/...), their months in the portal (/me/wages) and the
foreman's list of answers and disputes (/projects/<id>/confirmations), plus recording an exit settlement.

The link's pages after the first need the code confirmed in this browser session, as for signing.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for

from wage_guard import boundary, clock
from wage_guard.confirmations import links, queries, services
from wage_guard.confirmations.forms import AnswerForm, SettlementForm
from wage_guard.confirmations.models import ANSWERS_FOR, CHANNEL_LABELS, WageConfirmation
from wage_guard.contracts.forms import CodeForm
from wage_guard.enrollment import services as enrollment_services
from wage_guard.errors import WageGuardError
from wage_guard.extensions import limiter
from wage_guard.i18n import _
from wage_guard.organisations import services as organisations
from wage_guard.portal.views import _worker_ids as portal_worker_ids
from wage_guard.security import actor, requester
from wage_guard.sms.phones import mask_mobile

bp = Blueprint("confirm", __name__, url_prefix="/w")
portal_bp = Blueprint("wages", __name__, url_prefix="/me/wages")
staff_bp = Blueprint("confirmations", __name__, url_prefix="/projects/<int:project_id>")


def _sms_limit() -> str:
    return str(current_app.config["RATELIMIT_SMS_PER_IP"])


def _check_limit() -> str:
    return str(current_app.config["RATELIMIT_CODE_CHECK_PER_IP"])


def _verified(token: str) -> WageConfirmation:
    """The link's confirmation, if this browser confirmed a code for it recently; otherwise back to its start."""
    confirmation = links.resolve(token, now=clock.utcnow())
    verified = session.get("wage_links", {}).get(str(confirmation.id))
    ttl = current_app.config["SIGNING_SESSION_TTL"].total_seconds()
    if verified is None or clock.utcnow().timestamp() - verified > ttl:
        abort(redirect(url_for("confirm.start", token=token)))
    return confirmation


def answer_form(confirmation: WageConfirmation) -> AnswerForm:
    form = AnswerForm()
    form.answer.choices = [(a.value, a.label) for a in ANSWERS_FOR[confirmation.kind]]
    return form


@bp.get("/<token>")
def start(token: str):  # type: ignore[no-untyped-def]
    """The worker opens the SMS link: which slip it is, and a code to their phone."""
    confirmation = links.resolve(token, now=clock.utcnow())
    return render_template(
        "confirmations/start.html", c=confirmation, token=token, masked_phone=mask_mobile(confirmation.worker.phone)
    )


@bp.post("/<token>/code")
@limiter.limit(_sms_limit)
def code(token: str):  # type: ignore[no-untyped-def]
    confirmation = links.resolve(token, now=clock.utcnow())
    try:
        links.send_code(confirmation, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("confirm.verify", token=token))
    boundary.commit()
    return redirect(url_for("confirm.verify", token=token))


@bp.route("/<token>/verify", methods=["GET", "POST"])
@limiter.limit(_check_limit, methods=["POST"])
def verify(token: str):  # type: ignore[no-untyped-def]
    """Enter the code texted to the worker's phone."""
    confirmation = links.resolve(token, now=clock.utcnow())
    form = CodeForm()
    context = {"form": form, "token": token, "masked_phone": mask_mobile(confirmation.worker.phone)}
    if not form.validate_on_submit():
        return render_template("confirmations/verify.html", **context), 422 if form.is_submitted() else 200
    try:
        links.verify_code(confirmation, form.code.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("confirmations/verify.html", error, **context)
    session["wage_links"] = {**session.get("wage_links", {}), str(confirmation.id): clock.utcnow().timestamp()}
    boundary.commit()
    return redirect(url_for("confirm.slip", token=token))


@bp.route("/<token>/slip", methods=["GET", "POST"])
def slip(token: str):  # type: ignore[no-untyped-def]
    """The pay slip (工资清单) and the worker's answer."""
    confirmation = _verified(token)
    form = answer_form(confirmation)
    action = url_for("confirm.slip", token=token)
    if not form.is_submitted():
        return render_template("confirmations/slip.html", c=confirmation, form=form, action=action, channel_labels=CHANNEL_LABELS)
    return _answer(confirmation, form, "link", action, url_for("confirm.slip", token=token))


def _answer(confirmation: WageConfirmation, form: AnswerForm, via: str, action: str, done_url: str):  # type: ignore[no-untyped-def]
    try:
        services.answer(
            confirmation,
            form.answer.data or "",
            note=form.note.data or "",
            amount=form.amount.data or "",
            via=via,
            now=clock.utcnow(),
            requester=requester(),
        )
    except WageGuardError as error:
        return boundary.failed_form(
            "confirmations/slip.html", error, c=confirmation, form=form, action=action, channel_labels=CHANNEL_LABELS
        )
    boundary.commit()
    flash(_("Thank you: your answer has been recorded."), "info")
    return redirect(done_url)


@portal_bp.get("/")
def months():  # type: ignore[no-untyped-def]
    """Every month (and exit settlement) the worker was asked about, with their answer."""
    return render_template("confirmations/months.html", confirmations=queries.of_workers(portal_worker_ids()))


@portal_bp.route("/<int:confirmation_id>", methods=["GET", "POST"])
def answer(confirmation_id: int):  # type: ignore[no-untyped-def]
    """One pay slip from the portal, answerable there too."""
    confirmation = queries.get_own(portal_worker_ids(), confirmation_id)
    form = answer_form(confirmation)
    action = url_for("wages.answer", confirmation_id=confirmation_id)
    if not form.is_submitted():
        return render_template(
            "confirmations/slip.html", c=confirmation, form=form, action=action, portal=True, channel_labels=CHANNEL_LABELS
        )
    return _answer(confirmation, form, "portal", action, url_for("wages.months"))


@staff_bp.get("/confirmations")
def project_list(project_id: int):  # type: ignore[no-untyped-def]
    """The foreman's (and inspector's) view: disputes first, then who has not answered, then the rest."""
    project = organisations.get_project(actor(), project_id)
    return render_template(
        "confirmations/project.html",
        project=project,
        confirmations=queries.of_project(project),
        settlements=queries.settlements_of([project.id]),
    )


@staff_bp.route("/roster/<int:enrollment_id>/settlement", methods=["GET", "POST"])
def settlement(project_id: int, enrollment_id: int):  # type: ignore[no-untyped-def]
    """Record the worker's exit date and final settlement; the worker is asked to confirm it."""
    project = organisations.get_project(actor(), project_id, manage=True)
    entry = enrollment_services.get_enrollment(project, enrollment_id)
    form = SettlementForm(obj=entry)
    context = {"form": form, "entry": entry, "project": project}
    if not form.is_submitted() or not form.validate():
        return render_template("confirmations/settlement.html", **context), 422 if form.is_submitted() else 200
    try:
        services.record_settlement(
            actor(),
            entry,
            exit_date=form.exit_date.data,
            amount=form.amount.data or "",
            note=form.note.data or "",
            now=clock.utcnow(),
        )
    except WageGuardError as error:
        return boundary.failed_form("confirmations/settlement.html", error, **context)
    boundary.commit()
    flash(_("The settlement has been recorded and the worker asked to confirm it."), "info")
    return redirect(url_for("confirmations.project_list", project_id=project_id))
