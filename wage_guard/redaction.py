"""Bearer tokens out of every log: the one redaction function, used by the access log and by Python logging.

The signing (``/s/<token>``), sealing (``/seal/<token>``), enrolment (``/e/<token>``) and identity-check
(``/id/<token>``) links carry their authority in the path: whoever reads a log line with the link can open the
contract, seal it or enrol on the site. Access logs (gunicorn's, werkzeug's dev server) print every path, query
string, referrer and redirect target, so :func:`redact` replaces the token segment with ``[redacted]`` and every
query-parameter value with ``[redacted]`` unless the parameter is known to be harmless (``lang``,
``tree_size``…). Percent-encoded forms (``/s%2F<token>``, ``/%73/<token>`` route to the same page) are decoded
before matching.

:func:`install` applies it to every Python log record when the record is made (a log record factory), rather than
in a filter on some handlers: a filter on a logger never sees its children's records, and handlers are added later
by gunicorn, werkzeug's dev server and pytest. ``wage_guard.serving`` also applies it to gunicorn's access-log
fields before they are formatted, which holds whatever logging configuration gunicorn is given.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

#: What replaces a token or a query value.
MARKER = "[redacted]"
#: Path prefixes whose next segment is a bearer token (``tests/test_redaction.py`` checks the URL map against it).
TOKEN_PREFIXES = ("s", "seal", "e", "id", "w")
#: Segments after a token prefix that are pages, not tokens (``/s/done``).
NOT_TOKENS = frozenset({"done", MARKER})
#: Query parameters whose values are kept when they are short and plain; every other value is redacted.
HARMLESS_QUERY_PARAMETERS = frozenset({"lang", "tree_size", "first", "second", "page", "expired", "v"})

#: A maximal run of characters that could belong to one URL (log lines separate fields with spaces and quotes).
_RUN = re.compile(r"[^\s\"'<>]+")
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.-]{0,32}")
_URL_START = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?/")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def redact(text: str) -> str:
    """``text`` with every bearer token in a URL path, and every query value not known harmless, redacted."""
    if "/" not in text and "%" not in text and "?" not in text:
        return text
    return _RUN.sub(lambda match: _redact_url(match.group(0)), text)


def redact_query(query: str) -> str:
    """A bare query string (gunicorn's ``%(q)s``, without the ``?``) with every value not known harmless redacted."""
    return _redact_query(query) if query else query


def _redact_url(run: str) -> str:
    parts = []
    while True:
        head, mark, run = run.partition("?")
        path = _redact_path(head)
        parts.append(path + mark)
        if not mark:
            break
        if _URL_START.match(path):
            parts.append(_redact_query(run))
            break
        # Not a URL before the ``?`` (SQL placeholders, prose): the text after it may still hold one.
    return "".join(parts)


def _redact_path(path: str) -> str:
    decoded = _unquote_fully(path)
    cleaned = _redact_tokens(decoded)
    if cleaned == decoded:
        return path
    # The decoded form is logged from here on: keep it on one line and free of control characters.
    return _CONTROL.sub(lambda match: f"%{ord(match.group(0)):02X}", cleaned)


def _redact_tokens(path: str) -> str:
    """Redact each ``/``-separated segment that follows a token prefix segment (``/s/<token>``, ``/s/s/<token>``)."""
    segments = path.split("/")
    cleaned = [
        MARKER if n and segments[n - 1] in TOKEN_PREFIXES and segment not in NOT_TOKENS and segment else segment
        for n, segment in enumerate(segments)
    ]
    return "/".join(cleaned)


def _redact_query(query: str) -> str:
    fragment = ""
    if "#" in query:
        query, fragment = query.split("#", 1)
        fragment = "#" + MARKER
    pairs = []
    for pair in re.split(r"([&;])", query):
        if pair in ("&", ";", ""):
            pairs.append(pair)
            continue
        name, equals, value = pair.partition("=")
        plain_name = unquote(name)
        if plain_name in HARMLESS_QUERY_PARAMETERS and _PLAIN_VALUE.fullmatch(unquote(value)):
            pairs.append(pair)
        elif equals and _PLAIN_VALUE.fullmatch(plain_name):
            pairs.append(f"{name}={MARKER}")
        else:
            pairs.append(MARKER)
    return "".join(pairs) + fragment


def _unquote_fully(text: str, rounds: int = 3) -> str:
    """Percent-decode until nothing changes (double encoding included), a few rounds at most."""
    for _ in range(rounds):
        decoded = unquote(text, errors="replace")
        if decoded == text:
            break
        text = decoded
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite the record's message (and its traceback text) with :func:`redact`."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is the handler's to report, as logging does without us
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    return record


def install() -> None:
    """Redact every log record of this process when it is made (idempotent: safe to call from each app)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
