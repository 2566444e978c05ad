"""Workers who hit a used, expired or unknown link get a way on (我的合同, verification, 12333), not the staff login;
the demo outbox's links can be followed."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World
from wage_guard.extensions import db
from wage_guard.sms import services as sms
from wage_guard.sms.views import linkify


def test_an_unknown_signing_link_offers_my_contracts_and_the_hotline(client: FlaskClient) -> None:
    response = client.get("/s/this-link-does-not-exist-0000000000")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'href="/me/"' in page
    assert "12333" in page
    assert 'href="/login"' not in page.split("<main>")[1]


def test_a_withdrawn_qr_code_offers_a_way_on_in_english_too(client: FlaskClient) -> None:
    page = client.get("/e/no-such-token-000000000000000000?lang=en").get_data(as_text=True)
    assert "My contracts" in page
    assert "12333" in page


def test_staff_errors_keep_the_start_page(client: FlaskClient, world: World) -> None:
    page = client.get("/projects/999999").get_data(as_text=True)
    assert 'id="to-my-contracts"' not in page


def test_outbox_links_are_clickable(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        sms.queue_sms("+8613812345678", "signed", number="WG-1", url="http://127.0.0.1:5000/me/")
        db.session.commit()
        db.session.info.clear()
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert '<a href="http://127.0.0.1:5000/me/" rel="noopener">http://127.0.0.1:5000/me/</a>' in page


def test_outbox_text_is_escaped_before_links_are_made(app: Flask) -> None:
    with app.app_context():
        html = str(linkify("<script>x</script> http://a.example/s/abc?x=1&y=2"))
    assert "<script>" not in html
    assert 'href="http://a.example/s/abc?x=1&amp;y=2"' in html
