"""The web application: webhooks, admin API and operations endpoints over one runtime."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.engine import make_url

from sla_bridge._version import __version__
from sla_bridge.clock import SystemClock
from sla_bridge.logs import configure_logging, secret_values
from sla_bridge.masking import mask_url
from sla_bridge.plugin import PluginHost
from sla_bridge.runtime import Runtime
from sla_bridge.settings import Settings, load_settings
from sla_bridge.worker import WorkerPool

from ._admin import admin_router
from ._docs import add_docs
from ._errors import install_error_handlers
from ._ingest import Ingestor
from ._ops import operations_router
from ._ui import ui_app
from ._webhooks import WebhookEndpoint, WebhookFastPath, webhook_router

log = logging.getLogger("sla_bridge.server")

# Set by ``sla-bridge serve --bare-endpoint`` for the worker processes it spawns.
BARE_ENDPOINT_ENV = "SLA_BRIDGE_BENCH_BARE_ENDPOINT"
# Bare endpoints for the ingest benchmark: the webhook fast path's dispatch, and a FastAPI
# route, each reading the body and answering 200 without doing anything else.
BARE_PREFIX = "/bench/bare/"
BARE_FASTAPI_PATH = "/bench/fastapi/{platform}"


def create_app(runtime: Runtime, *, run_workers: bool = True,
               bare_endpoint: bool = False) -> FastAPI:
    """Return the bridge's ASGI application over ``runtime``.

    At start-up it migrates the database (unless ``SLA_BRIDGE_SERVER__RUN_MIGRATIONS`` is
    false), warns when the admin API is disabled, and starts the reconcile workers when
    ``run_workers``; at shutdown it lets them finish. ``bare_endpoint`` adds
    ``POST /bench/bare/{platform}`` (dispatched like webhooks) and
    ``POST /bench/fastapi/{platform}`` (a FastAPI route), which read the body and answer
    200 without doing anything: the floors the ingest benchmark compares against.
    """
    ingestor = Ingestor(runtime.store, runtime.metrics,
                        timeout=runtime.settings.server.store_timeout_seconds)
    endpoint = WebhookEndpoint(runtime, ingestor)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Migrate, start the inbox writer and the workers; at shutdown, stop them."""
        settings = runtime.settings
        if settings.server.run_migrations:
            await anyio.to_thread.run_sync(runtime.store.upgrade)
        if settings.admin_token is None or not settings.admin_token.get_secret_value():
            log.warning("SLA_BRIDGE_ADMIN_TOKEN is not set: the admin API (/v1/...) is disabled")
        ingestor.start()
        pool = WorkerPool(runtime) if run_workers else None
        if pool is not None:
            pool.start()
            # Newly accepted events wake idle workers at once instead of at their next poll.
            ingestor.on_new = pool.notify
        log.info("sla-bridge %s ready: platforms %s; database %s", __version__,
                 platforms_and_modes(runtime), database_location(runtime.store.url))
        try:
            yield
        finally:
            # uvicorn has finished the in-flight requests: nothing more will be queued.
            await anyio.to_thread.run_sync(ingestor.stop)
            if pool is not None:
                await anyio.to_thread.run_sync(pool.stop)
            log.info("sla-bridge stopped")

    app = FastAPI(
        title="sla-bridge",
        version=__version__,
        summary="Enforces a vendor's support policy on helpdesk tickets.",
        description="Helpdesks post webhooks to `/webhooks/{platform}`; admins ask "
                    "`/v1/...` with `Authorization: Bearer $SLA_BRIDGE_ADMIN_TOKEN`.",
        lifespan=lifespan,
        docs_url=None,  # served offline by add_docs
        redoc_url=None,
    )
    add_docs(app)
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(webhook_router(endpoint))
    app.include_router(admin_router(runtime))
    app.include_router(operations_router(runtime))
    app.mount("/ui", ui_app(runtime), name="ui")
    if bare_endpoint:
        _add_bare_endpoint(app)
    # Outermost of the middlewares: webhooks are answered before FastAPI's routing.
    app.add_middleware(WebhookFastPath, endpoint=endpoint,
                       bare_prefix=BARE_PREFIX if bare_endpoint else None)
    return app


def platforms_and_modes(runtime: Runtime) -> str:
    """``jira (enforce), zendesk (observe)``: each loaded platform with its mode, or
    ``none (mode enforce)`` when no platform plugin is loaded."""
    settings = runtime.settings
    names = sorted(runtime.platforms)
    if not names:
        return f"none (mode {settings.mode})"
    return ", ".join(f"{name} ({settings.mode_for(name)})" for name in names)


def database_location(url: str) -> str:
    """Where the state database is, for the start-up line: ``SQLite file /abs/path`` (a
    relative path resolved against the working directory, as SQLite opens it), ``SQLite in
    memory``, or the server's URL with its password masked."""
    parsed = make_url(url)  # the store opened it: it parses
    if parsed.get_backend_name() == "postgresql":
        return f"PostgreSQL {mask_url(url)}"
    if parsed.get_backend_name() != "sqlite":
        return mask_url(url)
    if not parsed.database or parsed.database == ":memory:":
        return "SQLite in memory"
    return f"SQLite file {Path(parsed.database).expanduser().resolve()}"


def _add_bare_endpoint(app: FastAPI) -> None:
    @app.post(BARE_FASTAPI_PATH, include_in_schema=False)
    async def bare(platform: str, request: Request) -> Response:
        """Read the body and answer 200: what the framework costs on its own."""
        await request.body()
        return Response(b'{"status":"accepted"}', media_type="application/json")


def app_from_environment() -> FastAPI:
    """Build the app from the environment (settings, plugins, system clock).

    The factory each ``sla-bridge serve --workers N`` process calls
    (``sla_bridge.server:app_from_environment``).
    """
    settings = load_settings()
    host = PluginHost.from_settings(settings)
    configure_logging(settings, plugin_secrets(host, settings))
    runtime = Runtime.build(settings, SystemClock(), host)
    app = create_app(runtime, bare_endpoint=os.environ.get(BARE_ENDPOINT_ENV) == "1")
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Exclude everything built so far (modules, plugins, policies, the app) from the
    garbage collector's full collections.

    A full collection over the ~150,000 objects of a started bridge holds the GIL for
    80-100 ms, a stall every request in flight would wait for; frozen, it takes ~1 ms.
    Call once per server process, after the app is built.
    """
    gc.collect()
    gc.freeze()


def plugin_secrets(host: PluginHost, settings: Settings) -> list[str]:
    """Return the secret values in the plugins' settings sections (read from where
    ``settings`` were), to keep out of logs."""
    found: list[str] = []
    for section, settings_class in host.settings_sections().items():
        try:
            found.extend(secret_values(settings.section(settings_class)))
        except Exception:  # a bad section is reported by whoever uses it, not here
            log.debug("settings section %s could not be read for masking", section)
    return found
