"""The interactive API docs, offline: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

FastAPI's own pages load Swagger UI and ReDoc from a CDN; these load them from the bridge,
out of the files the fastapi-offline package ships (FastAPI's "self-hosting JavaScript and
CSS for docs" recipe), so the docs work on a network that reaches nothing else. A Content
Security Policy keeps the pages from asking any other host: ReDoc would otherwise fetch
its logo from Redocly's CDN.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
_PACKAGE = ("fastapi_offline", "static")
# Inline scripts and styles: Swagger UI's start-up script, both renderers' styles; blob:
# workers: ReDoc's search index.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def add_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` for ``app`` (created with ``docs_url=None,
    redoc_url=None``), their files under :data:`ASSETS`."""
    app.mount(ASSETS, StaticFiles(packages=[_PACKAGE]), name="docs-assets")
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        """Swagger UI over the bridge's OpenAPI document."""
        root = request.scope.get("root_path", "")
        return _offline(get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            # No validator badge: Swagger UI would send the document's URL to swagger.io.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        ))

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        """ReDoc over the bridge's OpenAPI document."""
        root = request.scope.get("root_path", "")
        return _offline(get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png", with_google_fonts=False,
        ))


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page
