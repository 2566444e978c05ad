"""The API's interactive documentation in a real browser: Swagger UI, served by the app itself, renders the
OpenAPI document under the app's Content-Security-Policy (no inline script, no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_document_without_a_cdn(live_server: str, browser: Browser, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(live_server) else None)
    page.goto(live_server + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "wage_guard API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector('[data-path="/api/v1/findings/{finding_id}/actions"]')
    page.screenshot(path=str(artifacts / "api-docs.png"), full_page=False)
    context.close()
    assert not outside, f"requests outside the app: {outside}"
    assert not [p for p in problems if "Content Security Policy" in p], problems
