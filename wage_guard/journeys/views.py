"""The public signing pages behind SMS links: the worker's journey (/s/...) and the employer's (/seal/...).

Pages after the first need the code confirmed in this browser session; the signing POST also needs the
notice acknowledged (workers). Every request re-resolves the link, so an expired or used link stops at once.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, session, url_for
from sqlalchemy.exc import IntegrityError

from wage_guard import boundary, clock
from wage_guard.batches import kinds
from wage_guard.batches import queries as batch_queries
from wage_guard.batches.models import BatchRun
from wage_guard.contracts import services as contracts
from wage_guard.contracts.forms import CodeForm, PlacementForm, RefuseForm
from wage_guard.contracts.lifecycle import Kind
from wage_guard.contracts.models import Contract, PagePreview, SigningLink
from wage_guard.documents import changes, previews, text
from wage_guard.documents import contract as rendering
from wage_guard.errors import ValidationFailed, WageGuardError
from wage_guard.extensions import db, limiter
from wage_guard.i18n import _
from wage_guard.journeys import links as signing_links
from wage_guard.journeys import services as journeys
from wage_guard.security import requester
from wage_guard.settings import settings
from wage_guard.sms.phones import mask_mobile

bp = Blueprint("sign", __name__)
PARTY_PREFIX = {journeys.WORKER: "worker", journeys.EMPLOYER: "employer"}


def _limit() -> str:
    return str(current_app.config["RATELIMIT_CODE_CHECK_PER_IP"])


def _sms_limit() -> str:
    return str(current_app.config["RATELIMIT_SMS_PER_IP"])


def _state(link: SigningLink) -> dict[str, float]:
    state: dict[str, float] = session.get("signing", {}).get(str(link.id), {})
    return state


def _remember(link: SigningLink, **values: float) -> None:
    signing = dict(session.get("signing", {}))
    signing[str(link.id)] = {**signing.get(str(link.id), {}), **values}
    session["signing"] = signing


def _link(token: str, party: str) -> SigningLink:
    return signing_links.resolve(token, party, now=clock.utcnow())


def _verified(token: str, party: str) -> SigningLink:
    """The link, if this session confirmed a code for it recently, on the phone the person still has; otherwise
    back to the start page (a phone change since the code ends the signing session, like a portal session)."""
    link = _link(token, party)
    state = _state(link)
    verified = state.get("verified_at")
    ttl = current_app.config["SIGNING_SESSION_TTL"].total_seconds()
    stale = verified is None or clock.utcnow().timestamp() - verified > ttl
    if stale or state.get("holder_version") != journeys.holder_version(link):
        abort(redirect(url_for(f"sign.{PARTY_PREFIX[party]}_start", token=token)))
    return link


def _start(token: str, party: str):  # type: ignore[no-untyped-def]
    link = _link(token, party)
    return render_template(
        "sign/start.html",
        link=link,
        token=token,
        party=party,
        contracts=signing_links.pending_contracts(link),
        masked_phone=mask_mobile(journeys.code_phone(link)),
    )


def _send_code(token: str, party: str):  # type: ignore[no-untyped-def]
    link = _link(token, party)
    try:
        journeys.send_code(link, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for(f"sign.{PARTY_PREFIX[party]}_verify", token=token))
    boundary.commit()
    return redirect(url_for(f"sign.{PARTY_PREFIX[party]}_verify", token=token))


def _verify(token: str, party: str):  # type: ignore[no-untyped-def]
    link = _link(token, party)
    form = CodeForm()
    context = {"form": form, "token": token, "party": party, "masked_phone": mask_mobile(journeys.code_phone(link))}
    if not form.validate_on_submit():
        return render_template("sign/verify.html", **context), 422 if form.is_submitted() else 200
    try:
        journeys.verify_code(link, form.code.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("sign/verify.html", error, **context)
    _remember(link, verified_at=clock.utcnow().timestamp(), holder_version=journeys.holder_version(link))
    boundary.commit()
    nxt = "worker_notice" if party == journeys.WORKER else "employer_seal"
    return redirect(url_for(f"sign.{nxt}", token=token))


def _page(token: str, party: str, contract_id: int, page: int) -> Response:
    link = _verified(token, party)
    contract = signing_links.first_pending(link, contract_id)
    if contract is None:
        abort(404)
    images = _previews(contract)
    if not 0 <= page < len(images):
        abort(404)
    return Response(images[page].webp, mimetype="image/webp", headers={"Cache-Control": "private, max-age=3600"})


def _previews(contract: Contract) -> list[PagePreview]:
    """Render the page images on first use and keep them; a concurrent request that stored them first wins."""
    try:
        images = contracts.page_previews(contract.current_document)
        boundary.commit()
    except IntegrityError:
        boundary.rollback()
        images = contracts.stored_previews(contract.current_document)
    return images


def _placement_from(form: PlacementForm) -> journeys.Placement:
    values = [form.page.data, form.fx.data, form.fy.data, form.fw.data, form.fh.data]
    if any(v is None for v in values):
        raise ValidationFailed(_("Please drag your seal onto the contract first."), field="placement")
    return journeys.Placement(
        int(form.page.data), float(form.fx.data), float(form.fy.data), float(form.fw.data), float(form.fh.data)
    )


def _sign_context(link: SigningLink, token: str, party: str, form: PlacementForm) -> dict[str, object]:
    contract = signing_links.first_pending(link)
    assert contract is not None  # the link resolved: something is pending
    pdf = contract.current_document.pdf
    sizes = previews.page_sizes(pdf)
    role = "worker" if party == journeys.WORKER else "employer"
    page_index, box = rendering.default_seal_box(role, len(sizes))
    width, height = sizes[page_index]
    default = {"page": page_index, "fx": box[0] / width, "fy": (height - box[3]) / height}
    return {
        "link": link,
        "token": token,
        "party": party,
        "contract": contract,
        "form": form,
        "pages": range(len(sizes)),
        # What each page image reserves before it arrives (pages load as they come into view).
        "preview_size": (previews.PHONE_WIDTH, round(previews.PHONE_WIDTH * sizes[0][1] / sizes[0][0])),
        "fraction": journeys.seal_fraction(pdf, party),
        "default": default,
        "count": signing_links.pending_count(link),
        "key_terms": contracts.contract_terms(contract),
    }


@bp.get("/s/<token>")
def worker_start(token: str):  # type: ignore[no-untyped-def]
    """The worker opens the SMS link."""
    return _start(token, journeys.WORKER)


@bp.post("/s/<token>/code")
@limiter.limit(_sms_limit)
def worker_code(token: str):  # type: ignore[no-untyped-def]
    return _send_code(token, journeys.WORKER)


@bp.route("/s/<token>/verify", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def worker_verify(token: str):  # type: ignore[no-untyped-def]
    return _verify(token, journeys.WORKER)


@bp.route("/s/<token>/notice", methods=["GET", "POST"])
def worker_notice(token: str):  # type: ignore[no-untyped-def]
    """The notice the e-contract guide requires: the process, how to view and download, that it is free."""
    link = _verified(token, journeys.WORKER)
    form = CodeForm()
    if form.is_submitted():
        journeys.acknowledge_notice(link, now=clock.utcnow(), requester=requester())
        _remember(link, acknowledged_at=clock.utcnow().timestamp())
        boundary.commit()
        return redirect(url_for("sign.worker_terms", token=token))
    journeys.record_view(link, "notice_shown", now=clock.utcnow(), requester=requester())
    boundary.commit()
    return render_template("sign/notice.html", token=token, form=form)


@bp.get("/s/<token>/terms")
def worker_terms(token: str):  # type: ignore[no-untyped-def]
    """The reading view: the key terms first, then the whole contract as text in large type, read aloud on request."""
    link = _verified(token, journeys.WORKER)
    contract = signing_links.first_pending(link)
    assert contract is not None
    return render_template(
        "sign/terms.html",
        token=token,
        contract=contract,
        content=document_content(contract),
        sentences=text.sentences,
        refuse_form=RefuseForm(),
    )


def document_content(contract: Contract) -> text.ContractContent:
    """The words of the contract's document, built from its stored terms by the same code that drew its PDF."""
    terms = contracts.contract_terms(contract)
    if contract.kind in contracts.ENDINGS:
        assert contract.parent is not None
        assert contract.ends_on is not None
        return changes.ending_content(
            contract.kind.value,  # type: ignore[arg-type]
            terms,
            contract_number=contract.number,
            original_number=contract.parent.number,
            end_date=contract.ends_on,
            arrangements=contract.arrangements or "",
        )
    title = None if contract.kind is Kind.ORIGINAL else contract.kind.label
    return rendering.contract_content(terms, contract_number=contract.number, title=title)


@bp.route("/s/<token>/sign", methods=["GET", "POST"])
def worker_sign(token: str):  # type: ignore[no-untyped-def]
    """The full pages; the worker drags their seal and confirms."""
    link = _verified(token, journeys.WORKER)
    if _state(link).get("acknowledged_at") is None:
        return redirect(url_for("sign.worker_notice", token=token))
    form = PlacementForm()
    if not form.is_submitted():
        context = _sign_context(link, token, journeys.WORKER, form)
        journeys.record_view(link, "pages_shown", now=clock.utcnow(), requester=requester(), pages=len(context["pages"]))  # type: ignore[arg-type]
        boundary.commit()
        return render_template("sign/sign.html", **context)
    try:
        state = _state(link)
        contract = journeys.sign_as_worker(
            link,
            _placement_from(form),
            now=clock.utcnow(),
            requester=requester(),
            verified_at=state.get("verified_at"),
            acknowledged_at=state.get("acknowledged_at"),
        )
    except WageGuardError as error:
        return boundary.failed_form("sign/sign.html", error, **_sign_context_safe(token, journeys.WORKER, form))
    boundary.commit()
    session["signed_contract"] = contract.id
    return redirect(url_for("sign.worker_done"))


def _sign_context_safe(token: str, party: str, form: PlacementForm) -> dict[str, object]:
    """The signing page context after a failure, if the link can still sign; else a plain error page."""
    try:
        return _sign_context(_link(token, party), token, party, form)
    except WageGuardError:
        return {"form": form, "token": token, "party": party, "pages": range(0), "count": 0, "contract": None}


@bp.post("/s/<token>/refuse")
def worker_refuse(token: str):  # type: ignore[no-untyped-def]
    """The worker declines, with a reason the foreman sees."""
    link = _verified(token, journeys.WORKER)
    form = RefuseForm()
    try:
        journeys.refuse(link, form.reason.data or "", now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("sign.worker_terms", token=token))
    boundary.commit()
    return render_template("sign/refused.html")


@bp.get("/s/<token>/seal.png")
def worker_seal_image(token: str) -> Response:
    return _seal_image(token, journeys.WORKER)


@bp.get("/seal/<token>/seal.png")
def employer_seal_image(token: str) -> Response:
    return _seal_image(token, journeys.EMPLOYER)


def _seal_image(token: str, party: str) -> Response:
    link = _verified(token, party)
    return Response(journeys.seal_image(link), mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/s/<token>/pages/<int:contract_id>/<int:page>.webp")
def worker_page(token: str, contract_id: int, page: int) -> Response:
    return _page(token, journeys.WORKER, contract_id, page)


@bp.get("/s/done")
def worker_done():  # type: ignore[no-untyped-def]
    """Signed: how to download and keep the contract."""
    contract_id = session.get("signed_contract")
    if contract_id is None:
        abort(404)
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        abort(404)
    return render_template("sign/done.html", contract=contract)


@bp.get("/seal/<token>")
def employer_start(token: str):  # type: ignore[no-untyped-def]
    """The employer's signatory opens the sealing link."""
    return _start(token, journeys.EMPLOYER)


@bp.post("/seal/<token>/code")
@limiter.limit(_sms_limit)
def employer_code(token: str):  # type: ignore[no-untyped-def]
    return _send_code(token, journeys.EMPLOYER)


@bp.route("/seal/<token>/verify", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def employer_verify(token: str):  # type: ignore[no-untyped-def]
    return _verify(token, journeys.EMPLOYER)


@bp.route("/seal/<token>/seal", methods=["GET", "POST"])
def employer_seal(token: str):  # type: ignore[no-untyped-def]
    """Drag the company seal once; it is applied at that place to every contract of the batch."""
    link = _verified(token, journeys.EMPLOYER)
    form = PlacementForm()
    if not form.is_submitted():
        return render_template("sign/sign.html", **_sign_context(link, token, journeys.EMPLOYER, form))
    try:
        run = kinds.start_sealing(
            link,
            _placement_from(form),
            now=clock.utcnow(),
            requester=requester(),
            verified_at=_state(link).get("verified_at"),
            inline_max=settings().batch_inline_max,
        )
    except WageGuardError as error:
        return boundary.failed_form("sign/sign.html", error, **_sign_context_safe(token, journeys.EMPLOYER, form))
    boundary.commit()
    if run.finished_at is not None:
        return render_template("sign/sealed.html", contracts=kinds.sealed_contracts(run))
    _remember(link, sealing_run=run.id)
    return redirect(url_for("sign.employer_progress", token=token))


@bp.get("/seal/<token>/progress")
def employer_progress(token: str):  # type: ignore[no-untyped-def]
    """The browser that sealed a large batch watches the scheduler apply the seal, then sees what was sealed."""
    run = _sealing_run(token)
    progress = batch_queries.run_progress(run)
    contracts_sealed = kinds.sealed_contracts(run) if progress.finished else []
    status_url = url_for("sign.employer_progress_json", token=token)
    return render_template("sign/sealing.html", progress=progress, contracts=contracts_sealed, status_url=status_url)


@bp.get("/seal/<token>/progress.json")
def employer_progress_json(token: str) -> Response:
    return jsonify([batch_queries.run_progress(_sealing_run(token)).as_json()])


def _sealing_run(token: str) -> BatchRun:
    """The sealing run this browser started with the (now used) link; 404 for any other browser or link."""
    link = signing_links.find(token, journeys.EMPLOYER)
    run_id = _state(link).get("sealing_run")
    run = batch_queries.run_by_id(int(run_id)) if run_id is not None else None
    if run is None or run.params.get("link_id") != link.id:
        abort(404)
    return run


@bp.get("/seal/<token>/pages/<int:contract_id>/<int:page>.webp")
def employer_page(token: str, contract_id: int, page: int) -> Response:
    return _page(token, journeys.EMPLOYER, contract_id, page)
