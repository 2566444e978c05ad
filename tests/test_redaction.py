"""Bearer tokens never reach a log: the redaction function, every token route of the URL map, and the loggers.

The access log of the real gunicorn server is checked in ``tests/test_serving.py``.
"""

from __future__ import annotations

import http.client
import logging
import re
import secrets
import threading
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import assume, example, given
from hypothesis import strategies as st
from werkzeug.serving import make_server

from wage_guard.redaction import MARKER, TOKEN_PREFIXES, redact, redact_query

#: The characters of ``secrets.token_urlsafe``.
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=8, max_size=64)
#: What follows the token in the app's routes, and a few other things.
suffixes = st.sampled_from(["", "/", "/verify", "/notice", "/sign", "/pages/12/3.webp", "/seal.png", "/done", "/resend", "#top"])
hosts = st.sampled_from(["", "http://127.0.0.1:5000", "https://gongzi.example.cn", "//evil.example"])
queries = st.sampled_from(["", "?lang=en", "?lang=zh_Hans_CN&x=1", "?", "?next=%2Fprojects%2F1", "?a=1;b=2"])
#: Log-line text around the URL: anything, including quotes, brackets, ``?``, ``%`` and other URLs.
surroundings = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


def encode(path: str, how: str) -> str:
    """The path as a client could send it: plain, slashes encoded, every byte encoded, or encoded twice."""
    if how == "slashes":
        return path.replace("/", "%2F")
    if how == "all":
        return "".join(f"%{byte:02X}" for byte in path.encode())
    if how == "twice":
        return quote(quote(path, safe=""), safe="")
    return path


@example(token="AbCdEf012345", prefix="s", suffix="", host="", query="", encoding="plain", before="GET /e", after="")
@given(
    token=tokens,
    prefix=st.sampled_from(TOKEN_PREFIXES),
    suffix=suffixes,
    host=hosts,
    query=queries,
    encoding=st.sampled_from(["plain", "plain", "slashes", "all", "twice"]),
    before=surroundings,
    after=surroundings,
)
def test_no_token_survives_redaction(
    token: str, prefix: str, suffix: str, host: str, query: str, encoding: str, before: str, after: str
) -> None:
    assume(token not in before and token not in after and token != "done")
    url = host + encode(f"/{prefix}/{token}", encoding) + suffix + query
    line = f"{before}{url} {after}"
    cleaned = redact(line)
    assert token not in cleaned
    assert MARKER in cleaned


@given(token=tokens, name=st.sampled_from(["next", "token", "t", "code", "url", "id", "redirect"]), before=surroundings)
def test_no_token_survives_in_a_query_string(token: str, name: str, before: str) -> None:
    """Only the values of known harmless parameters (``lang``, ``tree_size``…) are kept."""
    assume(token not in before)
    assert token not in redact(f"{before} GET /login?{name}={token}&lang=en HTTP/1.1")
    assert token not in redact_query(f"lang=en&{name}={token}")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"GET /s/abcDEF123_-xyz/verify?lang=en HTTP/1.1" 200', '"GET /s/[redacted]/verify?lang=en HTTP/1.1" 200'),
        ("/seal/abcDEF123_-xyz/pages/3/1.webp", "/seal/[redacted]/pages/3/1.webp"),
        ("https://gongzi.example.cn/e/abcDEF123_-xyz", "https://gongzi.example.cn/e/[redacted]"),
        ("/s/done", "/s/done"),
        ("/e/abcDEF123_-xyz/done", "/e/[redacted]/done"),
        ("/login?next=/projects/1&lang=en", "/login?next=[redacted]&lang=en"),
        ("/log/entries/5?tree_size=10", "/log/entries/5?tree_size=10"),
        ("/me/contracts/3.pdf", "/me/contracts/3.pdf"),
        ("/projects/7/enrolment/roster/2", "/projects/7/enrolment/roster/2"),
        ("SELECT id FROM t WHERE a = ? AND b IN (?, ?)", "SELECT id FROM t WHERE a = ? AND b IN (?, ?)"),
        ("job deliver_pending_sms done: 3", "job deliver_pending_sms done: 3"),
    ],
)
def test_redaction_keeps_what_is_not_a_token(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_decoded_paths_stay_on_one_line() -> None:
    """A token path that arrived percent-encoded is logged decoded, but never with a raw newline (log forging)."""
    cleaned = redact("/%73/abcDEF123%0A2026-11-23 INFO forged line")
    assert "\n" not in cleaned
    assert cleaned.startswith("/s/[redacted]")


def test_hostile_text_cannot_break_redaction() -> None:
    """An attacker controls the Referer and User-Agent that the access log prints: no depth or size breaks it."""
    assert redact("a" + "?" * 50_000) == "a" + "?" * 50_000
    assert redact("/s/" + "%25" * 20_000).startswith("/s/")


def test_every_token_route_of_the_url_map_is_redacted(app: Flask) -> None:
    """A new route with a bearer token in its path must be covered by TOKEN_PREFIXES (or this test fails)."""
    checked = 0
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            # A bearer token in the path; ``token_id`` (an API token's row, for the administrator) is a number.
            names = [name for name in rule.arguments if "token" in name and not name.endswith("_id")]
            if not names:
                continue
            token = secrets.token_urlsafe(24)
            values = {name: (token if name in names else 1) for name in rule.arguments}
            path = rule.build(values)[1]  # type: ignore[index]
            assert token not in redact(path), f"{rule.rule}: add its prefix to wage_guard.redaction.TOKEN_PREFIXES"
            checked += 1
    assert checked >= 10  # the signing, sealing and enrolment routes


def test_the_app_loggers_redact_tokens(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Messages, their arguments and traceback text of the app's own loggers (and any other) are redacted."""
    token = secrets.token_urlsafe(24)
    caplog.set_level(logging.INFO)
    logging.getLogger("wage_guard.journeys.services").info("signing link %s sent", f"https://x.example/s/{token}")
    logging.getLogger("jobs.runner").warning(f"redirect to /e/{token}/verify")
    try:
        raise ValueError(f"no contract for /seal/{token}/seal")
    except ValueError:
        logging.getLogger("wage_guard.errors").exception("unhandled error")
    text = caplog.text
    assert token not in text
    assert text.count(MARKER) >= 3


def test_the_development_server_log_redacts_tokens(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """werkzeug's request log (``flask run``) goes through the same redaction."""
    token = secrets.token_urlsafe(24)
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in (f"/s/{token}/verify", f"/e/{token}", f"/%73eal/{token}"):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    requests = [line for line in lines if "GET /" in line]  # werkzeug colours the request line on a terminal
    assert len(requests) == 3, lines
    assert not any(token in line for line in lines)
    assert all(re.search(r"GET /(s|e|seal)/\[redacted\] ?", line) for line in requests), requests
