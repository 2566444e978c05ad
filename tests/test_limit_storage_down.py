"""The shared limit storage (Redis) is down (issue #14 part 4): code and login limits fail closed with a clear
message, public pages keep working, and ``ledger verify`` passes afterwards on the log that held a step before.
Run in a spawned process: the limiter is one object per process, and this one points at a Redis that is not
there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import conftest
from tests.ledger.checks import ledger_verifies
from wage_guard import create_app

SCRIPT = """
import json, sys
from tests import conftest
from wage_guard import boundary, clock, create_app
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
config = conftest.test_config(sys.argv[1])
config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", WTF_CSRF_ENABLED=False)
app = create_app(config)
with app.app_context():
    db.create_all()
    ledger.append("test_step", "subject:before", {"n": 0}, now=clock.utcnow())  # in the log before the refusals
    boundary.commit()
client = app.test_client()
answers = {}
for method, path, data in [
    ("POST", "/login?lang=en", {"username": "x", "password": "y"}),
    ("POST", "/me/?lang=en", {"phone": "13800000000"}),
    ("GET", "/verify/?lang=en", None),
    ("POST", "/verify/?lang=en", {}),
    ("GET", "/log/public-key", None),
    ("GET", "/api/v1/openapi.json", None),
    ("GET", "/login", None),
]:
    response = client.open(path, method=method, data=data)
    answers[f"{method} {path}"] = [response.status_code, response.get_data(as_text=True)[-4000:]]
print(json.dumps(answers))
"""


def test_codes_and_logins_fail_closed_and_public_pages_keep_working(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, timeout=120, cwd=Path(conftest.__file__).parents[1]
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.splitlines()[-1])
    for closed in ("POST /login?lang=en", "POST /me/?lang=en"):
        status, body = answers[closed]
        assert status == 503, (closed, status)
        assert "Codes and logins are paused" in body
    for open_page in (
        "GET /verify/?lang=en",
        "POST /verify/?lang=en",
        "GET /log/public-key",
        "GET /api/v1/openapi.json",
        "GET /login",
    ):
        status, body = answers[open_page]
        assert status < 500, (open_page, status, body[-500:])
    assert ledger_verifies(create_app(conftest.test_config(url))) > 0
