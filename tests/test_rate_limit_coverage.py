"""Every code, login and public endpoint has a rate limit (issue #14 part 5), read from the limiter's own
registry for every route of the URL map, so a route added later without one fails here. The exceptions are named,
each with its reason."""

from __future__ import annotations

from flask import Flask
from flask_limiter.util import get_qualified_name

from wage_guard.authorization import TABLE, Audience
from wage_guard.extensions import limiter

#: Anyone may call these, or they send or check a code: every lookup (GET) and every post is limited; the GET of a
#: form whose POST is limited only shows the empty form.
PUBLIC = {Audience.ANYONE, Audience.LOGGING_IN, Audience.PORTAL_LOGIN, Audience.API_TOKEN}
#: The holder of a link or a code session: what they post (a code sent or checked, a form) is limited.
LINKS = {
    Audience.SIGNING_LINK,
    Audience.SEALING_LINK,
    Audience.ENROLMENT_LINK,
    Audience.CONFIRMATION_LINK,
    Audience.CANCEL_LINK,
    Audience.ENROLMENT_SESSION,
    Audience.COMPLAINT_SESSION,
}
EXEMPT = {
    "static": "the app's own CSS and scripts, served as files",
    "accounts.home": "a redirect to the login or the user's start page; reads nothing",
}
#: Posts behind a link that neither send nor check a code: the link's own use is bounded (one contract, one form).
LINK_POSTS_WITHOUT_CODES: dict[str, str] = {}


def _limited(app: Flask, endpoint: str, method: str) -> bool:
    manager = limiter.limit_manager
    decorated = manager.decorated_limits(get_qualified_name(app.view_functions[endpoint]))
    blueprint = manager.blueprint_limits(app, endpoint.split(".")[0]) if "." in endpoint else []
    return any(limit.methods is None or method.lower() in limit.methods for limit in [*decorated, *blueprint])


def test_every_code_login_and_public_endpoint_is_rate_limited(app: Flask) -> None:
    missing = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            audience = TABLE[rule.endpoint].audience
            if rule.endpoint in EXEMPT or rule.endpoint in LINK_POSTS_WITHOUT_CODES:
                continue
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            if audience in LINKS or (audience in PUBLIC and "POST" in methods):
                methods = [m for m in methods if m == "POST"]
            elif audience not in PUBLIC:
                continue
            missing += [f"{m} {rule.rule} ({rule.endpoint})" for m in methods if not _limited(app, rule.endpoint, m)]
    assert not missing, "no rate limit on:\n" + "\n".join(missing)
