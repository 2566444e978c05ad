"""Security headers on every page a role reaches, and the session cookie's flags behind HTTPS (issue #14 part 5):
a CSP without inline script, frame-ancestors none, nosniff, a referrer policy, HSTS when served over HTTPS, and
Secure, HttpOnly, SameSite cookies."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import PASSWORD, World, login
from tests.pages.crawl import walk


def _csp(value: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in value.split(";") if part.strip()}


def test_every_page_an_inspector_and_a_foreman_reach_carries_the_headers(app: Flask, world: World) -> None:
    problems, pages = [], 0
    for username in ("foreman_a", "inspector_x"):
        client = app.test_client()
        login(client, username)
        for page in walk(client, ["/"], limit=60):
            pages += 1
            headers = client.get(page.path).headers
            policy = _csp(headers.get("Content-Security-Policy", ""))
            script = policy.get("script-src", policy.get("default-src", ""))
            if "'unsafe-inline'" in script or "'unsafe-eval'" in script or "frame-ancestors 'none'" not in policy.values():
                problems.append(f"{page.path}: CSP {headers.get('Content-Security-Policy')}")
            if headers.get("X-Content-Type-Options") != "nosniff" or headers.get("Referrer-Policy") != "no-referrer":
                problems.append(f"{page.path}: nosniff or referrer policy missing")
            if "<script>" in page.html:
                problems.append(f"{page.path}: an inline script")
    assert pages > 20
    assert not problems, "\n".join(problems)


def test_behind_https_hsts_and_secure_session_cookies(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client = app.test_client()
    for path in ("/login", "/api/v1/docs", "/verify/", "/no-such-page"):
        response = client.get(path, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
    password_step = client.post("/login", data={"username": "foreman_a", "password": PASSWORD}, base_url="https://localhost")
    assert password_step.status_code == 302
    cookies = password_step.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} >= {"session"}
    for cookie in cookies:
        flags = {f.strip().split("=")[0].lower(): f.strip() for f in cookie.split(";")[1:]}
        assert "secure" in flags
        assert "httponly" in flags
        assert flags.get("samesite", "").lower() in ("samesite=lax", "samesite=strict")
