"""``sla-bridge serve``: run the webhook server, admin API and reconcile workers."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import click

from sla_bridge.errors import StoreError
from sla_bridge.plugin import PluginError
from sla_bridge.policy import PolicyError

from ._context import AppContext, SettingProblem, pass_app, store_problem

if TYPE_CHECKING:
    from sla_bridge.runtime import Runtime

log = logging.getLogger("sla_bridge.cli")


@click.command("serve")
@click.option("--host", default=None, metavar="ADDRESS",
              help="Address to listen on [default: SLA_BRIDGE_SERVER__HOST or 127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on, 0 for any free one [default: SLA_BRIDGE_SERVER__PORT "
                   "or 8080].")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes [default: SLA_BRIDGE_SERVER__WORKERS or 1].")
@click.option("--bare-endpoint", is_flag=True, hidden=True,
              help="Add POST /bench/bare/{platform} answering 200 at once (benchmarks).")
@pass_app
def serve_command(app: AppContext, host: str | None, port: int | None, workers: int | None,
                  bare_endpoint: bool) -> None:
    """Serve webhooks, the admin API and /healthz, /readyz, /metrics until SIGINT/SIGTERM.

    Migrates the database first unless SLA_BRIDGE_SERVER__RUN_MIGRATIONS=false.
    """
    from contextlib import ExitStack

    from sla_bridge.logs import configure_logging
    from sla_bridge.runtime import multiprocess_directory
    from sla_bridge.server import plugin_secrets

    server = app.settings.server
    host = server.host if host is None else host
    port = server.port if port is None else port
    workers = server.workers if workers is None else workers
    settings = app.settings
    configure_logging(settings, plugin_secrets(app.host, settings))
    # Before any metric exists: prometheus-client reads it when a process starts.
    metrics = ExitStack()
    try:
        folder = metrics.enter_context(multiprocess_directory(workers))
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    with metrics:
        if folder is not None:
            log.info("metrics: kept in %s (PROMETHEUS_MULTIPROC_DIR) by %s; /metrics adds "
                     "them up", folder, "the server process" if workers == 1 else
                     f"the {workers} server processes")
        _serve(app, host, port, workers, bare_endpoint)


def _serve(app: AppContext, host: str, port: int, workers: int, bare_endpoint: bool) -> None:
    from sla_bridge.runtime import Runtime
    from sla_bridge.server import BARE_ENDPOINT_ENV, FACTORY, ListenError, bind, create_app, serve
    from sla_bridge.settings import SettingsError

    settings, server = app.settings, app.settings.server
    try:
        runtime = Runtime.build(settings, app.clock, app.host)
    except StoreError as exc:
        raise store_problem(exc) from None
    except OSError as exc:  # the SQLite file's directory cannot be created
        raise click.ClickException(f"SLA_BRIDGE_DATABASE_URL: {exc}") from None
    except PolicyError as exc:
        raise SettingProblem(f"cannot start: SLA_BRIDGE_POLICIES: {exc}") from None
    except SettingsError as exc:
        raise SettingProblem(f"cannot start: {exc}") from None
    except PluginError as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    try:
        sock = bind(host, port)
    except ListenError as exc:
        runtime.close()
        raise click.ClickException(str(exc)) from None
    try:
        if server.run_migrations:
            runtime.store.upgrade()
        writable_or_warn(runtime)
    except StoreError as exc:
        sock.close()
        runtime.close()
        raise store_problem(exc, "cannot prepare the database") from None
    access_log = settings.log_level == "DEBUG"
    try:
        if workers == 1:
            started = serve(create_app(runtime, bare_endpoint=bare_endpoint), sock,
                            access_log=access_log)
        else:
            # Each worker process builds its own runtime from the environment; the
            # database was migrated here, once, so they do not race to do it.
            runtime.close()
            os.environ["SLA_BRIDGE_SERVER__RUN_MIGRATIONS"] = "false"
            if bare_endpoint:
                os.environ[BARE_ENDPOINT_ENV] = "1"
            started = serve(FACTORY, sock, workers=workers, access_log=access_log)
    finally:
        sock.close()
        runtime.close()
    if not started:
        raise click.ClickException("the server did not start; see the log above")


def writable_or_warn(runtime: Runtime) -> None:
    """Refuse to serve on a database that cannot be written (every webhook would get 503):
    raise :class:`StoreNotWritable` for a read-only file, folder or server. A full disk is
    only logged: the bridge starts, /readyz says why it is not ready, and it resumes by
    itself once there is space. Not checked while the schema is behind (/readyz says so)."""
    from sla_bridge.errors import StoreNotWritable

    if not runtime.store.schema_is_current():
        return
    try:
        runtime.store.heartbeat()
    except StoreNotWritable as exc:
        if exc.setting_problem:
            raise
        log.warning("the database cannot be written now: %s", exc)
