"""The interactive API docs work offline: /docs (Swagger UI) and /redoc (ReDoc) load their
scripts and styles from the bridge itself (the fastapi-offline package's files), never from
a CDN, and render the operations in a real Chromium that can reach no other host."""

from __future__ import annotations

import os
import re
import shutil
from typing import Any

import pytest
from server_helpers import StartBridge

# What each asset must be served as.
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
                 ".json": "application/json"}


def _references(html: str) -> list[str]:
    """Every URL the page loads: src/href attributes, ReDoc's spec-url, Swagger UI's url."""
    found = re.findall(r'(?:src|href|spec-url)="([^"]+)"', html)
    found += re.findall(r"\burl: '([^']+)'", html)
    return found


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_everything_from_the_bridge(start_bridge: StartBridge,
                                                        page: str) -> None:
    bridge = start_bridge()
    response = bridge.client.get(page)
    assert response.status_code == 200
    # The browser is told to load nothing from elsewhere (ReDoc would fetch its logo).
    assert response.headers["content-security-policy"].startswith("default-src 'self';")
    html = response.text
    assert "cdn" not in html.lower()
    assert not re.search(r"https?://", html), "the page names another host"
    references = _references(html)
    assert "/openapi.json" in references
    assert len(references) >= 3  # the script, the favicon, the document (+ Swagger's css)
    for url in references:
        assert re.match(r"/[^/]", url), f"{url} is not a path on the bridge"
        asset = bridge.client.get(url)
        assert asset.status_code == 200, url
        suffix = os.path.splitext(url)[1]
        assert asset.headers["content-type"].startswith(CONTENT_TYPES[suffix]), url
        assert asset.content


def test_swagger_ui_sends_the_document_to_no_validator(start_bridge: StartBridge) -> None:
    html = start_bridge().client.get("/docs").text
    assert '"validatorUrl": null' in html  # else Swagger UI shows swagger.io's badge


# Read at import: the tests' clean environment drops every SLA_BRIDGE_* variable.
CHROMIUM = (os.environ.get("SLA_BRIDGE_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


@pytest.mark.parametrize(("page", "shown"), [
    ("/docs", ".opblock-summary-path"),
    ("/redoc", "[data-section-id^='tag/operations']"),
])
def test_the_docs_render_in_a_browser_with_no_network(start_bridge: StartBridge, page: str,
                                                      shown: str) -> None:
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
    executable = CHROMIUM
    if executable is None:
        reason = "no chromium binary: apt-get install -y chromium, or set SLA_BRIDGE_CHROMIUM"
        if os.environ.get("CI") == "true":  # .ci/run installs it: missing there is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    bridge = start_bridge()
    elsewhere: list[str] = []

    def only_the_bridge(route: Any) -> None:
        if route.request.url.startswith(bridge.url):
            route.continue_()
        else:  # offline: nothing else answers
            elsewhere.append(route.request.url)
            route.abort()

    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, headless=True,
                                         args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.route("**/*", only_the_bridge)
            tab.goto(f"{bridge.url}{page}")
            tab.wait_for_selector(shown, timeout=20_000)
            text = tab.inner_text("body")
        finally:
            browser.close()
    assert elsewhere == [], "the docs asked another host"
    for operation in ("/webhooks/{platform}", "/v1/tickets/{platform}/{ticket_id}", "/readyz"):
        assert operation in text, f"{page} does not show {operation}"
