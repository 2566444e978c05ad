"""The SMS outbox page: exists only in demo/development mode, where no message really leaves."""

import re

from flask import Blueprint, abort, current_app, render_template
from markupsafe import Markup, escape

from wage_guard.sms import services
from wage_guard.sms.phones import mask_mobile

bp = Blueprint("sms", __name__, url_prefix="/dev")
_URL = re.compile(r"https?://[^\s<>\"'，。]+")


@bp.app_template_filter("linkify")
def linkify(text: str) -> Markup:
    """Escape a message and make its links clickable, so a demo can follow the link it was texted."""
    escaped = str(escape(text))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}" rel="noopener">{m.group(0)}</a>', escaped))  # noqa: S704


@bp.get("/outbox")
def outbox():  # type: ignore[no-untyped-def]
    """Show the latest text messages, so a demo can read the codes it was sent."""
    if not current_app.config["DEMO_MODE"] or current_app.config["SMS_BACKEND"] != "console":
        abort(404)
    return render_template("sms/outbox.html", messages=services.recent_messages(), mask=mask_mobile)
