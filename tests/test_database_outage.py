"""The database drops out (issue #14 part 4): staff and public pages answer a clear 503 instead of a traceback, and
the app recovers by itself when the database is back, without a restart; ``ledger verify`` passes before and after,
and the steps logged after the recovery join the log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.factories import PASSWORD, World, login
from tests.ledger.checks import ledger_verifies
from wage_guard.extensions import db


@contextmanager
def database_down(app: Flask) -> Iterator[None]:
    """Every new connection is refused, and the pooled ones are dropped, as when the server goes away."""
    with app.app_context():
        engine = db.engine
        dbapi: Any = engine.dialect.dbapi

        def refuse(*args: object, **kwargs: object) -> None:
            raise dbapi.OperationalError("connection refused")

        sa.event.listen(engine, "do_connect", refuse)
        engine.dispose()
    try:
        yield
    finally:
        with app.app_context():
            sa.event.remove(db.engine, "do_connect", refuse)


def test_pages_say_the_service_is_briefly_unavailable_and_recover(app: Flask, world: World) -> None:
    staff = app.test_client()
    login(staff, "foreman_a")
    assert staff.get("/projects/").status_code == 200
    logged = ledger_verifies(app)
    assert logged > 0  # the login's code steps
    with database_down(app):
        for client, path in (
            (staff, "/projects/"),
            (app.test_client(), "/verify/c/WG-370321-2026-000001"),
            (staff, "/api/v1/projects"),
        ):
            response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
            text = response.get_data(as_text=True)
            assert response.status_code == 503, (path, response.status_code)
            assert "briefly unavailable" in text
            assert "Traceback" not in text
            assert "OperationalError" not in text
        chinese = staff.get("/projects/?lang=zh_Hans_CN").get_data(as_text=True)
        assert "暂时无法使用" in chinese
        refused = app.test_client().post("/login?lang=en", data={"username": "foreman_b", "password": PASSWORD})
        assert refused.status_code == 503
        assert "briefly unavailable" in refused.get_data(as_text=True)
    assert staff.get("/projects/").status_code == 200  # back, without a restart
    assert ledger_verifies(app) == logged  # nothing lost, nothing half-written
    login(app.test_client(), "foreman_b")
    assert ledger_verifies(app) > logged  # the login after the recovery is logged, and the log still verifies
