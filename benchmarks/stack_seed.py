"""The stack's seed, run once after ``flask db upgrade`` with the stack's settings (``benchmarks.stack``)::

    python -m benchmarks.stack_seed PLAN.json [--signings N] [--confirmations N]

Always, through the app's services (``tests.factories.build_world`` and the signing world of the journey tests;
``flask demo seed`` refuses production settings): two counties, two employers, project A with its enrolment QR
link, one account per role (password ``tests.factories.PASSWORD``), the platform CA and an employer signatory
allowed to seal. For the load test, also: ``--signings`` workers whose contracts are issued and sealed and whose
signing code is confirmed and notice read (the session cookie and the signing form with its CSRF token go into
the plan), ``--confirmations`` workers with a wage confirmation link each, one contract signed and completed to
B-LTA (its PDF for the verification page), an API token, a wage sheet to upload, and staff sessions of the
foreman and the inspector. The plan (JSON) says where everything is.

Hundreds of signings are prepared for a 5-minute run (``benchmarks.load_mix``), so the seed goes in bulk where
the app has a bulk path: contracts are issued and sealed in batches (the services' batch job), and the texts are
read from the outbox in one pass for all the workers, not once a worker. Each worker's code and notice still go
through the signing pages, since the signature the load makes needs that session.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

#: The User-Agent of every simulated client: staff sessions are tied to the client's address and browser.
USER_AGENT = "wage-guard-load/1"
STAFF_SESSIONS = ("foreman_a", "inspector_x")
#: Contracts issued and sealed together while preparing signings (a seal link each).
SEAL_BATCH = 20
#: Workers whose signing codes are asked for together, then read from the outbox in one pass: few enough that
#: the last is entered well within the code's five minutes.
CODE_CHUNK = 100
#: The most workers ``benchmarks.signing_request.signing_world_with_workers`` numbers apart.
MOST_WORKERS = 28_000
LINK = r"/{}/([A-Za-z0-9_-]+)"


def seed_world(app: Any, extra_workers: int) -> tuple[Any, dict[str, str]]:
    """The world and the signing world on the migrated database, plus ``extra_workers`` on project A."""
    from benchmarks.signing_request import signing_world_with_workers

    assert extra_workers < MOST_WORKERS, "the workers' ID numbers have room for this many"
    # Phones +86136…: the staff of tests.factories have +86139000000…, and codes are looked up by phone.
    return signing_world_with_workers(app, extra_workers, "+86136")  # its create_all() finds every table there


def newest_per_phone(app: Any, phones: Iterable[str], pattern: str) -> dict[str, str]:
    """The first group of ``pattern`` in the newest text matching it to each of ``phones``: one pass over the outbox."""
    from wage_guard.extensions import db
    from wage_guard.sms.models import OutboundSms

    wanted, found = set(phones), {}
    with app.app_context():
        for message in db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id.desc())):
            if message.recipient in wanted and message.recipient not in found:
                match = re.search(pattern, message.body or "")
                if match:
                    found[message.recipient] = match.group(1)
    missing = wanted - found.keys()
    assert not missing, f"no text matching {pattern!r} to {len(missing)} of the phones"
    return found


def ready_signings(app: Any, sw: Any, phones: list[str]) -> list[dict[str, Any]]:
    """Contracts issued and sealed for ``phones``; each worker's code confirmed and notice read, signing page open."""
    from benchmarks.outbox import CODE
    from benchmarks.signing_request import _seal
    from tests.journeys.conftest import SIGNATORY_PHONE, issue, link_in_sms
    from wage_guard import clock

    names = [name for name, phone in sw.people if phone in phones]
    # Batches of SEAL_BATCH, at most four: each asks the signatory for a code, and a phone gets five an hour.
    size = max(SEAL_BATCH, -(-len(names) // 4))
    for start in range(0, len(names), size):
        issue(app, sw.world, names[start : start + size], start_date=clock.china_date(clock.utcnow()))
        _seal(app, link_in_sms(app, SIGNATORY_PHONE, "/seal/"))
    tokens = newest_per_phone(app, phones, LINK.format("s"))
    ready = []
    for start in range(0, len(phones), CODE_CHUNK):
        clients = {phone: app.test_client() for phone in phones[start : start + CODE_CHUNK]}
        for phone, client in clients.items():
            assert client.post(f"/s/{tokens[phone]}/code").status_code == 302
        codes = newest_per_phone(app, clients, CODE)
        for phone, client in clients.items():
            ready.append(_signing_page_open(app, client, tokens[phone], codes[phone]))
    return ready


def _signing_page_open(app: Any, client: Any, token: str, code: str) -> dict[str, Any]:
    """Enter the worker's code, read the notice and open the signing page: what the load's signature needs."""
    from benchmarks.signing_throughput import _csrf
    from tests.journeys.conftest import default_placement

    response = client.post(f"/s/{token}/verify", data={"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.post(f"/s/{token}/notice").status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True  # the page as gunicorn serves it: with its CSRF token
    page = client.get(f"/s/{token}/sign").get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = False
    form = {key: str(value) for key, value in default_placement(page).items()} | {"csrf_token": _csrf(page)}
    cookie = client.get_cookie("session")
    assert cookie is not None
    return {"token": token, "cookie": cookie.value, "form": form}


def signed_contract(app: Any, signing: dict[str, Any], pdf_path: Path) -> str:
    """Sign one prepared contract in process, complete it to B-LTA, publish a tree head; its number."""
    from jobs.ledger import publish_tree_head
    from jobs.signing import complete_long_term
    from wage_guard import boundary, clock
    from wage_guard.contracts.models import Contract
    from wage_guard.extensions import db

    client = app.test_client()
    client.set_cookie("session", signing["cookie"])
    form = {k: v for k, v in signing["form"].items() if k != "csrf_token"}
    assert client.post(f"/s/{signing['token']}/sign", data=form).status_code == 302
    with app.app_context():
        complete_long_term(now=clock.utcnow())
        publish_tree_head(now=clock.utcnow())
        boundary.commit()
        contract = db.session.scalars(sa.select(Contract).where(Contract.worker_signed_at.is_not(None))).first()
        assert contract is not None
        pdf_path.write_bytes(contract.current_document.pdf)
        return str(contract.number)


def wage_links(app: Any, project_id: int, enrollment_ids: list[int], phones: list[str]) -> list[dict[str, str]]:
    """A payroll month for these workers, asked to confirm their line: (token, phone) of each text's link."""
    from tests.confirmations.support import Row, import_month
    from wage_guard import boundary

    with app.app_context():
        import_month(project_id, [Row(enrollment_id) for enrollment_id in enrollment_ids])
        boundary.commit()
    found = newest_per_phone(app, phones, LINK.format("w"))
    return [{"token": found[phone], "phone": phone} for phone in phones]


def staff_session(app: Any, username: str) -> str:
    """A logged-in session cookie of ``username`` for clients sending :data:`USER_AGENT` from 127.0.0.1."""
    from tests.factories import login

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    login(client, username)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def api_token(app: Any) -> str:
    from tests.api.support import issue_token

    return issue_token(app, "inspector_x", county="370322")


def wage_sheet() -> bytes:
    """A September sheet for the two workers of the journey tests (a month no confirmation link depends on)."""
    from tests.factories import id_number
    from tests.journeys.conftest import WORKERS
    from tests.payroll.files import csv_bytes, sheet, wage_line

    lines = [
        wage_line(name, number=n, id_no=id_number(first17), pay_date="2026-10-15")
        for n, (name, (first17, _)) in enumerate(WORKERS.items(), start=1)
    ]
    return csv_bytes(sheet(lines, title="高青县项目A2026年9月农民工工资表"))


def load_plan(app: Any, sw: Any, people: dict[str, str], args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Everything the load test's users need, so that no task waits on another."""
    phones = list(people.values())
    signing_phones, wage_phones = phones[: args.signings + 1], phones[args.signings + 1 :]
    signings = ready_signings(app, sw, signing_phones)
    number = signed_contract(app, signings.pop(), folder / "signed.pdf")
    wage_ids = [sw.world.enrollments[name] for name, phone in people.items() if phone in wage_phones]
    (folder / "wages.csv").write_bytes(wage_sheet())
    return {
        "signings": signings,
        "wage_links": wage_links(app, sw.world.base.project_a, wage_ids, wage_phones),
        "signed_pdf": str(folder / "signed.pdf"),
        "contract_number": number,
        "api_token": api_token(app),
        "wage_sheet": str(folder / "wages.csv"),
        "sessions": {name: staff_session(app, name) for name in STAFF_SESSIONS},
        "user_agent": USER_AGENT,
    }


class _World:
    """The signing world and the extra workers, as ``ready_signings`` looks them up."""

    def __init__(self, world: Any, people: dict[str, str]) -> None:
        self.world = world
        self.people = list(people.items())


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(description="seed the stack's database through the services")
    parser.add_argument("plan", type=Path)
    parser.add_argument("--signings", type=int, default=0)
    parser.add_argument("--confirmations", type=int, default=0)
    args = parser.parse_args(argv)
    from tests.factories import PASSWORD, STAFF
    from wage_guard import create_app

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False  # the seed posts without fetching each form first
    loading = bool(args.signings or args.confirmations)
    sw, people = seed_world(app, args.signings + 1 + args.confirmations if loading else 0)
    plan: dict[str, Any] = {"staff": list(STAFF), "password": PASSWORD, "project_a": sw.base.project_a}
    plan["enrolment_token"] = sw.base.token_a
    if loading:
        plan |= load_plan(app, _World(sw, people), people, args, args.plan.parent)
    args.plan.write_text(json.dumps(plan, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
