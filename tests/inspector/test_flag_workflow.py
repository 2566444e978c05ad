"""The inspectors' flag workflow over HTTP: acknowledge, investigate, resolve or dismiss with a note, on one flag or
a selection, all or nothing; assignment within the county; every step in the history and the evidence log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.api.support import issue_token, use_token
from tests.factories import World, create_finding, login
from wage_guard import boundary
from wage_guard.extensions import db
from wage_guard.inspector.models import FlagAction, FlagAssignment
from wage_guard.ledger import sequencer
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project
from wage_guard.risk.models import Finding, FindingStatus


@pytest.fixture
def flags(app: Flask, world: World) -> dict[str, int]:
    """Two red flags and a yellow one on project A (county 370322), a red one on project B (370321)."""
    with app.app_context():
        a = db.session.get(Project, world.project_a)
        b = db.session.get(Project, world.project_b)
        assert a is not None
        assert b is not None
        made = {
            "a_red": create_finding(a, "R04", "red", period="2026-09"),
            "a_red2": create_finding(a, "R05", "red", period="2026-10"),
            "a_yellow": create_finding(a, "R11", "yellow"),
            "b_red": create_finding(b, "R04", "red"),
        }
        boundary.commit()
    return made


def _inspector(app: Flask, username: str = "inspector_x") -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def _act(client: FlaskClient, ids: list[int], action: str, note: str = "已电话联系项目经理", **extra: object) -> str:
    data = {"finding_ids": [str(i) for i in ids], "action": action, "note": note, **extra}
    response = client.post("/inspector/flags/act?lang=en", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _state(app: Flask, finding_id: int) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Finding.workflow_status).where(Finding.id == finding_id)) or ""


def test_the_list_shows_the_area_only_and_filters(app: Flask, flags: dict[str, int]) -> None:
    client = _inspector(app)
    page = client.get("/inspector/flags?lang=en").get_data(as_text=True)
    assert f'value="{flags["a_red"]}"' in page
    assert f'value="{flags["b_red"]}"' not in page
    red = client.get("/inspector/flags?lang=en&severity=red").get_data(as_text=True)
    assert f'value="{flags["a_red"]}"' in red
    assert f'value="{flags["a_yellow"]}"' not in red
    assert "Unknown filter values were ignored: severity" in client.get("/inspector/flags?lang=en&severity=purple").get_data(
        as_text=True
    )
    b_page = _inspector(app, "inspector_y").get("/inspector/flags").get_data(as_text=True)
    assert f'value="{flags["b_red"]}"' in b_page
    assert f'value="{flags["a_red"]}"' not in b_page


def test_a_flag_is_worked_to_closure_with_its_history(app: Flask, flags: dict[str, int]) -> None:
    client, flag = _inspector(app), flags["a_red"]
    _act(client, [flag], "acknowledge")
    assert _state(app, flag) == "acknowledged"
    _act(client, [flag], "investigate", note="约谈总包单位")
    refused = _act(client, [flag], "resolve", note="已整改")
    assert "still holds on the latest data" in refused
    assert _state(app, flag) == "investigating"  # nothing changed
    _act(client, [flag], "resolve", note="已整改", reason="工资已于12月5日补发，银行回单已核对")
    assert _state(app, flag) == "resolved"
    page = client.get(f"/inspector/flags/{flag}?lang=en").get_data(as_text=True)
    for text in ("约谈总包单位", "工资已于12月5日补发", "Open → Acknowledged", "Investigating → Resolved"):
        assert text in page
    again = _act(client, [flag], "dismiss")
    assert f"Flag {flag} is resolved" in again
    with app.app_context():
        sequencer.integrate_queued()
        in_log = sa.select(LedgerEntry.kind).where(LedgerEntry.subject == f"finding:{flag}").order_by(LedgerEntry.seq)
        logged = list(db.session.scalars(in_log))
        notes_in_log = db.session.scalar(sa.select(sa.func.count()).where(LedgerEntry.payload.contains("约谈")))
    assert logged == ["flag_acknowledge", "flag_investigate", "flag_resolve"]
    assert notes_in_log == 0  # the note's hash, never its text


def test_a_cleared_condition_is_resolved_without_a_reason(app: Flask, flags: dict[str, int]) -> None:
    with app.app_context():
        finding = db.session.get(Finding, flags["a_red"])
        assert finding is not None
        finding.status = FindingStatus.CLOSED
        boundary.commit()
    _act(_inspector(app), [flags["a_red"]], "resolve", note="已补发")
    assert _state(app, flags["a_red"]) == "resolved"


def test_a_selection_is_all_or_nothing(app: Flask, flags: dict[str, int]) -> None:
    client = _inspector(app)
    _act(client, [flags["a_red"], flags["a_red2"]], "acknowledge")
    assert {_state(app, flags["a_red"]), _state(app, flags["a_red2"])} == {"acknowledged"}
    page = _act(client, [flags["a_yellow"], flags["b_red"]], "acknowledge")  # B's flag is not this inspector's
    assert "not in your area" in page
    assert _state(app, flags["a_yellow"]) == "open"
    assert _state(app, flags["b_red"]) == "open"
    mixed = _act(client, [flags["a_yellow"], flags["a_red"]], "acknowledge")  # one of them already acknowledged
    assert f"Flag {flags['a_red']} is acknowledged" in mixed
    assert _state(app, flags["a_yellow"]) == "open"


def test_flags_are_assigned_only_to_an_inspector_of_their_county(app: Flask, world: World, flags: dict[str, int]) -> None:
    client = _inspector(app)
    refused = _act(client, [flags["a_red"]], "assign", assignee_id=world.users["inspector_y"])
    assert "does not cover the county" in refused
    _act(client, [flags["a_red"]], "assign", assignee_id=world.users["inspector_city"])
    with app.app_context():
        assignment = db.session.get(FlagAssignment, flags["a_red"])
        assert assignment is not None
        assert assignment.assignee_id == world.users["inspector_city"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FlagAction)) == 1
    assert _state(app, flags["a_red"]) == "open"  # assigning does not move the state


@pytest.mark.parametrize("username", ["foreman_a", "employer_a"])
def test_project_staff_do_not_work_flags(app: Flask, flags: dict[str, int], username: str) -> None:
    client = app.test_client()
    login(client, username)
    assert client.get("/inspector/flags").status_code == 403
    assert client.get(f"/inspector/flags/{flags['a_red']}").status_code == 403
    assert (
        client.post(
            "/inspector/flags/act", data={"finding_ids": [str(flags["a_red"])], "action": "dismiss", "note": "xx"}
        ).status_code
        == 403
    )
    assert _state(app, flags["a_red"]) == "open"


def test_another_countys_inspector_gets_nothing(app: Flask, flags: dict[str, int]) -> None:
    client = _inspector(app, "inspector_y")
    assert client.get(f"/inspector/flags/{flags['a_red']}").status_code == 404
    data = {"finding_ids": [str(flags["a_red"])], "action": "dismiss", "note": "不属于本县"}
    response = client.post("/inspector/flags/act", data=data, follow_redirects=True)
    assert response.status_code == 404  # back to the flag's page, which does not exist for this inspector
    assert _state(app, flags["a_red"]) == "open"


def test_the_filtered_list_downloads_with_chinese_headers(app: Flask, flags: dict[str, int]) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    client = _inspector(app)
    response = client.get("/inspector/flags.csv?severity=red&lang=en")
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["预警编号", "等级", "规则"]  # Chinese headers, whatever the page's language
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([flags["a_red"], flags["a_red2"]])  # red, area A only
    assert {r[1] for r in rows[1:]} == {"红色"}
    book = load_workbook(io.BytesIO(client.get("/inspector/flags.xlsx?workflow=open").get_data()), read_only=True)
    sheet = book.worksheets[0]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(ids) == sorted([flags["a_red"], flags["a_red2"], flags["a_yellow"]])
    other = _inspector(app, "inspector_y").get("/inspector/flags.csv").get_data().decode("utf-8-sig")
    assert [line.split(",")[0] for line in other.splitlines()[1:]] == [str(flags["b_red"])]


def test_the_download_links_keep_only_the_filter(app: Flask, flags: dict[str, int]) -> None:
    page = _inspector(app).get("/inspector/flags?severity=red&_external=1&_scheme=javascript").get_data(as_text=True)
    assert 'href="/inspector/flags.xlsx?severity=red"' in page
    assert "javascript" not in page


def _listed(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="finding_ids" value="(\d+)"', page)}


def test_the_list_filters_by_employer_project_and_month(app: Flask, world: World, flags: dict[str, int]) -> None:
    client = _inspector(app, "inspector_city")  # sees both counties, so both employers
    everything = _listed(client.get("/inspector/flags").get_data(as_text=True))
    assert everything == set(flags.values())
    employer_a = _listed(client.get(f"/inspector/flags?employer={world.employer_a}").get_data(as_text=True))
    assert employer_a == {flags["a_red"], flags["a_red2"], flags["a_yellow"]}
    project_b = _listed(client.get(f"/inspector/flags?project={world.project_b}").get_data(as_text=True))
    assert project_b == {flags["b_red"]}
    september = _listed(client.get("/inspector/flags?period=2026-09").get_data(as_text=True))
    assert september == {flags["a_red"]}
    assert _listed(client.get("/inspector/flags?period=2025-01").get_data(as_text=True)) == set()
    page = client.get("/inspector/flags?lang=en&period=2026-13&employer=x").get_data(as_text=True)
    assert "Unknown filter values were ignored: employer, period" in page
    assert _listed(page) == everything
    exported = client.get(f"/inspector/flags.csv?employer={world.employer_a}&period=2026-10").get_data(as_text=True)
    assert len(exported.strip().splitlines()) == 1 + 2  # the header, a_red2 and a_yellow (both 2026-10)
    api = use_token(app.test_client(), issue_token(app, "inspector_x", county="370322"))
    found = api.get(f"/api/v1/findings?employer_id={world.employer_a}&period=2026-09").get_json()
    assert [f["id"] for f in found["items"]] == [flags["a_red"]]


def test_the_dashboard_ranks_projects_by_the_open_flags_a_filter_keeps(app: Flask, world: World, flags: dict[str, int]) -> None:
    client = _inspector(app, "inspector_city")
    assert 'id="ranked-filtered"' not in client.get("/inspector/").get_data(as_text=True)

    def ranked(query: str) -> list[str]:
        page = client.get(f"/inspector/?{query}").get_data(as_text=True)
        table = page.split('id="ranked-filtered"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'/inspector/projects/(\d+)"', table)

    assert ranked("severity=red") == [str(world.project_a), str(world.project_b)]  # two reds on A, one on B
    assert ranked("rule=R11") == [str(world.project_a)]
    assert ranked(f"employer={world.employer_b}") == [str(world.project_b)]
    assert ranked("period=2026-09") == [str(world.project_a)]
    _act(client, [flags["a_red"], flags["a_red2"]], "dismiss")
    assert ranked("severity=red") == [str(world.project_b)]  # dismissed flags are no longer open
