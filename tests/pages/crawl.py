"""Walk a role's pages like a person clicking links: every same-site page reachable from a start page, once per
page shape (``/projects/3`` and ``/projects/4`` are one shape), downloads and state-changing links left out.

Shared by the page checks (untranslated English, page weight)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from flask.testing import FlaskClient

#: Not pages: files, images, and links that change state or language.
SKIP = re.compile(r"\.(pdf|zip|webp|png|jpg|svg|csv|crt|cer|der|json)(\?|$)|/static/|lang=|/logout|/print$|/qr\b")
#: Text a person does not read as English: codes, identifiers, fingerprints, units and names of formats.
ALLOWED = {
    # formats, standards and abbreviations Chinese text uses as they are
    *"PDF SMS ID QR UTC CA TSA SHA RFC PAdES CAdES CRL CRLs OCSP HSM TOTP IP URL CSV PNG JPEG WebP App".split(),
    *"PKCS PKI XML HTTP HTTPS DSS LTV RSA ECDSA SM AM PM API REST JSON OpenAPI JavaScript".split(),
    # units and the contract-number prefix
    *"WG KB MB GB mm cm km kg".split(),
    # user names of the demo world (data shown in staff tables, not interface text)
    "admin",
}
WORD_RUN = re.compile(r"(?<![A-Za-z0-9_@./:-])[A-Za-z][A-Za-z'’]+(?:[ -][A-Za-z][A-Za-z'’]+)*(?![A-Za-z0-9_@./:-])")
#: Elements that show data rather than words of the interface: codes, fingerprints, the logged-in user's name.
DATA_CLASSES = {"mono", "fingerprint", "who"}
URL = re.compile(r"https?://\S+|\S+@\S+")


@dataclass
class Page:
    path: str
    status: int
    html: str


class _Reader(HTMLParser):
    """The visible text of a page (alt, placeholder, title and aria-label included) and its same-site links."""

    HIDDEN = {"script", "style", "template", "head"}
    VOID = {"img", "input", "br", "hr", "meta", "link", "source", "wbr", "area", "col", "embed", "track"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[bool] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        hidden = (
            tag in self.HIDDEN
            or values.get("lang", "").startswith("en")
            or bool(DATA_CLASSES & set(values.get("class", "").split()))
        )
        skipping = bool(self.skipping and self.skipping[-1]) or hidden
        if not skipping:
            self.text += [values[k] for k in ("alt", "placeholder", "title", "aria-label") if values.get(k)]
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag not in self.VOID:
            self.skipping.append(skipping)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not (self.skipping and self.skipping[-1]):
            self.text.append(data)


def read(html: str) -> tuple[str, list[str]]:
    reader = _Reader()
    reader.feed(html)
    return "\n".join(reader.text), reader.links


def english_runs(text: str) -> list[str]:
    """Runs of English words in visible text, without the allowed codes, units and format names."""
    runs = WORD_RUN.findall(URL.sub(" ", text))
    return [run for run in runs if not all(word in ALLOWED for word in re.split(r"[ -]", run))]


def shape(path: str) -> str:
    return re.sub(r"/[A-Za-z0-9_-]{20,}", "/<token>", re.sub(r"/\d+", "/<n>", path))


def walk(client: FlaskClient, starts: list[str], *, limit: int = 120) -> Iterator[Page]:
    """Yield every page reachable from ``starts`` by following links, one per shape; status and HTML included."""
    queue, seen = list(starts), set()
    while queue and len(seen) < limit:
        path = urldefrag(queue.pop(0))[0]
        if shape(path) in seen or SKIP.search(path):
            continue
        seen.add(shape(path))
        response = client.get(path)
        if response.status_code in (301, 302, 303) and response.location:
            queue.insert(0, urlsplit(response.location)._replace(scheme="", netloc="").geturl())
            continue
        if "text/html" not in (response.content_type or ""):
            continue
        html = response.get_data(as_text=True)
        yield Page(path, response.status_code, html)
        for href in read(html)[1]:
            parts = urlsplit(href)
            if parts.scheme in ("", "http") and parts.netloc in ("", "localhost") and (parts.path or "").startswith("/"):
                queue.append(parts._replace(scheme="", netloc="").geturl())
