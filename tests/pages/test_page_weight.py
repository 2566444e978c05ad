"""Worker pages stay small for slow phones on mobile data: at most 60 KB of HTML, CSS and JavaScript per page as
served (uncompressed, page images not counted), measured on the signing pages, the reading view and the portal."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.journeys.conftest import (
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    confirm_code,
    issue,
    latest_code,
    link_in_sms,
    seal_batch,
)
from tests.pages.crawl import walk

LIMIT = 60 * 1024
LI_PHONE = WORKERS["李四"][1]
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/[^"]+)"')


def weight(client: FlaskClient, html: str) -> tuple[int, dict[str, int]]:
    """Bytes of the page and of each stylesheet and script it links, fetched as the browser would."""
    parts = {"html": len(html.encode())}
    for url in ASSET.findall(html):
        with client.get(url.replace("&amp;", "&")) as response:  # closes the served file
            assert response.status_code == 200, url
            parts[url.split("?")[0]] = len(response.get_data())
    return sum(parts.values()), parts


def _worker_pages(app: Flask, sw: SigningWorld) -> tuple[FlaskClient, list[str]]:
    issue(app, sw, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    client = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    confirm_code(client, app, f"/s/{token}", LI_PHONE)
    client.post(f"/s/{token}/notice")
    return client, [f"/s/{token}", f"/s/{token}/verify", f"/s/{token}/notice", f"/s/{token}/terms", f"/s/{token}/sign"]


def test_worker_pages_weigh_at_most_60_kb(app: Flask, signing_world: SigningWorld) -> None:
    client, paths = _worker_pages(app, signing_world)
    pages = {path: client.get(path).get_data(as_text=True) for path in paths}
    portal = app.test_client()
    pages["/me/"] = portal.get("/me/").get_data(as_text=True)
    portal.post("/me/", data={"phone": LI_PHONE.removeprefix("+86")})
    pages["/me/verify"] = portal.get("/me/verify").get_data(as_text=True)
    portal.post("/me/verify", data={"code": latest_code(app, LI_PHONE)})
    pages.update({page.path: page.html for page in walk(portal, ["/me/contracts"]) if page.path.startswith("/me")})
    sizes = {path: weight(client if path.startswith("/s/") else portal, html) for path, html in pages.items()}
    assert any("/terms" in path and parts["html"] > 8000 for path, (_, parts) in sizes.items())  # the whole text is there
    heavy = {path: parts for path, (total, parts) in sizes.items() if total > LIMIT}
    assert not heavy, f"pages over {LIMIT} bytes: {heavy}"


def test_the_measure_counts_linked_css_and_js(app: Flask) -> None:
    client = app.test_client()
    html = client.get("/me/").get_data(as_text=True)
    total, parts = weight(client, html)
    assert "/static/css/app.css" in parts
    assert total > parts["html"] + 5000
