"""The stack for the deployment tests, and a browser-like HTTP client that says what went wrong.

The stack (``benchmarks.stack``) needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and gunicorn:
without them the tests are skipped with a loud reason, and under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
import requests

from benchmarks.outbox import CODE, csrf, said
from benchmarks.stack import ROOT, Stack, StackUnavailable, running_stack

USER_AGENT = "wage-guard-smoke/1"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"DEPLOYMENT STACK TEST CANNOT RUN UNDER CI=true: {reason}", pytrace=False)
    pytest.skip(f"DEPLOYMENT STACK TEST SKIPPED: {reason}")


def stack_or_skip(**options: Any) -> Iterator[Stack]:
    """Run the stack for a module's tests; skip (fail under CI) when a component is missing."""
    try:
        with running_stack(**options) as stack:
            yield stack
    except StackUnavailable as missing:
        unavailable(str(missing))


def outbox(stack: Stack, phone: str, pattern: str = CODE, *, secret: bool = True) -> str:
    """The newest text to ``phone`` matching ``pattern``, read from the database in a process of its own."""
    command = [sys.executable, "-m", "benchmarks.outbox", phone, pattern, *([] if secret else ["--not-secret"])]
    done = subprocess.run(command, cwd=ROOT, env=stack.environment(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Browser(requests.Session):
    """One person's browser: cookies kept, redirects not followed, every status checked."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.headers["User-Agent"] = USER_AGENT

    def page(self, path: str, status: int = 200) -> str:
        response = self.get(self.base_url + path, allow_redirects=False, timeout=120)
        assert response.status_code == status, f"GET {path}: {response.status_code} {said(response.text)}"
        return response.text

    def submit(self, path: str, data: dict[str, Any], status: int = 302, **kwargs: Any) -> requests.Response:
        """POST the form with the CSRF token of the page at ``path`` (or of ``form_page``)."""
        form_page = kwargs.pop("form_page", path)
        data = {**data, "csrf_token": csrf(self.page(form_page))}
        response = self.post(self.base_url + path, data=data, allow_redirects=False, timeout=120, **kwargs)
        assert response.status_code == status, f"POST {path}: {response.status_code} {said(response.text)}"
        return response
