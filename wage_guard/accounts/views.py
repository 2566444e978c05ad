"""Staff login in two steps (password, then SMS or TOTP code), logout, password change and the role-based home page.

Logout and a password change end every session of the person, not only this browser's cookie
(``accounts.sessions``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from wage_guard import boundary, clock
from wage_guard.accounts import services, sessions
from wage_guard.accounts.forms import LoginForm, PasswordChangeForm, SecondFactorForm
from wage_guard.accounts.models import Role, User
from wage_guard.errors import Gone, WageGuardError
from wage_guard.extensions import limiter
from wage_guard.i18n import _
from wage_guard.security import actor, is_safe_next, requester, staff_required
from wage_guard.sms.phones import mask_mobile

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN_PER_IP"])


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    """Send staff to their start page and everyone else to the login."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.role is Role.INSPECTOR:
        return redirect(url_for("inspector.dashboard"))
    return redirect(url_for("organisations.list"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    """Check the password, then start the second factor."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template(
            "accounts/login.html", form=form, expired=request.args.get("expired")
        ), 422 if form.is_submitted() else 200
    now = clock.utcnow()
    try:
        user = services.authenticate(form.username.data, form.password.data, now=now, requester=requester())
        _restart_session()
        session["2fa_user"], session["2fa_started"] = user.get_id(), now.timestamp()
        next_url = request.args.get("next")
        session["2fa_next"] = next_url if is_safe_next(next_url) else None
        services.start_second_factor(user, now=now, requester=requester())
    except WageGuardError as error:
        # A new form: the session restarted above, so the old form's token belongs to the session that ended.
        return boundary.failed_form("accounts/login.html", error, form=LoginForm())
    boundary.commit()
    return redirect(url_for("accounts.second_factor"))


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def second_factor():  # type: ignore[no-untyped-def]
    """Accept the SMS or authenticator code and log the user in."""
    user = _pending_user()
    form = SecondFactorForm()
    context = {
        "form": form,
        "method": "totp" if user.totp_secret else "sms",
        "masked_phone": mask_mobile(user.phone) if user.phone else None,
    }
    if not form.validate_on_submit():
        return render_template("accounts/second_factor.html", **context), 422 if form.is_submitted() else 200
    try:
        services.finish_second_factor(user, form.code.data, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("accounts/second_factor.html", error, **context)
    next_url = session.get("2fa_next")
    _restart_session()
    login_user(user)
    session["login_at"] = session["last_seen"] = clock.utcnow().timestamp()
    boundary.commit()
    return redirect(next_url or url_for("accounts.home"))


@bp.post("/login/resend")
@limiter.limit(_login_limit)
def resend_code():  # type: ignore[no-untyped-def]
    """Send a new SMS login code (subject to the 60 s cool-down)."""
    user = _pending_user()
    try:
        services.start_second_factor(user, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        boundary.end_failed(error)
        flash(error.message, "error")
        return redirect(url_for("accounts.second_factor"))
    boundary.commit()
    flash(_("A new code is on its way."), "info")
    return redirect(url_for("accounts.second_factor"))


@bp.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    """End every session of this person: a copy of the cookie taken before is worth nothing afterwards."""
    sessions.end_user_sessions(actor())
    logout_user()
    _restart_session()
    boundary.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@staff_required
def change_password():  # type: ignore[no-untyped-def]
    """Change one's own password (current one, new one twice); other sessions end, this browser stays logged in."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_template("accounts/password.html", form=form), 422 if form.is_submitted() else 200
    user = actor()
    try:
        services.change_password(user, form.current_password.data, form.password.data, now=clock.utcnow(), requester=requester())
    except WageGuardError as error:
        return boundary.failed_form("accounts/password.html", error, form=form)
    login_at = session.get("login_at")
    _restart_session()
    login_user(user)
    session["login_at"], session["last_seen"] = login_at, clock.utcnow().timestamp()
    boundary.commit()
    flash(_("Your password has been changed. Any other session of yours has ended."), "info")
    return redirect(url_for("accounts.home"))


def _pending_user() -> User:
    token, started = session.get("2fa_user"), session.get("2fa_started", 0)
    window = current_app.config["SECOND_FACTOR_WINDOW"].total_seconds()
    user = sessions.load_user(token) if token else None  # None as well when the account's sessions ended meanwhile
    if user is None or clock.utcnow().timestamp() - started > window:
        raise Gone(_("Your login has timed out. Please enter your password again."))
    return user


def _restart_session() -> None:
    """Drop everything from the old session (fixation defence) but keep the language choice."""
    lang = session.get("lang")
    session.clear()
    # Flask-WTF caches this request's CSRF token in ``g``; a form built after this must get the new session's.
    g.pop("csrf_token", None)
    if lang:
        session["lang"] = lang
