"""Cross-cutting behaviour: security headers, error pages, the demo outbox, demo data and the scheduler."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World
from wage_guard.accounts.models import User
from wage_guard.extensions import db
from wage_guard.organisations.models import Project


def test_security_headers_on_every_page(client: FlaskClient, world: World) -> None:
    for url in ("/login", f"/e/{world.token_a}", "/no-such-page"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_pages_reference_no_external_assets(client: FlaskClient, world: World) -> None:
    for url in ("/login", f"/e/{world.token_a}"):
        html = client.get(url).get_data(as_text=True)
        assert "http://" not in html
        assert "https://" not in html
        assert "//cdn" not in html


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_outbox_exists_only_in_demo_mode(app: Flask, client: FlaskClient, world: World) -> None:
    from tests.enrollment.test_journey import form

    client.post(f"/e/{world.token_a}", data=form())
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "138****5678" in page
    assert "验证码" in page
    app.config["DEMO_MODE"] = False
    try:
        assert client.get("/dev/outbox").status_code == 404
    finally:
        app.config["DEMO_MODE"] = True


def test_demo_seed_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "login: foreman" in first.output
    assert "login: inspector" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 5
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 2
        assert db.session.scalars(sa.select(Project.county_code).where(Project.name.contains("高青"))).one() == "370322"


def test_scheduler_registers_every_job_once(app: Flask) -> None:
    from jobs.__main__ import build_scheduler
    from jobs.registry import job_definitions

    scheduler = build_scheduler(app)
    jobs = scheduler.get_jobs()
    assert [job.id for job in jobs] == [d.id for d in job_definitions(app)]
    assert "deliver_pending_sms" in {job.id for job in jobs}
    assert all(job.max_instances == 1 and job.coalesce for job in jobs)
    # The payroll partitions are prepared, and batches a crash interrupted resume, when the scheduler starts, not an
    # interval later; the other jobs wait. (Before the scheduler starts, only a job given its first run time has one.)
    starting = {job.id for job in jobs if getattr(job, "next_run_time", None) is not None}
    assert starting == {"prepare_payroll_partitions", "run_contract_batches"}


def test_static_files_are_cache_busted_and_cached_long(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    href = html.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "/static/css/app.css?v=" in href
    with client.get(href) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert 'rel="icon" href="data:,"' in html  # no favicon round trip on slow networks
