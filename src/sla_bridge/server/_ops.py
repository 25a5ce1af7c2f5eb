"""Operations endpoints: ``/healthz`` (alive), ``/readyz`` (can take traffic), ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from sla_bridge.runtime import Runtime
from sla_bridge.store import Backlog, StoreError

from ._models import Health, Readiness

log = logging.getLogger("sla_bridge.server")


# The hook a platform plugin implements (its version goes into sla_bridge_build_info).
PLATFORM_HOOK = "sla_bridge_register_platforms"
# /readyz answers within this, whatever the database does (a silent partition included).
READY_WITHIN = 1.0


async def _within(seconds: float, check: Callable[[Runtime], dict[str, str]],
                  runtime: Runtime) -> dict[str, str]:
    """Run the blocking ``check`` in a thread; past ``seconds`` the database "does not
    answer" (the thread is left to finish on its own)."""
    with anyio.move_on_after(seconds):
        return await anyio.to_thread.run_sync(check, runtime, abandon_on_cancel=True)
    return {"database": f"no answer within {seconds:g} s"}


def operations_router(runtime: Runtime) -> APIRouter:
    """Return the health, readiness and metrics routes."""
    router = APIRouter(tags=["operations"])
    store = runtime.store
    metrics = runtime.metrics

    @router.get("/healthz", response_model=Health, summary="The process is alive")
    async def healthz() -> Health:
        """Answer 200 while the process runs; checks nothing else."""
        return Health()

    @router.get("/readyz", response_model=Readiness, summary="The bridge can take traffic",
                responses={503: {"model": Readiness, "description": "A check failed"}})
    async def readyz() -> Response:
        """200 when the database answers, its schema is at the newest migration, it takes a
        write (a heartbeat row, committed), a platform plugin is loaded and the background
        workers (timers, reconciliation) are not failing; otherwise 503 naming the check
        that failed. ``mode`` says, per platform, whether the bridge writes (enforce) or
        only records what it would write (observe)."""
        checks = await _within(READY_WITHIN, _database_checks, runtime)
        names = sorted(runtime.platforms)
        checks["plugins"] = f"ok ({', '.join(names)})" if names else \
            "no platform plugin is loaded: webhooks would all get 404"
        checks.update(runtime.health.checks())  # the background workers, when they run
        checks["mode"] = _modes(runtime)
        ready = all(value.startswith("ok") for value in checks.values())
        if not ready:
            log.info("not ready: %s", "; ".join(f"{k}: {v}" for k, v in checks.items()
                                                 if not v.startswith("ok")))
        body = Readiness(status="ready" if ready else "unavailable", checks=checks)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    metrics.set_build_info({info.name: info.version for info in runtime.host.plugins()
                            if not info.builtin and PLATFORM_HOOK in info.hooks})

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response,
                responses={200: {"content": {CONTENT_TYPE_LATEST: {}},
                                 "description": "Metrics in the Prometheus text format"}})
    async def metrics_endpoint() -> Response:
        """Return every metric (of every server process under ``--workers N``); the inbox,
        timer and dead-letter gauges are read from the database first (left as they were
        when it does not answer within a second)."""
        backlog = None
        try:
            with anyio.move_on_after(READY_WITHIN):
                backlog = await anyio.to_thread.run_sync(store.backlog, abandon_on_cancel=True)
        except (StoreError, SQLAlchemyError) as exc:
            log.warning("metrics: the database gauges are not refreshed: %s", exc)
        else:
            if backlog is None:
                log.warning("metrics: the database gauges are not refreshed: no answer "
                            "within %g s", READY_WITHIN)
        if backlog is not None:
            _refresh(runtime, backlog)
        # Under --workers N this reads every process's files: off the event loop.
        page = await anyio.to_thread.run_sync(metrics.exposition)
        return Response(page, media_type=CONTENT_TYPE_LATEST)

    return router


def _refresh(runtime: Runtime, backlog: Backlog) -> None:
    """Set the gauges read from the database."""
    metrics = runtime.metrics
    metrics.inbox_depth.set(backlog.inbox_depth)
    oldest = backlog.inbox_oldest
    age = (runtime.clock.now() - oldest).total_seconds() if oldest else 0.0
    metrics.inbox_oldest_age.set(max(age, 0.0))
    metrics.timers_pending.set(backlog.timers_scheduled)
    metrics.dead_letters_open.set(backlog.dead_letters_open)


def _modes(runtime: Runtime) -> str:
    """``ok (enforce)``, or per platform when they differ: ``ok (observe: zendesk;
    enforce: jira)``; a mode is never a reason to be unready."""
    settings = runtime.settings
    by_mode: dict[str, list[str]] = {}
    for name in sorted(runtime.platforms):
        by_mode.setdefault(settings.mode_for(name), []).append(name)
    if not by_mode:
        return f"ok ({settings.mode})"
    if len(by_mode) == 1:
        return f"ok ({next(iter(by_mode))})"
    return "ok (" + "; ".join(f"{mode}: {', '.join(names)}"
                              for mode, names in sorted(by_mode.items(), reverse=True)) + ")"


def _database_checks(runtime: Runtime) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        runtime.store.ping()
    except (StoreError, SQLAlchemyError) as exc:
        checks["database"] = f"unavailable: {_first_line(exc)}"
        checks["migrations"] = "not checked: the database does not answer"
        checks["writes"] = "not checked: the database does not answer"
        return checks
    checks["database"] = "ok"
    try:
        current = runtime.store.schema_is_current()
    except (StoreError, SQLAlchemyError) as exc:
        checks["migrations"] = f"cannot be read: {_first_line(exc)}"
        checks["writes"] = "not checked: the schema cannot be read"
        return checks
    if not current:
        checks["migrations"] = \
            "the schema is not at the newest migration: run `sla-bridge db upgrade`"
        checks["writes"] = "not checked: the schema is not current"
        return checks
    checks["migrations"] = "ok"
    try:
        runtime.store.heartbeat(timeout=READY_WITHIN * 0.75)  # so the check says why
    except (StoreError, SQLAlchemyError) as exc:
        checks["writes"] = f"failing: {_first_line(exc)}"
        return checks
    checks["writes"] = "ok"
    return checks


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
