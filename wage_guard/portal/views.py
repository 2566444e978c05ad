"""The worker portal pages (/me): log in by SMS code, list, download, print and verify contracts.

The session holds a random handle while the code is awaited, then worker ids with their session versions, which
every page checks: logout (and a phone change) end every copy of the session (``accounts.sessions``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for

from wage_guard import boundary, clock
from wage_guard.accounts import sessions
from wage_guard.contracts import notices
from wage_guard.contracts import services as contracts_services
from wage_guard.contracts.forms import CodeForm, PhoneForm
from wage_guard.contracts.views import evidence_response, pdf_response
from wage_guard.enrollment.models import Worker
from wage_guard.errors import NotFound, WageGuardError
from wage_guard.extensions import db, limiter
from wage_guard.i18n import _
from wage_guard.portal import my_data as my_data_export
from wage_guard.portal import services as portal
from wage_guard.security import requester
from wage_guard.signing import revocation
from wage_guard.signing.forms import CompromiseForm
from wage_guard.sms.phones import mask_mobile
from wage_guard.verification import services as verification
from wage_guard.verification.views import render_report

bp = Blueprint("portal", __name__, url_prefix="/me")


def _limit() -> str:
    return str(current_app.config["RATELIMIT_SMS_PER_IP"])


def _worker_ids() -> list[int]:
    """The workers of this portal session; back to the start when it timed out or any of them logged out."""
    state = session.get("portal") or {}
    ttl = current_app.config["SIGNING_SESSION_TTL"].total_seconds()
    workers = sessions.portal_workers(state.get("workers")) if isinstance(state, dict) else None
    if workers is None or clock.utcnow().timestamp() - state.get("at", 0) > ttl:
        session.pop("portal", None)
        abort(redirect(url_for("portal.start")))
    session["portal"] = {**state, "at": clock.utcnow().timestamp()}
    return workers


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def start():  # type: ignore[no-untyped-def]
    """Enter the phone number the contracts were signed with."""
    form = PhoneForm()
    if not form.validate_on_submit():
        return render_template("portal/start.html", form=form), 422 if form.is_submitted() else 200
    try:
        handle = portal.start_login(
            form.phone.data or "", now=clock.utcnow(), requester=requester(), previous=session.get("portal_login")
        )
    except WageGuardError as error:
        return boundary.failed_form("portal/start.html", error, form=form)
    session["portal_login"] = handle
    boundary.commit()
    return redirect(url_for("portal.verify"))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def verify():  # type: ignore[no-untyped-def]
    """Enter the code; the same page and answers whether or not the phone is registered, until the code is right."""
    login = portal.pending_login(session.get("portal_login"), now=clock.utcnow())
    if login is None:
        return redirect(url_for("portal.start"))
    form = CodeForm()
    context = {"form": form, "masked_phone": mask_mobile(login.phone)}
    if not form.validate_on_submit():
        return render_template("portal/verify.html", **context), 422 if form.is_submitted() else 200
    try:
        workers = portal.finish_login(login, form.code.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("portal/verify.html", error, **context)
    session.pop("portal_login", None)
    boundary.commit()
    if not workers:  # the phone is proven now, so it may learn that nothing is registered for it
        session.pop("portal", None)
        flash(_("There are no contracts for this phone number yet."), "info")
        return redirect(url_for("portal.start"))
    session["portal"] = {"workers": sessions.portal_token(workers), "at": clock.utcnow().timestamp()}
    return redirect(url_for("portal.contracts"))


@bp.get("/contracts")
def contracts():  # type: ignore[no-untyped-def]
    """All of the worker's contracts, including those of finished projects."""
    return render_template("portal/contracts.html", contracts=portal.contracts_of(_worker_ids()))


@bp.get("/my-data.zip")
def my_data():  # type: ignore[no-untyped-def]
    """Everything held about the session's people, as a ZIP (the right to view and copy, PIPL Art. 45)."""
    data = my_data_export.export_zip(_worker_ids(), now=clock.utcnow())
    boundary.commit()
    headers = {"Content-Disposition": 'attachment; filename="my-data.zip"', "Cache-Control": "no-store"}
    return current_app.response_class(data, mimetype="application/zip", headers=headers)


@bp.get("/contracts/<int:contract_id>.pdf")
def download(contract_id: int):  # type: ignore[no-untyped-def]
    """Download the signed PDF (logged as evidence that the worker received it)."""
    contract = portal.get_contract(_worker_ids(), contract_id)
    contracts_services.record(
        contract,
        "downloaded",
        f"worker:{contract.worker_id}",
        clock.utcnow(),
        ip_address=requester().ip_address,
        user_agent=requester().user_agent,
        what="pdf",
    )
    boundary.commit()
    return pdf_response(contract, download=True)


@bp.get("/contracts/<int:contract_id>/evidence.zip")
def evidence(contract_id: int):  # type: ignore[no-untyped-def]
    """The evidence package of the worker's own contract."""
    contract = portal.get_contract(_worker_ids(), contract_id)
    return evidence_response(contract, f"worker:{contract.worker_id}")


@bp.get("/contracts/<int:contract_id>/print")
def print_pdf(contract_id: int):  # type: ignore[no-untyped-def]
    """The PDF inline, for the phone's own viewer and its print function."""
    return pdf_response(portal.get_contract(_worker_ids(), contract_id), download=False)


@bp.get("/contracts/<int:contract_id>/verify")
def verify_contract(contract_id: int):  # type: ignore[no-untyped-def]
    """Check the worker's own contract: which version it is, its signatures and signers (as on the public page)."""
    contract = portal.get_contract(_worker_ids(), contract_id)
    return render_report(verification.verify_pdf(contract.current_document.pdf))


@bp.post("/contracts/<int:contract_id>/acknowledge")
def acknowledge(contract_id: int):  # type: ignore[no-untyped-def]
    """Acknowledge receipt (签收) of an employer's notice; recorded as evidence, never needed for it to take effect."""
    contract = portal.get_contract(_worker_ids(), contract_id)
    try:
        notices.acknowledge(contract, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("portal.contracts"))
    boundary.commit()
    flash(_("Thank you: your receipt of the notice has been recorded."), "info")
    return redirect(url_for("portal.contracts"))


@bp.route("/signing-certificate", methods=["GET", "POST"])
def signing_certificate():  # type: ignore[no-untyped-def]
    """See one's signing certificates and report compromised signing means, which revokes the one in use."""
    workers = [w for w in (db.session.get(Worker, i) for i in _worker_ids()) if w is not None]
    form = CompromiseForm()
    context = {"people": [(w, revocation.certificates_of("worker", w.id)) for w in workers], "form": form}
    if not form.is_submitted():
        return render_template("portal/certificate.html", **context)
    try:
        worker = _own_worker(workers, form.worker_id.data)
        revocation.report_by_worker(worker, confirmed=bool(form.confirm.data), now=clock.utcnow())
    except WageGuardError as error:
        return boundary.failed_form("portal/certificate.html", error, **context)
    boundary.commit()
    flash(_("Your signing certificate has been revoked. Your next signature will use a new one."), "info")
    return redirect(url_for("portal.signing_certificate"))


def _own_worker(workers: list[Worker], value: object) -> Worker:
    """The person of this session named in the form (a phone may hold two); anyone else is not found."""
    for worker in workers:
        if str(worker.id) == str(value or ""):
            return worker
    raise NotFound(_("This person is not signed in here."))


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    """End every portal session of these workers, so a copy of this cookie opens nothing afterwards."""
    state = session.get("portal") or {}
    workers = sessions.portal_workers(state.get("workers")) if isinstance(state, dict) else None
    if workers:
        sessions.end_portal_session(workers)
        boundary.commit()
    session.pop("portal", None)
    session.pop("portal_login", None)
    return redirect(url_for("portal.start"))
