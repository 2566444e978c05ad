"""The load test's simulated users (a locustfile), run by ``python -m benchmarks.load`` against the stack.

Each user repeats, with 3 to 8 seconds between tasks, a weighted mix of what people do on the platform: a
worker enrols through the site's QR link (SMS code read from the database outbox), signs a contract (the seed has
confirmed the code and opened the signing page, so the task is the page and the signature), confirms a month's
wages through the texted link (code, slip, answer); a foreman uploads a wage sheet; an arbitrator uploads a signed
PDF to the public verification page or opens a contract's QR landing page; an inspector opens the dashboard and
the flag list; a department's system reads the API with its token. Every request must give the expected status:
anything else is a failure, and the run's goal is none. The tasks started, by kind, go to ``tasks.json`` beside
the plan when the users stop; so does each signing or wage-confirmation task that found none of the seed's work
left, which ``benchmarks.load`` prints as work missing and fails the run on (the weights and how much work the seed
prepares: ``benchmarks.load_mix``).

The plan (what the seed prepared) is the JSON file named by ``WAGE_GUARD_LOAD_PLAN``; the ``WAGE_GUARD_*``
settings are the stack's, so that the outbox can be read (and decrypted) here.
"""

from __future__ import annotations

import csv
import functools
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

from benchmarks.load_mix import WAIT_SECONDS, WEIGHTS
from benchmarks.outbox import Outbox, csrf, said

Work = TypeVar("Work")
Task = Callable[["Visitor"], None]

PLAN: dict[str, Any] = json.loads(Path(os.environ["WAGE_GUARD_LOAD_PLAN"]).read_text())
SIGNED_PDF = Path(PLAN["signed_pdf"]).read_bytes()
WAGE_SHEET = Path(PLAN["wage_sheet"]).read_bytes()
SIGNINGS: list[dict[str, Any]] = list(PLAN["signings"])
WAGE_LINKS: list[dict[str, str]] = list(PLAN["wage_links"])
NUMBERS = itertools.count()
#: Tasks finished, and tasks that found none of the seed's work left, by kind (``tasks.json`` at the end).
RAN: Counter[str] = Counter()
NO_WORK_LEFT: Counter[str] = Counter()


class NoWorkLeft(Exception):
    """The seed's work for this task is used up."""


def tallied(kind: str) -> Callable[[Task], Task]:
    """Count the task in :data:`RAN` when it has run (failed requests and exceptions are errors of their own),
    or in :data:`NO_WORK_LEFT` when it found no work; a task cut off when locust stops the users is not counted."""

    def decorate(function: Task) -> Task:
        @functools.wraps(function)
        def run(self: Visitor) -> None:
            try:
                function(self)
            except NoWorkLeft:
                NO_WORK_LEFT[kind] += 1
                return
            except Exception:
                RAN[kind] += 1
                raise
            RAN[kind] += 1

        return run

    return decorate


OUTBOX = Outbox()


@events.test_stop.add_listener
def _write_results(environment: Environment, **_: Any) -> None:
    """Once the users have stopped (their last tasks finished): locust's statistics as ``load_*.csv`` and the
    tally as ``tasks.json``, beside the plan, for ``benchmarks.load`` to print. Written here rather than by
    ``--csv``, whose files are rewritten once a second and so can miss what the last second did."""
    folder = Path(os.environ["WAGE_GUARD_LOAD_PLAN"]).parent
    report = StatsCSV(environment, PERCENTILES_TO_REPORT)
    for name, write in (("stats", report.requests_csv), ("failures", report.failures_csv), ("exceptions", report.exceptions_csv)):
        with (folder / f"load_{name}.csv").open("w", newline="") as handle:
            write(csv.writer(handle))
    tally = {"ran": dict(RAN), "no_work_left": dict(NO_WORK_LEFT)}
    (folder / "tasks.json").write_text(json.dumps(tally))


class Visitor(HttpUser):
    """One person (or system) at a time, picked by the task weights."""

    wait_time = between(*WAIT_SECONDS)

    def on_start(self) -> None:
        self.client.headers["User-Agent"] = PLAN["user_agent"]

    def _fresh(self, session: str | None = None) -> None:
        """Start a task as a new browser, or with the session cookie the seed made."""
        self.client.cookies.clear()
        if session is not None:
            self.client.cookies.set("session", session, domain="127.0.0.1", path="/")

    def _get(self, path: str, name: str, status: int = 200, **kwargs: Any) -> str:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != status:
                response.failure(f"HTTP {response.status_code}, expected {status}")
            return str(response.text)

    def _post(self, path: str, name: str, status: int = 302, **kwargs: Any) -> str:
        with self.client.post(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != status:
                response.failure(f"HTTP {response.status_code}, expected {status}: {said(response.text)}")
            return str(response.text)

    @staticmethod
    def _take(pool: list[Work]) -> Work:
        """The next piece of the seed's work. :raises NoWorkLeft: when it is used up (the run fails on it)."""
        if not pool:
            raise NoWorkLeft
        return pool.pop()

    @task(WEIGHTS["enrolment"])
    @tallied("enrolment")
    def enrol(self) -> None:
        """A new worker scans the site poster, gives name, ID and phone, and enters the texted code."""
        from tests.factories import id_number

        self._fresh()
        n = next(NUMBERS)
        token, phone = PLAN["enrolment_token"], f"135{os.getpid() % 1000:03d}{n:05d}"
        page = self._get(f"/e/{token}", "enrol: QR landing + form")
        name = "访客" + "".join("零一二三四五六七八九"[int(d)] for d in str(n))  # names hold no digits
        form = {"name": name, "id_number": id_number(f"370322{1986 + n // 1000 % 20}0202{n % 1000:03d}")}
        form |= {"phone": phone, "trade": "rebar", "consent": "y", "csrf_token": csrf(page)}
        self._post(f"/e/{token}", "enrol: submit (code texted)", data=form)
        page = self._get(f"/e/{token}/verify", "enrol: code page")
        data = {"code": OUTBOX.find(f"+86{phone}"), "csrf_token": csrf(page)}
        self._post(f"/e/{token}/verify", "enrol: code checked", data=data)
        self._get(f"/e/{token}/done", "enrol: on the roster")

    @task(WEIGHTS["contract signing"])
    @tallied("contract signing")
    def sign(self) -> None:
        """A worker who has read the notice opens the signing page and signs with their seal."""
        signing = self._take(SIGNINGS)
        self._fresh(signing["cookie"])
        self._get(f"/s/{signing['token']}/sign", "sign: signing page")
        self._post(f"/s/{signing['token']}/sign", "sign: signature (B-T)", data=signing["form"])

    @task(WEIGHTS["wage confirmation"])
    @tallied("wage confirmation")
    def confirm_wages(self) -> None:
        """A worker opens the texted wage link, asks for and enters a code, reads the slip and confirms."""
        link = self._take(WAGE_LINKS)
        self._fresh()
        path = f"/w/{link['token']}"
        page = self._get(path, "wages: link opened")
        self._post(f"{path}/code", "wages: code texted", data={"csrf_token": csrf(page)})
        page = self._get(f"{path}/verify", "wages: code page")
        self._post(f"{path}/verify", "wages: code checked", data={"code": OUTBOX.find(link["phone"]), "csrf_token": csrf(page)})
        page = self._get(f"{path}/slip", "wages: pay slip")
        self._post(f"{path}/slip", "wages: answer", data={"answer": "received", "csrf_token": csrf(page)})

    @task(WEIGHTS["payroll import"])
    @tallied("payroll import")
    def import_payroll(self) -> None:
        """The foreman uploads September's wage sheet (a new version of the month each time)."""
        self._fresh(PLAN["sessions"]["foreman_a"])
        path = f"/projects/{PLAN['project_a']}/payroll/upload"
        page = self._get(path, "payroll: upload form")
        files = {"file": ("9月工资表.csv", WAGE_SHEET, "text/csv")}
        self._post(path, "payroll: import", status=200, data={"month": "2026-09", "csrf_token": csrf(page)}, files=files)

    @task(WEIGHTS["verification upload"])
    @tallied("verification upload")
    def verify_upload(self) -> None:
        """Anyone uploads a signed contract to the public verification page and reads the report."""
        self._fresh()
        files = {"file": ("contract.pdf", SIGNED_PDF, "application/pdf")}
        self._post("/verify/", "verify: PDF upload + report", status=200, files=files)

    @task(WEIGHTS["verification landing page"])
    @tallied("verification landing page")
    def verify_landing(self) -> None:
        """A phone that scanned a contract's QR code opens its verification landing page."""
        self._fresh()
        self._get(f"/verify/c/{PLAN['contract_number']}", "verify: QR landing page")

    @task(WEIGHTS["inspector"])
    @tallied("inspector")
    def inspector(self) -> None:
        """A county inspector opens the dashboard and the list of flags."""
        self._fresh(PLAN["sessions"]["inspector_x"])
        self._get("/inspector/", "inspector: dashboard")
        self._get("/inspector/flags", "inspector: flags")

    @task(WEIGHTS["API"])
    @tallied("API")
    def api(self) -> None:
        """A department's system pages through projects and a project's contracts with its bearer token."""
        self._fresh()
        headers = {"Authorization": f"Bearer {PLAN['api_token']}"}
        self._get("/api/v1/projects", "api: projects", headers=headers)
        self._get(f"/api/v1/projects/{PLAN['project_a']}/contracts", "api: project contracts", headers=headers)
