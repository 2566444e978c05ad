"""Values from URLs and forms bounded to what the database holds, so a hostile request is a 4xx, never a 500.

Werkzeug's ``int`` converter accepts any run of digits. A value past the column's range makes the database
driver fail (SQLite's driver refuses anything over 2**63 - 1 with OverflowError, PostgreSQL's ``integer``
columns hold up to 2,147,483,647), which surfaced as a 500 for ``/log/entries/99999999999999999999999``.
Bounding the converters themselves fixes every route at once, including the ones added later:

- ``int`` is :class:`IdConverter`, 0 to 2**31 - 1 in ASCII digits (every ``id`` is an ``integer`` column);
- ``bigint`` is :class:`BigIntConverter`, 0 to 2**63 - 1, for the evidence log's positions and tree sizes;
- the default string converter is :class:`TextConverter`, which refuses control characters: PostgreSQL text
  cannot hold a NUL byte (psycopg raises), and no token or number of ours contains one.

Query parameters read as numbers go through :func:`bigint`, and :func:`refuse_nul_bytes` answers 400 to a
query string, form or User-Agent holding a NUL before any view can pass it to the database.
"""

from __future__ import annotations

import builtins
from itertools import chain
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError

#: PostgreSQL ``integer``: every ``id`` primary key (SQLAlchemy's ``Integer``).
INT4_MAX = 2**31 - 1
#: PostgreSQL ``bigint`` and SQLite's largest integer: log sequence numbers and tree sizes.
INT8_MAX = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<int:...>``: 0 to 2,147,483,647 in ASCII digits; anything else does not match the route (404)."""

    #: ASCII digits only: ``\\d`` also matches full-width and other scripts' digits, which int() accepts.
    regex = r"[0-9]+"
    largest = INT4_MAX

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed)
        self.max = self.largest if max is None else builtins.min(max, self.largest)
        if signed:
            self.min = -self.largest - 1 if min is None else builtins.max(min, -self.largest - 1)

    def to_python(self, value: str) -> Any:
        # More digits than the largest value has cannot be in range: refuse before int() parses thousands of them.
        if len(value.lstrip("-").lstrip("0")) > len(str(self.largest)):
            raise ValidationError()
        return super().to_python(value)


class BigIntConverter(IdConverter):
    """``<bigint:...>``: 0 to 2**63 - 1, for ``bigint`` columns."""

    largest = INT8_MAX


class TextConverter(UnicodeConverter):
    """``<name>``, ``<string:name>``: one path segment without control characters (NUL included)."""

    def __init__(self, map: Map, minlength: int = 1, maxlength: int | None = None, length: int | None = None) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


def bigint(value: str) -> int:
    """``request.args.get(name, type=bigint)``: a whole number from 0 to 2**63 - 1, else the default."""
    if not value.isascii() or not value.isdigit() or len(value.lstrip("0")) > len(str(INT8_MAX)):
        raise ValueError("not a number a bigint column holds")
    number = int(value)
    if number > INT8_MAX:
        raise ValueError("not a number a bigint column holds")
    return number


def refuse_nul_bytes() -> None:
    """Answer 400 to a NUL in the query string, the form or the User-Agent (kept in the audit records)."""
    values = chain(
        request.args.keys(),
        chain.from_iterable(request.args.listvalues()),
        request.form.keys(),
        chain.from_iterable(request.form.listvalues()),
        [request.user_agent.string],
    )
    if any("\x00" in value for value in values):
        abort(400)


def init_app(app: Flask) -> None:
    """Replace ``int`` and the default converter, add ``bigint``; must run before the blueprints add their rules."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigint"] = BigIntConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.before_request(refuse_nul_bytes)
