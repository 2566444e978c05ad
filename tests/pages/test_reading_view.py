"""The worker's reading view: the whole contract as text, word for word the PDF's, key terms first; and the
employer's sealing pages in the employer's own words."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from flask import Flask

from tests.contracts.support import poppler
from tests.factories import latest_sms
from tests.journeys.conftest import (
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    confirm_code,
    default_placement,
    final_pdf,
    issue,
    link_in_sms,
    seal_batch,
)
from wage_guard.contracts.models import Contract
from wage_guard.documents.text import KEY_TERM_LABELS
from wage_guard.extensions import db
from wage_guard.journeys.views import document_content

LI_PHONE = WORKERS["李四"][1]


class _Sentences(HTMLParser):
    """Collects the text of every sentence span (class "s"), and which block (key terms or contract) it is in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.sentences: dict[str, list[str]] = {"key-terms": [], "contract-text": []}
        self.depth = 0
        self.block: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id") in self.sentences:
            self.block, self.depth = values["id"], 0
        if self.block:
            self.depth += 1
        self.stack.append("s" if values.get("class") == "s" else tag)

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()
        if self.block:
            self.depth -= 1
            if self.depth == 0:
                self.block = None

    def handle_data(self, data: str) -> None:
        if self.block and self.stack and self.stack[-1] == "s":
            self.sentences[self.block].append(data)


def _visible(text: str) -> Counter[str]:
    return Counter(c for c in text if not c.isspace())


def _reading_view(app: Flask, sw: SigningWorld) -> tuple[int, _Sentences]:
    [contract_id] = issue(app, sw, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    client = app.test_client()
    token = link_in_sms(app, LI_PHONE, "/s/")
    confirm_code(client, app, f"/s/{token}", LI_PHONE)
    assert client.post(f"/s/{token}/notice").status_code == 302
    response = client.get(f"/s/{token}/terms")
    assert response.status_code == 200
    parser = _Sentences()
    parser.feed(response.get_data(as_text=True))
    return contract_id, parser


def test_reading_view_shows_the_whole_contract_word_for_word(app: Flask, signing_world: SigningWorld) -> None:
    contract_id, page = _reading_view(app, signing_world)
    shown = "".join(page.sentences["contract-text"])
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        expected = document_content(contract).text()
        number = contract.number
    assert _visible(shown) == _visible(expected)
    for line in expected.split("\n"):  # in the PDF's order, each block whole
        assert line.replace("\n", "") in shown.replace("\n", ""), line
    # and the same words the signed PDF carries (its footers aside)
    printed = _visible(poppler("pdftotext", final_pdf(app, contract_id), "-layout"))
    assert not _visible(shown) - printed
    assert number in shown


def test_key_terms_come_first_in_the_pdfs_words(app: Flask, signing_world: SigningWorld) -> None:
    contract_id, page = _reading_view(app, signing_world)
    key = page.sentences["key-terms"]
    labels = [label for label in KEY_TERM_LABELS if label in key]
    assert labels == list(KEY_TERM_LABELS)  # pay, pay day, term, place, job, in that order
    joined = "".join(key)
    assert "日工资人民币350.00元" in joined
    assert "高青县芦湖街道工地" in joined
    assert "钢筋工" in joined


def test_employer_pages_speak_to_the_employer(app: Flask, signing_world: SigningWorld) -> None:
    issue(app, signing_world, ["李四"])
    client = app.test_client()
    token = link_in_sms(app, SIGNATORY_PHONE, "/seal/")
    confirm_code(client, app, f"/seal/{token}", SIGNATORY_PHONE)
    sms = latest_sms(app, SIGNATORY_PHONE)
    assert sms.template == "seal_code"
    assert "班组长" not in (sms.body or "")
    assert "公司印章" in (sms.body or "")
    html = client.get(f"/seal/{token}/seal").get_data(as_text=True)
    assert "公司印章" in html
    assert "您的签章" not in html
    assert "班组长" not in html
    assert client.post(f"/seal/{token}/seal", data=default_placement(html)).status_code == 200
    again = client.get(f"/seal/{token}")
    assert again.status_code == 410
    text = again.get_data(as_text=True)
    assert "已经用这个链接加盖过公司印章" in text
    assert "签署的合同" not in text
