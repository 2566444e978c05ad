"""No English on a page rendered in Chinese: every reachable page of each role's journey, checked for visible runs
of English words (codes, IDs, units and format names like PDF and SMS allowed; see ``crawl.ALLOWED``)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import login
from tests.journeys.conftest import (
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    confirm_code,
    default_placement,
    issue,
    latest_code,
    link_in_sms,
)
from tests.pages.crawl import Page, english_runs, read, walk

LI_PHONE = WORKERS["李四"][1]


def _findings(pages: list[Page]) -> dict[str, list[str]]:
    found = {}
    for page in pages:
        runs = english_runs(read(page.html)[0])
        if runs:
            found[f"{page.path} ({page.status})"] = sorted(set(runs))
    return found


def _html(client: FlaskClient, path: str, method: str = "get", **data: object) -> Page:
    response = getattr(client, method)(path, data=data or None)
    return Page(path, response.status_code, response.get_data(as_text=True))


def _signing_pages(app: Flask, sw: SigningWorld) -> list[Page]:
    issue(app, sw, ["李四"])
    employer, worker = app.test_client(), app.test_client()
    seal = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    pages = [_html(employer, f"/seal/{seal}")]
    employer.post(f"/seal/{seal}/code")
    pages.append(_html(employer, f"/seal/{seal}/verify"))
    pages.append(_html(employer, f"/seal/{seal}/verify", "post", code="000000x"))  # a wrong code's error
    employer.post(f"/seal/{seal}/verify", data={"code": latest_code(app, SIGNATORY_PHONE)})
    sealing = _html(employer, f"/seal/{seal}/seal")
    pages += [sealing, _html(employer, f"/seal/{seal}/seal", "post", **default_placement(sealing.html))]
    pages.append(_html(employer, f"/seal/{seal}"))  # the used link
    token = link_in_sms(app, LI_PHONE, "/s/")
    pages.append(_html(worker, f"/s/{token}"))
    confirm_code(worker, app, f"/s/{token}", LI_PHONE)
    pages.append(_html(worker, f"/s/{token}/notice"))
    worker.post(f"/s/{token}/notice")
    pages += [_html(worker, f"/s/{token}/terms"), _html(worker, f"/s/{token}/sign")]
    pages.append(_html(worker, f"/s/{token}/sign", "post", page="0"))  # submitted without a seal
    signed = worker.post(f"/s/{token}/sign", data=default_placement(pages[-2].html))
    assert signed.status_code == 302, signed.get_data(as_text=True)
    pages += [_html(worker, "/s/done"), _html(worker, f"/s/{token}"), _html(worker, "/s/not-a-token")]
    return pages


def _portal_pages(app: Flask) -> list[Page]:
    client = app.test_client()
    pages = [_html(client, "/me/"), _html(client, "/me/", "post", phone="123")]
    client.post("/me/", data={"phone": LI_PHONE.removeprefix("+86")})
    pages.append(_html(client, "/me/verify"))
    client.post("/me/verify", data={"code": latest_code(app, LI_PHONE)})
    return pages + list(walk(client, ["/me/contracts"]))


def _staff_pages(app: Flask, username: str) -> list[Page]:
    client = app.test_client()
    pages = [_html(client, "/login")]
    login(client, username)
    return pages + list(walk(client, ["/"]))


def test_chinese_pages_have_no_untranslated_english(app: Flask, signing_world: SigningWorld) -> None:
    found: dict[str, dict[str, list[str]]] = {}
    found["worker and employer signing"] = _findings(_signing_pages(app, signing_world))
    found["portal"] = _findings(_portal_pages(app))
    for username in ("foreman_a", "employer_a", "inspector_x", "admin"):
        found[username] = _findings(_staff_pages(app, username))
    anonymous = app.test_client()
    public = list(walk(anonymous, ["/verify", f"/e/{signing_world.base.token_a}", "/no-such-page", "/projects/"]))
    found["public, enrolment and errors"] = _findings(public)
    found = {role: pages for role, pages in found.items() if pages}
    assert not found, "English on pages rendered in Chinese:\n" + "\n".join(
        f"{role}: {path}: {runs}" for role, pages in found.items() for path, runs in pages.items()
    )


def test_the_check_finds_english() -> None:
    html = '<p>请输入 <b>the code</b> PDF <span class="mono">WG-370322-2026-000001</span></p><a lang="en">English</a>'
    assert english_runs(read(html)[0]) == ["the code"]
    assert english_runs(read('<img alt="Your seal">')[0]) == ["Your seal"]
    assert english_runs(read("<p>SMS PDF 12333 ID</p><script>var x = 'hello world';</script>")[0]) == []
