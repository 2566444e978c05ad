"""The locale of a request: Simplified Chinese unless the user picked English."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    """Use ``?lang=`` (remembered in the session), then the session's choice, then the default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    asked = request.args.get("lang")
    if asked and asked in languages:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
