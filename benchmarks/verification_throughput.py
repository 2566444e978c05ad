"""The public verification page through gunicorn on loopback, under load (issue #12, part 1).

Run from the repository root::

    .venv/bin/python -m benchmarks.verification_throughput [--seconds 20] [--clients 8] [--rounds 3]
        [--database postgresql|sqlite]

What a user feels: an arbitrator or a worker uploads a contract PDF to ``/verify/`` and waits for the report; a
phone that scanned the contract's QR code opens ``/verify/c/<number>``. Setup, untimed and in process, on a
database the benchmark creates and drops (``benchmarks.databases``): one contract issued, sealed by the employer,
signed by the worker through the real pages, completed to B-LTA by the scheduled job, and a signed tree head
published, so the report shows every check and the evidence-log proofs. The repository's ``gunicorn.conf.py``
then serves the app (two worker processes with threads; rate limits off for the run). For each round,
``--clients`` threads send requests over HTTP for ``--seconds``: first uploads of the complete contract, then the
QR landing page. The table gives requests per second and latency (median, p10–p90) over the rounds.

Baselines in the same run, on the same two cores: the bare validation the upload page performs
(``signing.validation.validate_pdf`` of the same file against the platform root, in two processes, no HTTP, no
database, no report), and for the landing page the same template without the contract look-up (the empty
upload form, ``GET /verify/``). The ratios say what the page adds to the work it cannot avoid. The issue sets
no goal for this page; the figures are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from benchmarks.databases import own_database
from benchmarks.signing import spread
from benchmarks.signing_throughput import _config, _free_port, rate_in_processes, serve

#: Requests left out of each round's figures while the gunicorn processes warm up (first round only).
WARM_SECONDS = 2.0


@dataclass(frozen=True)
class Load:
    per_second: float
    latencies_ms: list[float]


def prepare(config: dict[str, str]) -> tuple[bytes, str, bytes]:
    """A complete contract: (its final PDF, its number, the platform root certificate in DER)."""
    import os

    for name, value in config.items():
        os.environ[f"WAGE_GUARD_{name}"] = value
    from cryptography.hazmat.primitives import serialization

    from benchmarks.signing_request import _seal, signing_world_with_workers
    from jobs.ledger import publish_tree_head
    from jobs.signing import complete_long_term
    from tests.journeys.conftest import SIGNATORY_PHONE, confirm_code, default_placement, issue, link_in_sms
    from wage_guard import boundary, clock, create_app
    from wage_guard.contracts.models import Contract
    from wage_guard.extensions import db
    from wage_guard.signing import ca

    app = create_app()
    sw, phones = signing_world_with_workers(app, 1)
    (contract_id,) = issue(app, sw, list(phones), start_date=clock.china_date(clock.utcnow()))
    app.config["WTF_CSRF_ENABLED"] = False  # the set-up steps post without fetching their CSRF tokens
    _seal(app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    (phone,) = phones.values()
    client, token = app.test_client(), link_in_sms(app, phone, "/s/")
    confirm_code(client, app, f"/s/{token}", phone)
    assert client.post(f"/s/{token}/notice").status_code == 302
    placement = default_placement(client.get(f"/s/{token}/sign").get_data(as_text=True))
    assert client.post(f"/s/{token}/sign", data=placement).status_code == 302
    with app.app_context():
        complete_long_term(now=clock.utcnow())
        publish_tree_head(now=clock.utcnow())
        boundary.commit()
        contract = db.session.get(Contract, contract_id)
        assert contract is not None
        pdf, number = contract.current_document.pdf, contract.number
        root = ca.platform_ca().root_cert.public_bytes(serialization.Encoding.DER)
        db.session.remove()
        db.engine.dispose()
    return pdf, number, root


def _multipart(pdf: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="contract.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + pdf + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def load(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str], clients: int, seconds: float) -> Load:
    """``clients`` threads repeat one request for ``seconds``; every answer must be 200."""
    lock, latencies, failures, finished = threading.Lock(), [], [], []
    stop = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                finished.append(time.perf_counter())
                if response.status != 200:
                    failures.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, f"{path}: HTTP {sorted(set(failures))}"
    return Load(len(finished) / (max(finished) - began), latencies)


def _validate_rate(args: tuple[bytes, bytes, float], results: Any) -> None:
    from cryptography import x509

    from wage_guard.signing import validation

    pdf, root_der, seconds = args
    root = x509.load_der_x509_certificate(root_der)
    validation.validate_pdf(pdf, trust_roots=[root])
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        validation.validate_pdf(pdf, trust_roots=[root])
        count += 1
    results.put(count / (time.perf_counter() - started))


def bare_validations_per_second(pdf: bytes, root_der: bytes, seconds: float, processes: int = 2) -> float:
    return rate_in_processes(_validate_rate, (pdf, root_der, seconds), processes)


def _row(name: str, loads: list[Load], baseline: float | None) -> str:
    rates = sorted(load.per_second for load in loads)
    latencies = [ms for load in loads for ms in load.latencies_ms]
    median, low, high = spread(latencies)
    rate = rates[len(rates) // 2]
    ratio = f"{rate / baseline:.2f}x" if baseline else ""
    return f"| {name} | {rate:.1f}/s ({rates[0]:.1f}–{rates[-1]:.1f}) | {ratio} | {median:.0f} ms ({low:.0f}–{high:.0f}) |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the public verification page through gunicorn, under load")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args(argv)
    with own_database(args.database, "verification_throughput") as url:
        config = _config(url)
        pdf, number, root = prepare(config)
        port = _free_port()
        server = serve(config, port)
        body, content_type = _multipart(pdf)
        upload = ("POST", "/verify/", body, {"Content-Type": content_type})
        landing = ("GET", f"/verify/c/{number}", None, {})
        form = ("GET", "/verify/", None, {})
        try:
            for request in (upload, landing, form):  # warm every process up
                load(port, *request, clients=args.clients, seconds=WARM_SECONDS)
            results: dict[str, list[Load]] = {"upload": [], "landing": [], "form": []}
            for _ in range(args.rounds):
                for name, request in (("upload", upload), ("landing", landing), ("form", form)):
                    results[name].append(load(port, *request, clients=args.clients, seconds=args.seconds))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    bare = bare_validations_per_second(pdf, root, args.seconds)
    form_rate = sorted(x.per_second for x in results["form"])[len(results["form"]) // 2]
    print(
        f"verification page through gunicorn ({args.database}, 2 processes, {args.clients} clients, "
        f"{args.rounds} rounds of {args.seconds:.0f} s; contract PDF {len(pdf) / 1024:.0f} KB)"
    )
    print("| measurement | requests/s (min–max of rounds) | vs baseline | latency median (p10–p90) |")
    print("|---|---|---|---|")
    print(f"| bare validate_pdf of the same file, 2 processes (baseline for the upload) | {bare:.1f}/s | 1.00x | |")
    print(_row("upload to /verify/: full report with evidence proofs", results["upload"], bare))
    print(
        _row("the empty upload form /verify/ (baseline for the landing page: the same page, no look-up)", results["form"], None)
    )
    print(_row("QR landing page /verify/c/<number> (looks the contract up)", results["landing"], form_rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
