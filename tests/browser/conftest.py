"""Browser fixtures: the session app served over real HTTP, and Debian chromium driven by Playwright.

Without chromium (or the ``playwright`` package) the browser tests are skipped with a loud reason; under
``CI=true`` they fail instead, so a CI machine that lost its browser cannot go green by skipping.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Screenshots of each step land here (relative to the repository root, whatever the working directory).
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"


def _browser_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"BROWSER TESTS CANNOT RUN UNDER CI=true: {reason}", pytrace=False)
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the session app on 127.0.0.1 (a free port) in a background thread; yields the base URL.

    The clock stays frozen at ``tests.conftest.START`` (set by the autouse fixture): codes live 5 minutes of
    *clock* time, so a frozen clock cannot make a slow browser run expire them.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Debian chromium per test module (each test opens its own contexts).

    Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it is
    open, and pyHanko (signing in the same process) needs to start its own with asyncio.run().
    """
    if importlib.util.find_spec("playwright") is None:
        _browser_unavailable("the 'playwright' Python package is not installed; pip install -r requirements-dev.txt")
    if not CHROMIUM.exists():
        _browser_unavailable(f"Debian chromium not found at {CHROMIUM}; apt-get install chromium")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        except Error as error:
            _browser_unavailable(f"chromium at {CHROMIUM} did not start: {error.message.splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts() -> Path:
    """The screenshot directory, created on demand."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
