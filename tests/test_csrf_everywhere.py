"""Every state-changing route of the URL map refuses a request without a valid CSRF token (issue #14 part 5), tried
as the platform administrator (who may use every staff form) on project B's real objects, and anonymously on the
public forms behind links. The REST API is the exception by design: it takes no cookie, only a bearer token."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask

from tests.authz_fixtures import _built, objects  # noqa: F401 - fixtures
from tests.authz_world import ObjectWorld
from tests.factories import login
from tests.test_authorization import b_values

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: The token-only API (no cookie to ride on).
BEARER_ONLY_PREFIX = "api."
#: POST routes that change nothing, exempt on purpose (each with its reason in the view).
READ_ONLY_POSTS = {"verification.upload"}  # checks an uploaded PDF; arbitrators' tools post files with curl -F


def _targets(app: Flask, world: ObjectWorld) -> list[tuple[str, str, str]]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        methods = sorted(STATE_CHANGING & set(rule.methods or ()))
        if not methods or rule.endpoint.startswith(BEARER_ONLY_PREFIX) or rule.endpoint in READ_ONLY_POSTS:
            continue
        args = sorted(rule.arguments)
        for combo in itertools.product(*(b_values(a, rule.endpoint, world)[:1] for a in args)):
            url = rule.build(dict(zip(args, combo, strict=True)), append_unknown=False)[1]  # type: ignore[index]
            found += [(rule.endpoint, method, url) for method in methods]
    return found


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_no_state_changing_request_gets_through_without_a_csrf_token(
    app: Flask, objects: ObjectWorld, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    if who == "admin":
        login(client, "admin")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # back off after the test: later worlds log in by form
    targets = _targets(app, objects)
    problems = []
    for endpoint, method, url in targets:
        for token in (None, "forged-token"):
            data = {} if token is None else {"csrf_token": token}
            response = client.open(url, method=method, data=data)
            if response.status_code not in (400, 303):
                problems.append(f"{who}: {method} {url} ({endpoint}) with token {token!r}: {response.status_code}")
            elif response.status_code == 303:
                # A stale token on a form that is also shown on GET: the same page again, nothing done.
                assert response.headers["Location"].split("?")[0].endswith(url.split("?")[0]), (endpoint, response.headers)
    assert len(targets) >= 40
    assert not problems, "\n".join(problems)
