"""The production set-up on one machine (issue #14, part 1): gunicorn with three worker processes, PostgreSQL,
Redis for the rate limits and the scheduler as its own process, all with ``WAGE_GUARD_ENV=production``
(``benchmarks.stack``), and a smoke journey over real HTTP through it.

Staff log in with password and SMS code (read from the database outbox), the foreman opens the project and its
QR poster, a worker enrols through the QR link, the foreman issues a contract, the employer's signatory seals it
and the worker signs it; the scheduler completes it to B-LTA; the public verification page accepts the signed
PDF; ``flask ledger verify`` passes. Also: the rate limits hold across the worker processes (Redis), and a
second scheduler stands by while the first holds the lock.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from benchmarks.stack import ROOT, Stack
from tests.deploy.support import Browser, outbox, stack_or_skip
from tests.factories import PASSWORD, STAFF, id_number
from tests.journeys.conftest import ISSUE_FORM, SIGNATORY_PHONE, default_placement

WORKER = ("张三丰", "37032219880808123", "+8613912340000")
ADDRESS = "山东省淄博市高青县田镇街道青城路2号"
#: Deadlines for what the scheduler does in the background (waiting, not measuring).
SCHEDULER_DEADLINE_SECONDS = 180


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    yield from stack_or_skip()


def login(stack: Stack, username: str) -> Browser:
    """Password, then the SMS code, as a member of staff does it."""
    browser = Browser(stack.base_url)
    browser.submit("/login", {"username": username, "password": PASSWORD})
    browser.submit("/login/verify", {"code": outbox(stack, STAFF[username][1])})
    return browser


def confirm_code(browser: Browser, stack: Stack, path: str, phone: str) -> None:
    browser.submit(f"{path}/code", {}, form_page=path)
    browser.submit(f"{path}/verify", {"code": outbox(stack, phone)})


def enrol(stack: Stack, token: str) -> None:
    """The worker scans the poster: name, ID number, phone, trade, address and consent, then the texted code."""
    name, first17, phone = WORKER
    worker = Browser(stack.base_url)
    form = {"name": name, "id_number": id_number(first17), "phone": phone.removeprefix("+86"), "trade": "rebar"}
    worker.submit(f"/e/{token}", {**form, "address": ADDRESS, "consent": "y"})
    worker.submit(f"/e/{token}/verify", {"code": outbox(stack, phone)})
    worker.page(f"/e/{token}/done")


def issue(foreman: Browser, project_id: int) -> int:
    """The foreman issues a contract to the new worker from the roster; returns its id."""
    path = f"/projects/{project_id}/contracts/new"
    entry = re.search(rf'name="enrollment_ids" value="(\d+)"[^>]*>\s*{WORKER[0]}', foreman.page(path))
    assert entry, "the new worker is not on the issue form's roster"
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    foreman.submit(path, {**ISSUE_FORM, "start_date": today, "enrollment_ids": entry.group(1)})
    found = re.search(rf"/projects/{project_id}/contracts/(\d+)", foreman.page(f"/projects/{project_id}/contracts/"))
    assert found, "the contract is not on the project's list"
    return int(found.group(1))


def seal(stack: Stack) -> None:
    """The signatory follows the texted link, confirms a code and drops the seal in the usual place."""
    token = outbox(stack, SIGNATORY_PHONE, r"/seal/([A-Za-z0-9_-]+)", secret=False)
    signatory = Browser(stack.base_url)
    confirm_code(signatory, stack, f"/seal/{token}", SIGNATORY_PHONE)
    placement = default_placement(signatory.page(f"/seal/{token}/seal"))
    signatory.submit(f"/seal/{token}/seal", placement, status=200)


def sign(stack: Stack) -> None:
    """The worker follows the texted link: code, notice, key terms, then the signature."""
    phone = WORKER[2]
    token = outbox(stack, phone, r"/s/([A-Za-z0-9_-]+)", secret=False)
    worker = Browser(stack.base_url)
    confirm_code(worker, stack, f"/s/{token}", phone)
    worker.submit(f"/s/{token}/notice", {})
    worker.page(f"/s/{token}/terms")
    worker.submit(f"/s/{token}/sign", default_placement(worker.page(f"/s/{token}/sign")))


def long_term_pdf(foreman: Browser, project_id: int, contract_id: int) -> bytes:
    """The contract once the scheduler has added the long-term validation data (a document timestamp)."""
    deadline = time.monotonic() + SCHEDULER_DEADLINE_SECONDS
    while True:
        pdf = foreman.get(f"{foreman.base_url}/projects/{project_id}/contracts/{contract_id}/pdf", timeout=120).content
        if b"/DocTimeStamp" in pdf or time.monotonic() > deadline:
            return pdf
        time.sleep(1)


def test_smoke_journey_through_gunicorn_postgresql_and_the_scheduler(stack: Stack) -> None:
    project_id = int(stack.plan["project_a"])
    foreman = login(stack, "foreman_a")
    assert WORKER[0] not in foreman.page(f"/projects/{project_id}")
    foreman.page(f"/projects/{project_id}/enrolment/poster")
    enrol(stack, stack.plan["enrolment_token"])
    assert WORKER[0] in foreman.page(f"/projects/{project_id}")
    contract_id = issue(foreman, project_id)
    seal(stack)
    sign(stack)
    pdf = long_term_pdf(foreman, project_id, contract_id)
    assert b"/DocTimeStamp" in pdf, "the scheduler did not complete the contract to B-LTA"
    report = requests.post(f"{stack.base_url}/verify/", files={"file": ("contract.pdf", pdf, "application/pdf")}, timeout=120)
    assert report.status_code == 200, report.text[:2000]
    verified = stack.flask("ledger", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Traceback" not in stack.log("gunicorn") + stack.log("scheduler")


def test_rate_limits_are_shared_by_the_worker_processes(stack: Stack) -> None:
    """Concurrent requests on new connections land on different processes; the limit still holds exactly."""
    url = f"{stack.base_url}/log/tree-head"
    first = requests.get(url, timeout=60)
    remaining = int(first.headers["X-RateLimit-Remaining"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: requests.get(url, timeout=60).status_code, range(remaining + 8)))
    assert statuses.count(429) == 8, sorted(statuses)
    assert stack.log("gunicorn").count("Booting worker") == 3


def test_a_second_scheduler_stands_by_while_the_first_holds_the_lock(stack: Stack) -> None:
    command = [sys.executable, "-m", "jobs"]
    with subprocess.Popen(command, cwd=ROOT, env=stack.environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as second:
        try:
            assert second.stdout is not None
            deadline = time.monotonic() + SCHEDULER_DEADLINE_SECONDS
            line = b""
            while b"scheduler lock" not in line and b"standing by" not in line and time.monotonic() < deadline:
                line = second.stdout.readline()
            assert b"standing by" in line, line
        finally:
            second.terminate()
            second.wait(timeout=30)
