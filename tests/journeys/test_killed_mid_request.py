"""The web process is killed (SIGKILL) in the middle of a request (issue #14 part 4): a worker's signature, and a
foreman's payroll import. Each request runs in its own spawned process with the browser's cookies, and the process
kills itself after the work is done and flushed but before the commit. Afterwards: no partial record, the contract
unsigned (never half-signed, never a corrupt PDF), ``ledger verify`` passes, and the same request then succeeds."""

from __future__ import annotations

import importlib
import io
import multiprocessing
import os
import signal
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import test_config as make_test_config
from tests.factories import World, login
from tests.journeys.conftest import (
    SIGNATORY_PHONE,
    WORKERS,
    SigningWorld,
    contract_state,
    default_placement,
    final_pdf,
    issue,
    link_in_sms,
    seal_batch,
    worker_ready,
)
from tests.payroll import files
from wage_guard import clock, create_app
from wage_guard.extensions import db
from wage_guard.ledger import audit, sequencer
from wage_guard.payroll.models import PayrollImport, PayrollLine
from wage_guard.signing import services as signing


def _post_then_die(database_url: str, now: str, cookies: dict[str, str], path: str, form: dict[str, Any], target: str) -> None:
    """In a fresh process: the app, the browser's cookies, and ``target`` (module:function) wrapped so that the
    process dies right after it returns, its rows flushed, before the view commits."""
    application = create_app(make_test_config(database_url))
    clock.freeze(datetime.fromisoformat(now))
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    real = getattr(module, name)

    def then_killed(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)
        db.session.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(module, name, then_killed)
    client = application.test_client()
    for key, value in cookies.items():
        client.set_cookie(key, value)
    upload = form.pop("_file", None)
    if upload is not None:
        form["file"] = (io.BytesIO(upload[1]), upload[0])
    client.post(path, data=form, content_type="multipart/form-data" if upload else None)


def _kill_during(client: FlaskClient, database_url: str, path: str, form: dict[str, Any], target: str) -> None:
    cookies = {cookie.key: cookie.value for cookie in client._cookies.values()}  # noqa: SLF001 - the browser's cookies
    args = (database_url, clock.utcnow().isoformat(), cookies, path, form, target)
    process = multiprocessing.get_context("spawn").Process(target=_post_then_die, args=args)
    process.start()
    process.join(timeout=300)
    assert process.exitcode == -signal.SIGKILL


def _log_verifies(app: Flask) -> None:
    with app.app_context():
        sequencer.integrate_queued()
        result = audit.verify_all()
        assert result.ok, result.problems


def test_killed_while_the_worker_signs(app: Flask, signing_world: SigningWorld, database_url: str) -> None:
    [contract_id] = issue(app, signing_world, ["李四"])
    seal_batch(app.test_client(), app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    token = link_in_sms(app, WORKERS["李四"][1], "/s/")
    worker = app.test_client()
    placement = default_placement(worker_ready(worker, app, token, WORKERS["李四"][1]))
    before = contract_state(app, contract_id)
    assert before == ("awaiting_worker", 2)
    _kill_during(worker, database_url, f"/s/{token}/sign", dict(placement), "wage_guard.journeys.services:sign_as_worker")
    assert contract_state(app, contract_id) == before  # nothing of the signature was kept
    _log_verifies(app)
    again = worker.post(f"/s/{token}/sign", data=placement)
    assert again.status_code == 302, again.get_data(as_text=True)
    assert contract_state(app, contract_id)[0] == "in_force"
    with app.app_context():
        report = signing.verify(final_pdf(app, contract_id)).to_dict()
    assert report["ok"] is True
    assert len(report["signatures"]) == 2
    _log_verifies(app)


def test_killed_while_a_payroll_sheet_is_imported(app: Flask, world: World, database_url: str) -> None:
    foreman = app.test_client()
    login(foreman, "foreman_b")
    sheet = files.xlsx(files.sheet([files.wage_line("赵六"), files.wage_line("张三", number=2)]))
    path = f"/projects/{world.project_b}/payroll/upload"
    form = {"month": "2026-10", "_file": ("工资.xlsx", sheet)}
    _kill_during(foreman, database_url, path, form, "wage_guard.payroll.services:_store_lines")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PayrollImport)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PayrollLine)) == 0
    _log_verifies(app)
    response = foreman.post(
        path, data={"month": "2026-10", "file": (io.BytesIO(sheet), "工资.xlsx")}, content_type="multipart/form-data"
    )
    assert "已导入：2026-10，第 1 版" in response.get_data(as_text=True)
    _log_verifies(app)
