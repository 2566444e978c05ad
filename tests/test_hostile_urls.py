"""No hostile URL gives a 500: generated over the whole URL map, so every new route is covered without a new test.

For every rule and method, each path argument in turn gets each hostile value (the other arguments get real
ids of the world, so the hostile one reaches the view rather than failing on a missing project), and every
request carries hostile query parameters too. This runs anonymously, as the platform administrator and as
a foreman. Any answer of 500 or more fails, with the list of offending requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound
from werkzeug.routing import Rule

from tests.factories import World, login
from wage_guard.routing import bigint

#: Path values, already URL-encoded where the raw form could not be sent (NUL, spaces, quotes).
HOSTILE_PATH_VALUES = [
    "99999999999999999999999",
    str(2**31 - 1),
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    "0",
    "-1",
    "00000000000000000000000000001",
    "1" * 5000,  # past Python's 4,300-digit limit for int()
    "x" * 3000,
    quote("１２３"),  # full-width digits: int() accepts them
    quote("工资卫士"),
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "%27%20OR%201%3D1--",
    quote("<script>alert(1)</script>"),
    "%20%09",
    "%FF%FE",  # not UTF-8
]
#: Every query parameter the app reads (``grep -rn request.args wage_guard``) plus a few it does not. No NUL
#: here: a NUL anywhere is a 400 before the view runs (test_a_nul_byte_is_refused_before_any_view), and the
#: views should see the rest.
HOSTILE_QUERY = (
    "page=999999999999999999999&id=-1&lang=xx&next=//evil.example&expired=%27%3Cscript%3E"
    "&tree_size=99999999999999999999999&first=-1&second=99999999999999999999999"
)
#: A second query where every integer parses but is out of the database's range.
HOSTILE_QUERY_IN_RANGE_OF_PYTHON = f"tree_size={2**63}&first={2**31}&second={2**64}&lang=en&next=/%5Cevil.example"
#: Endpoints that end the session: requested last so the rest run logged in.
SESSION_ENDERS = ("logout",)
#: Real values of path arguments, so that a hostile value in one argument reaches the view (others: see real_values).
REAL_VALUES: dict[str, Callable[[World], object]] = {
    "project_id": lambda w: w.project_a,
    "link_id": lambda w: w.link_a,
    "enrollment_id": lambda w: w.enrollment_b,
    "token": lambda w: w.token_a,
    "contract_id": lambda w: 1,
    "page": lambda w: 0,
    "size": lambda w: 1,
    "seq": lambda w: 0,
    "number": lambda w: "HT-2026-000001",
    "filename": lambda w: "css/app.css",
}


#: ``<name>``, ``<int:name>`` or ``<int(max=9):name>`` in a rule's path: (converter, name).
PLACEHOLDER = re.compile(r"<(?:(\w+)[^<>:]*:)?(\w+)>")
NUMBER_CONVERTERS = ("int", "bigint")


def real_values(rule: Rule, world: World) -> dict[str, str]:
    """A real value for each path argument: from REAL_VALUES, else 1 for numbers and a word for strings."""
    converters = {name: converter for converter, name in PLACEHOLDER.findall(rule.rule)}
    values = {}
    for name in rule.arguments:
        if name in REAL_VALUES:
            values[name] = str(REAL_VALUES[name](world))
        else:
            values[name] = "1" if converters.get(name) in NUMBER_CONVERTERS else "word"
    return {name: quote(value, safe="/") for name, value in values.items()}


def _rules(app: Flask) -> list[Rule]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    return sorted(rules, key=lambda r: r.endpoint.endswith(SESSION_ENDERS))


def _url(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with each ``<converter:name>`` replaced by the raw (already encoded) value."""
    return PLACEHOLDER.sub(lambda match: values[match.group(2)], rule.rule)


def hostile_requests(app: Flask, world: World) -> Iterator[tuple[str, str]]:
    """(method, URL) pairs: each argument of each rule gets each hostile value, with hostile queries."""
    for rule in _rules(app):
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        real = real_values(rule, world)
        urls = [_url(rule, real) + "?" + HOSTILE_QUERY, _url(rule, real) + "?" + HOSTILE_QUERY_IN_RANGE_OF_PYTHON]
        for name in sorted(rule.arguments):
            urls += [_url(rule, {**real, name: value}) + "?" + HOSTILE_QUERY for value in HOSTILE_PATH_VALUES]
        for method in methods:
            for url in urls:
                yield method, url


def _answers(client: FlaskClient, app: Flask, world: World) -> dict[tuple[str, str], int]:
    """The status of every generated request."""
    statuses = {}
    for method, url in hostile_requests(app, world):
        response = client.open(url, method=method, data={"code": "%00", "page": str(2**64)} if method == "POST" else None)
        response.close()  # static files are streamed from an open file
        statuses[method, url] = response.status_code
    return statuses


@pytest.mark.parametrize(
    ("who", "project_page"),
    [("anonymous", 302), ("admin", 200), ("foreman_a", 200)],  # 302: to the login page
)
def test_no_hostile_url_gives_a_server_error(app: Flask, client: FlaskClient, world: World, who: str, project_page: int) -> None:
    if who != "anonymous":
        login(client, who)
    statuses = _answers(client, app, world)
    failures = [f"{status} {method} {url[:160]}" for (method, url), status in statuses.items() if status >= 500]
    assert not failures, f"{len(failures)} requests answered 5xx:\n" + "\n".join(failures[:40])
    # The identity held through the run: project A's page with hostile query parameters answered as it should.
    assert statuses["GET", f"/projects/{world.project_a}?{HOSTILE_QUERY}"] == project_page


def test_the_generated_requests_cover_every_rule_and_argument(app: Flask, world: World) -> None:
    """The generator itself: every rule is requested, and every path argument gets the huge id."""
    requested = {url.split("?")[0] for _, url in hostile_requests(app, world)}
    for rule in app.url_map.iter_rules():
        real = real_values(rule, world)
        for name in rule.arguments:
            assert _url(rule, {**real, name: "99999999999999999999999"}) in requested, (rule.rule, name)


def test_the_huge_log_entry_id_of_the_report_is_a_404(client: FlaskClient, world: World) -> None:
    """The attack as reported: an id too big for the database, as anyone and as staff."""
    assert client.get("/log/entries/99999999999999999999999").status_code == 404
    assert client.get(f"/projects/{2**31}").status_code == 404  # not even the login page: no such route
    login(client, "foreman_a")
    assert client.get(f"/projects/{world.project_a}").status_code == 200
    assert client.get(f"/projects/{2**31}").status_code == 404
    assert client.get(f"/projects/{world.project_a}/enrolment/roster/{2**63}").status_code == 404


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("0", 0),
        (str(2**31 - 1), 2**31 - 1),
        ("0000000001", 1),
        (str(2**31), None),
        ("99999999999999999999999", None),
        ("0" * 5000 + "1", None),
        ("１２３", None),  # full-width digits
        ("-1", None),
    ],
)
def test_id_converter_matches_only_what_an_integer_column_holds(app: Flask, value: str, matches: int | None) -> None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, arguments = adapter.match(f"/projects/{quote(value)}")
    except NotFound:
        endpoint, arguments = None, {}
    assert arguments.get("project_id") == matches
    assert (endpoint == "organisations.detail") == (matches is not None)


def test_evidence_log_positions_take_bigint_values(client: FlaskClient, world: World) -> None:
    adapter = client.application.url_map.bind("localhost")
    assert adapter.match(f"/log/entries/{2**63 - 1}")[1] == {"seq": 2**63 - 1}
    with pytest.raises(NotFound):
        adapter.match(f"/log/entries/{2**63}")
    assert bigint(str(2**63 - 1)) == 2**63 - 1
    for bad in (str(2**63), "-1", "１", "1e3", "", " 1"):
        with pytest.raises(ValueError, match="bigint"):
            bigint(bad)


@pytest.mark.parametrize(
    ("method", "url", "data", "headers"),
    [
        ("GET", "/e/abc%00def", None, {}),
        ("GET", "/verify/c/HT%00", None, {}),
        ("GET", "/login?next=/projects/%00", None, {}),
        ("GET", "/log/entries/1?tree_size=%00", None, {}),
        ("POST", "/login", {"username": "admin\x00", "password": "x"}, {}),
        ("POST", "/me/", {"phone": "13812345678\x00"}, {}),
        ("GET", "/", None, {"User-Agent": "Mozilla\x00"}),
    ],
)
def test_a_nul_byte_is_refused_before_any_view(client: FlaskClient, method: str, url: str, data: object, headers: object) -> None:
    """PostgreSQL text cannot hold NUL (psycopg raises): a NUL in the path is a 404, elsewhere a 400."""
    response = client.open(url, method=method, data=data, headers=headers)
    assert response.status_code in (400, 404)
    assert response.status_code == (404 if "%00" in url.split("?")[0] else 400)
