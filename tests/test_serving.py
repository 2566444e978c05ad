"""The demo's gunicorn configuration, run for real: limits hold exactly, and the access log holds no bearer token.

Each server is ``gunicorn --config gunicorn.conf.py wsgi:app`` (as ``scripts/demo.sh`` starts it) on a free port,
in the development environment with SQLite and the instance folder in a temporary directory. Rate limits are
lowered through ``WAGE_GUARD_RATELIMIT_*`` so that a handful of requests reach them.

The shared-storage test starts its own Redis (Debian's ``redis-server``, installed by ``scripts/system-packages.sh``)
on a free port: without the program the test is skipped with a loud reason, and under ``CI=true`` it fails instead.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from wage_guard.redaction import MARKER

ROOT = Path(__file__).resolve().parents[1]
#: The limit the servers run with (``RATELIMIT_VERIFY_PER_IP``, on the evidence log's JSON endpoints).
LIMIT = 5
LIMITED_URL = "/log/tree-head"
#: Concurrent requests per burst.
BURST = 8
#: How long a server may take to start on a busy machine (a deadline for waiting, not an assertion on time).
START_DEADLINE_SECONDS = 120


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    access_log: Path
    error_log: Path

    def status(self, path: str, headers: dict[str, str] | None = None) -> int:
        """GET ``path`` on a new connection (as a new client would) and return the status code."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def wait_for_access_lines(self, count: int) -> str:
        """The access log once it holds ``count`` request lines (gunicorn writes each after the response)."""
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while True:
            text = self.access_log.read_text(errors="replace")
            if text.count('"GET ') >= count or time.monotonic() > deadline:
                return text
            time.sleep(0.05)


def server_environment(tmp: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any WAGE_GUARD_* of its own, plus a development set-up in ``tmp``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WAGE_GUARD_")}
    env.update(
        WAGE_GUARD_ENV="development",
        WAGE_GUARD_INSTANCE_PATH=str(tmp / "instance"),
        WAGE_GUARD_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'wage_guard.sqlite'}",
        WAGE_GUARD_RATELIMIT_VERIFY_PER_IP=f"{LIMIT} per hour",
        **{f"WAGE_GUARD_{key}": value for key, value in settings.items()},
    )
    return env


def create_tables(env: dict[str, str]) -> None:
    script = "\n".join(
        [
            "from wage_guard import create_app",
            "from wage_guard.extensions import db",
            "with create_app().app_context(): db.create_all()",
        ]
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


def gunicorn(env: dict[str, str], logs: Path, *extra: str) -> subprocess.Popen[bytes]:
    logs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0", *extra, "wsgi:app"]
    with (logs / "access.log").open("wb") as stdout, (logs / "error.log").open("wb") as stderr:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)


def start(env: dict[str, str], logs: Path, *extra: str, workers: int = 1) -> Server:
    """Start gunicorn and wait until ``workers`` processes have loaded the app and it answers on its port."""
    return wait_until_ready(launch(env, logs, *extra), workers)


def launch(env: dict[str, str], logs: Path, *extra: str) -> Server:
    return Server(gunicorn(env, logs, *extra), 0, logs / "access.log", logs / "error.log")


def wait_until_ready(server: Server, workers: int) -> Server:
    process = server.process
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            stop(server)
            pytest.fail(f"gunicorn did not start:\n{server.error_log.read_text(errors='replace')}")
        errors = server.error_log.read_text(errors="replace")
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", errors)
        server.port = int(found.group(1)) if found else 0
        if server.port and errors.count("Worker ready") >= workers and _answers(server):
            return server
        time.sleep(0.1)


def _answers(server: Server) -> bool:
    try:
        return server.status("/static/css/app.css") == 200
    except OSError:
        return False


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on the demo's configuration: process-local (``memory://``) limit storage."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = server_environment(tmp)
    create_tables(env)
    server = start(env, tmp / "logs")
    yield server
    stop(server)


def bursts(servers: list[Server], path: str, rounds: int = 3) -> list[int]:
    """Statuses of ``rounds`` bursts of concurrent requests, spread over ``servers`` in turn.

    Concurrent connections are what the kernel hands to different worker processes: requests one after the
    other mostly land on one process, which would hide per-process counting (two workers on ``memory://``
    answered 10 requests of a limit of 5 this way).
    """
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        statuses: list[int] = []
        for _ in range(rounds):
            statuses += pool.map(lambda n: servers[n % len(servers)].status(path), range(BURST))
    return statuses


def test_the_demo_enforces_each_limit_exactly_not_once_per_process(demo_server: Server) -> None:
    statuses = bursts([demo_server], LIMITED_URL)
    # No tree head is published yet: 404 is an answer, and a hit on the limit like any other.
    assert sorted(statuses) == [404] * LIMIT + [429] * (len(statuses) - LIMIT)
    assert demo_server.error_log.read_text().count("Booting worker") == 1


def test_several_processes_on_process_local_limit_storage_refuse_to_start(tmp_path: Path) -> None:
    env = server_environment(tmp_path)
    process = gunicorn(env, tmp_path / "logs", "--workers", "2")
    assert process.wait(timeout=START_DEADLINE_SECONDS) != 0
    error = (tmp_path / "logs" / "error.log").read_text()
    assert "WAGE_GUARD_RATELIMIT_STORAGE_URI" in error
    assert "Booting worker" not in error


def test_the_access_log_holds_no_bearer_token(demo_server: Server) -> None:
    signing, sealing, enrolment, encoded = (secrets.token_urlsafe(24) for _ in range(4))
    requests = [
        (f"/s/{signing}/verify", {}),
        (f"/s/{signing}/pages/1/1.webp", {"Referer": f"http://127.0.0.1:{demo_server.port}/s/{signing}/sign"}),
        (f"/seal/{sealing}", {}),
        (f"/e/{enrolment}", {}),
        (f"/e/{enrolment}/done?lang=en", {}),
        (f"/login?next=/s/{signing}/sign&token={sealing}", {}),
        (f"/%73%2F{encoded}", {}),  # /s/<token>, percent-encoded: it routes to the signing page all the same
    ]
    before = demo_server.access_log.read_text().count('"GET ')
    for path, headers in requests:
        demo_server.status(path, headers)
    log = demo_server.wait_for_access_lines(before + len(requests))
    assert log.count('"GET ') >= before + len(requests), log
    for token in (signing, sealing, enrolment, encoded):
        assert token not in log
        assert token not in demo_server.error_log.read_text()
    for redacted in (
        f"/s/{MARKER}/verify",
        f"/seal/{MARKER}",
        f"/e/{MARKER}/done?lang=en",
        f"next={MARKER}",
        f"/s/{MARKER}/sign",
    ):
        assert redacted in log, redacted


def _redis_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"SHARED RATE-LIMIT STORAGE TEST CANNOT RUN UNDER CI=true: {reason}", pytrace=False)
    pytest.skip(f"SHARED RATE-LIMIT STORAGE TEST SKIPPED: {reason}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_uri(tmp_path: Path) -> Iterator[str]:
    """A private Redis (Debian's ``redis-server``) on a free port, keeping nothing on disk, for this test only."""
    binary = shutil.which("redis-server")
    if binary is None:
        _redis_unavailable("redis-server not found; apt-get install redis-server (scripts/system-packages.sh does)")
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while not _pong(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_shared_storage_holds_each_limit_across_processes(tmp_path: Path, redis_uri: str) -> None:
    """Two servers (each with several workers) on one Redis: requests alternate, the limit still holds exactly."""
    env = server_environment(tmp_path, RATELIMIT_STORAGE_URI=redis_uri)
    create_tables(env)
    servers = [launch(env, tmp_path / "logs-1"), launch(env, tmp_path / "logs-2")]  # both start at once
    try:
        for server in servers:
            wait_until_ready(server, workers=2)
        statuses = bursts(servers, LIMITED_URL)
        booted = [server.error_log.read_text().count("Booting worker") for server in servers]
    finally:
        for server in servers:
            stop(server)
    assert sorted(statuses) == [404] * LIMIT + [429] * (len(statuses) - LIMIT)
    assert booted == [2, 2]
