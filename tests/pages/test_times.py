"""Every page shows times in China time with one label: templates format datetimes only through ``china_time``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from jinja2 import nodes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Calling these in a template formats a date or time by hand, in whatever zone the value happens to be in.
FORMATTING = {"strftime", "isoformat", "astimezone", "timestamp", "ctime"}
#: Printed as they are, attributes with these names are datetimes (UTC in the database).
TIME_NAME = re.compile(r"(^|_)(at|time|date|on)$")


def _violations(source: str, app: Flask) -> list[str]:
    tree = app.jinja_env.parse(source)
    found = [
        f"line {call.lineno}: .{call.node.attr}()"
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Getattr) and call.node.attr in FORMATTING
    ]
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            name = child.attr if isinstance(child, nodes.Getattr) else child.name if isinstance(child, nodes.Name) else None
            if name and TIME_NAME.search(name):
                found.append(f"line {child.lineno}: {{{{ …{name} }}}} printed without china_time")
    return found


def test_templates_format_times_only_through_china_time(app: Flask) -> None:
    problems = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        found = _violations(path.read_text(encoding="utf-8"), app)
        if found:
            problems[str(path.relative_to(TEMPLATES))] = found
    assert not problems, f"format dates and times with |china_time: {problems}"


@pytest.mark.parametrize(
    "source",
    ["{{ e.at.strftime('%H:%M') }}", "{{ c.created_at }}", "{{ _('x %(d)s', d=link.expires_at.isoformat()) }}"],
)
def test_the_check_catches_hand_formatted_times(app: Flask, source: str) -> None:
    assert _violations(source, app)


def test_the_check_accepts_the_filter(app: Flask) -> None:
    assert not _violations("{{ e.at|china_time }} {{ link.expires_at|china_time('date') }}", app)


@pytest.mark.parametrize(
    ("part", "expected_zh", "expected_en"),
    [
        ("datetime", "2026-11-03 00:30:05 (北京时间)", "2026-11-03 00:30:05 (China time)"),
        ("minute", "2026-11-03 00:30 (北京时间)", "2026-11-03 00:30 (China time)"),
        ("time", "00:30:05 (北京时间)", "00:30:05 (China time)"),
        ("date", "2026-11-03", "2026-11-03"),
    ],
)
def test_china_time_converts_and_labels(app: Flask, part: str, expected_zh: str, expected_en: str) -> None:
    moment = datetime(2026, 11, 2, 16, 30, 5, tzinfo=UTC)  # after 16:00 UTC it is the next day in China
    for lang, expected in (("zh", expected_zh), ("en", expected_en)):
        with app.test_request_context(f"/?lang={lang}"):
            assert render_template_string("{{ t|china_time(part) }}", t=moment, part=part) == expected
            naive = moment.replace(tzinfo=None)  # as SQLite gives it back
            assert render_template_string("{{ t|china_time(part) }}", t=naive, part=part) == expected


def test_plain_dates_and_missing_values(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string("{{ d|china_time('date') }}", d=date(2026, 1, 31)) == "2026-01-31"
        assert render_template_string("{{ d|china_time }}", d=None) == "—"
