"""Worker signings per second through gunicorn on loopback (issue #12: at least 30 a second on this machine).

Run from the repository root::

    .venv/bin/python -m benchmarks.signing_throughput [--signings 200] [--clients 8] [--database postgresql|sqlite]

Setup, untimed and in process, on a database the benchmark creates and drops (``benchmarks.databases``):
``--signings`` workers with a contract each, issued and sealed; each worker's code confirmed, the notice read and
the signing page fetched, keeping its session cookie and CSRF token. Then the repository's ``gunicorn.conf.py``
serves the same app (same keys, database and document store): two worker processes with threads, rate-limit
storage in the local Redis (limits off for the run, so nothing is written there). ``--clients`` threads POST
the signings over HTTP on 127.0.0.1, each with its own session, and the table reports signings per second (all
signings after the first 20, which warm each process up, over the time they took) and their latency.

Baseline in the same run: stock pyHanko B-T signatures per second on the same two cores, fairly configured
(``benchmarks.signing.FairStockSigner``, one process per core), on the same contract. Goal: at least 30
signings per second; exit code 1 with ``--check`` when missed.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.databases import own_database
from benchmarks.signing import FairStockSigner, spread

GOAL = 30.0
#: Signings left out of the rate and the latencies: each gunicorn process warms up on its first requests.
WARM = 20
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(url: str) -> dict[str, str]:
    """The settings both this process and gunicorn load (as ``WAGE_GUARD_*`` environment variables)."""
    import base64

    key = base64.b64encode(os.urandom(32)).decode()
    return {
        "ENV": "development",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
        "FIELD_ENCRYPTION_KEY": key,
        "BLIND_INDEX_KEY": key,
        "CODE_HASH_KEY": key,
        "KEY_ENCRYPTION_KEY": key,
        "DOCUMENT_STORE_DIR": tempfile.mkdtemp(prefix="wage_guard_throughput_documents_"),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "RATELIMIT_ENABLED": "false",
        "DEMO_MODE": "false",
    }


def prepare(config: dict[str, str], count: int) -> tuple[list[tuple[str, str, dict[str, str]]], bytes, bytes]:
    """Workers ready to sign: (token, session cookie, form with CSRF token) each; the sealed PDF and the seal."""
    for name, value in config.items():
        os.environ[f"WAGE_GUARD_{name}"] = value
    from benchmarks.signing_request import _seal, signing_world_with_workers
    from tests.journeys.conftest import SIGNATORY_PHONE, confirm_code, default_placement, issue, link_in_sms
    from wage_guard import clock, create_app
    from wage_guard.contracts.models import Contract
    from wage_guard.extensions import db
    from wage_guard.journeys import services as journeys

    app = create_app()
    sw, phones = signing_world_with_workers(app, count)
    # Real time throughout (gunicorn has no frozen clock): the contracts start today.
    contract_ids = issue(app, sw, list(phones), start_date=clock.china_date(clock.utcnow()))
    app.config["WTF_CSRF_ENABLED"] = False  # the set-up steps post without their pages
    _seal(app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    ready = []
    for phone in phones.values():
        client = app.test_client()
        token = link_in_sms(app, phone, "/s/")
        confirm_code(client, app, f"/s/{token}", phone)
        assert client.post(f"/s/{token}/notice").status_code == 302
        app.config["WTF_CSRF_ENABLED"] = True  # the signing page as gunicorn will check it: with its CSRF token
        signing = client.get(f"/s/{token}/sign").get_data(as_text=True)
        app.config["WTF_CSRF_ENABLED"] = False
        form = {key: str(value) for key, value in default_placement(signing).items()}
        form["csrf_token"] = _csrf(signing)
        cookie = client.get_cookie("session")
        assert cookie is not None
        ready.append((token, cookie.value, form))
    with app.app_context():
        contract = db.session.get(Contract, contract_ids[0])
        assert contract is not None
        sealed, seal = contract.current_document.pdf, journeys._worker_seal("工人000")  # noqa: SLF001
        db.session.remove()
        db.engine.dispose()
    return ready, sealed, seal


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def serve(config: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    environment = {**os.environ, **{f"WAGE_GUARD_{k}": v for k, v in config.items()}, "WEB_CONCURRENCY": "2"}
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def sign_all(port: int, ready: list[tuple[str, str, dict[str, str]]], clients: int) -> tuple[float, list[float]]:
    """POST every signing with ``clients`` threads; (signings per second once warm, latencies in ms).

    The rate counts from the completion of the first :data:`WARM` signings (each gunicorn process loads the
    CA, fonts and caches on its first requests) to the last completion."""
    queue = list(ready)
    lock, latencies, failures, finished = threading.Lock(), [], [], []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    return
                token, cookie, form = queue.pop()
            body = urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"}
            started = time.perf_counter()
            connection.request("POST", f"/s/{token}/sign", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                finished.append(time.perf_counter())
                if response.status != 302:
                    failures.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, f"signings failed with HTTP {sorted(set(failures))}"
    finished.sort()
    return (len(finished) - WARM) / (finished[-1] - finished[WARM - 1]), latencies[WARM:]


def _stock_rate(args: tuple[bytes, bytes, float], results: Any) -> None:
    pdf, seal, seconds = args
    signer = FairStockSigner(pdf, seal, (120.0, 80.0, 240.0, 200.0), 0)
    signer.sign()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        signer.sign()
        count += 1
    results.put(count / (time.perf_counter() - started))


def rate_in_processes(target: Any, args: tuple[Any, ...], processes: int = 2, timeout: float = 600) -> float:
    """The summed rate that ``processes`` spawned copies of ``target(args, results)`` each put on ``results``."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=target, args=(args, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    rates = [results.get(timeout=timeout) for _ in workers]
    for worker in workers:
        worker.join()
    return sum(rates)


def stock_per_second(pdf: bytes, seal: bytes, processes: int = 2, seconds: float = 5.0) -> float:
    return rate_in_processes(_stock_rate, (pdf, seal, seconds), processes, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="worker signings per second through gunicorn")
    parser.add_argument("--signings", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    with own_database(args.database, "signing_throughput") as url:
        config = _config(url)
        ready, sealed, seal = prepare(config, args.signings)
        port = _free_port()
        server = serve(config, port)
        try:
            rate, latencies = sign_all(port, ready, args.clients)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    stock = stock_per_second(sealed, seal)
    median, low, high = spread(latencies)
    print(f"signings through gunicorn ({args.database}, 2 processes, {args.clients} clients, {len(ready)} signings)")
    print(f"  stock pyHanko B-T, fairly configured, 2 processes (baseline): {stock:6.1f} signatures/s")
    print(f"  worker signing POSTs through gunicorn:                          {rate:6.1f} signings/s ({rate / stock:.2f}x)")
    print(f"  request latency: median {median:.0f} ms, p10-p90 {low:.0f}-{high:.0f} ms")
    met = rate >= GOAL
    print(f"goal: >= {GOAL:.0f} signings/s: {'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
