"""The production set-up on one machine: gunicorn with several workers, PostgreSQL, Redis and the scheduler.

Used by the deployment smoke test (``tests/deploy/test_stack.py``), the load test (``python -m benchmarks.load``)
and by hand::

    .venv/bin/python -m benchmarks.stack [--workers 3]      # start it, print the address and logins, Ctrl-C stops

:func:`running_stack` creates its own PostgreSQL database ``wage_guard_stack_<pid>`` through the maintenance
database (``benchmarks.databases.own_database``; never ``test`` or any database it did not create) and drops it
at the end; runs ``flask db upgrade`` (the deploy step) and the seed (``benchmarks.stack_seed``, through the
services); then starts ``gunicorn --config gunicorn.conf.py`` with ``WEB_CONCURRENCY`` workers and
``python -m jobs``, each a process of its own, as in production.

The app runs with ``WAGE_GUARD_ENV=production``, so the production checks of ``wage_guard.config`` pass for real:
random keys, a shared rate-limit storage (Redis at 127.0.0.1:6379, database 13, every key under a prefix of this
run, deleted at the end) and ``PUBLIC_BASE_URL``. Three settings differ from a real installation, each because
the stack has no network and no TLS: ``SMS_BACKEND=console`` (texts stay in the database outbox, where the
smoke journey and the load test read the codes, instead of Twilio), ``SESSION_COOKIE_SECURE=false`` (plain
HTTP on loopback; in production the reverse proxy terminates TLS) and the embedded TSA (no ``TSA_URL``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.databases import own_database

ROOT = Path(__file__).resolve().parent.parent
REDIS_URI = os.environ.get("WAGE_GUARD_STACK_REDIS_URI", "redis://127.0.0.1:6379/13")
#: Limits for the load run: 50 simulated users share one address (127.0.0.1), so the per-address limits (codes,
#: logins, verification, the API) are raised out of the way; the per-phone quotas in the database still apply.
LOAD_LIMITS = {
    name: "1000000 per minute"
    for name in (
        "RATELIMIT_SMS_PER_IP",
        "RATELIMIT_CODE_CHECK_PER_IP",
        "RATELIMIT_LOGIN_PER_IP",
        "RATELIMIT_VERIFY_PER_IP",
        "RATELIMIT_API_PER_IP",
    )
}
#: How long a process may take to come up on a busy machine (a deadline for waiting, not a measurement).
START_DEADLINE_SECONDS = 180


class StackUnavailable(RuntimeError):
    """PostgreSQL, Redis or gunicorn is missing: the stack cannot run on this machine."""


@dataclass
class Stack:
    """A running stack: its address, the settings every process got, the seed's plan and the log folder."""

    base_url: str
    settings: dict[str, str]
    plan: dict[str, Any]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        return environment(self.settings)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``flask --app wsgi ARGS`` with the stack's settings (as an operator runs a command on an app server)."""
        command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
        return subprocess.run(command, cwd=ROOT, env=self.environment(), capture_output=True, text=True, check=False)


def check_available() -> None:
    """:raises StackUnavailable: naming what is missing."""
    from sqlalchemy.exc import OperationalError

    from benchmarks.databases import ADMIN_URL

    try:
        import gunicorn  # noqa: F401
        import redis
    except ImportError as exc:
        raise StackUnavailable(f"{exc.name} is not installed (requirements.txt)") from exc
    try:
        redis.Redis.from_url(REDIS_URI, socket_timeout=5).ping()
    except redis.RedisError as exc:
        raise StackUnavailable(f"no Redis at {REDIS_URI}: {exc}") from exc
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise StackUnavailable(f"no PostgreSQL at {ADMIN_URL}: {exc.orig}") from exc
    finally:
        engine.dispose()


def settings_for(url: str, port: int, work: Path, *, load: bool) -> dict[str, str]:
    """The ``WAGE_GUARD_*`` settings (without the prefix) that gunicorn, the scheduler and the commands share."""

    def key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    settings = {
        "ENV": "production",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": key(),
        "BLIND_INDEX_KEY": key(),
        "CODE_HASH_KEY": key(),
        "KEY_ENCRYPTION_KEY": key(),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATELIMIT_STORAGE_URI": REDIS_URI,
        "RATELIMIT_KEY_PREFIX": f"wage_guard_stack_{os.getpid()}",
        "SMS_BACKEND": "console",
        "SESSION_COOKIE_SECURE": "false",
        "INSTANCE_PATH": str(work / "instance"),
        "DOCUMENT_STORE_DIR": str(work / "documents"),
    }
    return {**settings, **(LOAD_LIMITS if load else {})}


def environment(settings: dict[str, str], workers: int = 3) -> dict[str, str]:
    """This process's environment without its own ``WAGE_GUARD_*``, plus the stack's settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("WAGE_GUARD_")}
    env.update({f"WAGE_GUARD_{name}": value for name, value in settings.items()})
    env["WEB_CONCURRENCY"] = str(workers)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(name: str, command: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    with (logs / f"{name}.log").open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_ready(stack: Stack, workers: int) -> None:
    """Until gunicorn has ``workers`` workers with the app loaded and the scheduler holds its lock."""
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while True:
        for name, process in stack.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{stack.log(name)[-4000:]}")
        ready = stack.log("gunicorn").count("Worker ready") >= workers and "scheduler lock taken" in stack.log("scheduler")
        if ready and _answers(stack.base_url):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the stack did not start:\n{stack.log('gunicorn')[-4000:]}\n{stack.log('scheduler')[-4000:]}")
        time.sleep(0.2)


def _answers(base_url: str) -> bool:
    import http.client

    host, port = re.sub(r"^http://", "", base_url).split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", "/static/css/app.css")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def forget_limits(prefix: str) -> None:
    """Delete the rate-limit counters this run wrote to Redis (only keys under its own prefix)."""
    import redis

    client = redis.Redis.from_url(REDIS_URI)
    try:
        for key in client.scan_iter(match=f"*{prefix}*", count=1000):
            client.delete(key)
    finally:
        client.close()


@contextmanager
def running_stack(*, workers: int = 3, load: bool = False, seed_args: tuple[str, ...] = ()) -> Iterator[Stack]:
    """Start the stack on a database of its own and stop it (dropping the database) on exit.

    :raises StackUnavailable: when PostgreSQL, Redis or gunicorn is missing.
    """
    check_available()
    work = Path(tempfile.mkdtemp(prefix="wage_guard_stack_"))
    logs = work / "logs"
    logs.mkdir()
    port = _free_port()
    with own_database("postgresql", "stack") as url:
        settings = settings_for(url, port, work, load=load)
        env = environment(settings, workers)
        stack = Stack(f"http://127.0.0.1:{port}", settings, {}, logs)
        try:
            _run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")
            plan_file = work / "plan.json"
            _run([sys.executable, "-m", "benchmarks.stack_seed", str(plan_file), *seed_args], env, "the seed")
            stack.plan = json.loads(plan_file.read_text())
            gunicorn = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
            stack.processes["gunicorn"] = _start("gunicorn", [*gunicorn, "wsgi:app"], env, logs)
            stack.processes["scheduler"] = _start("scheduler", [sys.executable, "-m", "jobs"], env, logs)
            _wait_ready(stack, workers)
            yield stack
        finally:
            _stop(stack.processes)
            forget_limits(settings["RATELIMIT_KEY_PREFIX"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="gunicorn + PostgreSQL + Redis + the scheduler, on this machine")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    with running_stack(workers=args.workers) as stack:
        print(f"wage_guard (production settings) at {stack.base_url}/  logs in {stack.logs}")
        print("staff logins (password Correct-horse-9; the SMS code is in the database outbox):", ", ".join(stack.plan["staff"]))
        try:
            while all(process.poll() is None for process in stack.processes.values()):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
