"""Running the app under uvicorn: one process, or several sharing one listening socket."""

from __future__ import annotations

import errno
import inspect
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from sla_bridge._net import bind_socket
from sla_bridge.runtime import Runtime, forget_process
from sla_bridge.settings import ServerSettings, load_settings

from ._app import freeze_startup_objects
from ._connections import BridgeConfig, ConnectionLimits

log = logging.getLogger("sla_bridge.server")

FACTORY = "sla_bridge.server:app_from_environment"
# Files a server process keeps open besides its clients' sockets: the listening socket,
# the database, logs, the event loop's own.
_OWN_FILES = 64


class ListenError(Exception):
    """The address cannot be listened on; the message says why in words."""


def bind(host: str, port: int) -> socket.socket:
    """Open the listening socket (port 0 picks a free one); :class:`ListenError` if taken."""
    try:
        sock = bind_socket(host, port)
    except OSError as exc:  # socket.gaierror (an unknown host name) included
        why = {errno.EADDRINUSE: "the port is already in use by another process",
               errno.EACCES: "permission denied (ports below 1024 need privileges)",
               errno.EADDRNOTAVAIL: "this machine has no such address"}.get(
            exc.errno or 0, exc.strerror or str(exc))
        raise ListenError(f"cannot listen on {host}:{port}: {why}; choose another with "
                          "--host/--port or SLA_BRIDGE_SERVER__HOST/PORT") from None
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: FastAPI | str, *, host: str, port: int, workers: int = 1,
                   access_log: bool = False, server: ServerSettings | None = None,
                   ) -> uvicorn.Config:
    """Return the uvicorn configuration the bridge runs with (logging left to
    :func:`sla_bridge.logs.configure_logging`, no websockets, graceful shutdown) and the
    bounds of ``server`` (by default the app's runtime settings, or for the factory's import
    string the environment's): header and body read deadlines, header size, keep-alive,
    concurrency (docs/security.md)."""
    if server is None:
        server = _server_settings(app)
    return BridgeConfig(
        app, limits=ConnectionLimits.from_settings(server), host=host, port=port,
        workers=workers, factory=isinstance(app, str), log_config=None,
        access_log=access_log, ws="none", lifespan="on", server_header=False,
        timeout_graceful_shutdown=30, timeout_keep_alive=server.keep_alive_seconds,
        limit_concurrency=server.max_connections,
        h11_max_incomplete_event_size=server.max_header_bytes,
    )


def _server_settings(app: FastAPI | str) -> ServerSettings:
    if isinstance(app, str):  # each worker process reads the same environment
        return load_settings().server
    runtime = getattr(app.state, "runtime", None)
    return runtime.settings.server if isinstance(runtime, Runtime) else ServerSettings()


def raise_open_file_limit(max_connections: int) -> None:
    """Raise this process's soft open-file limit (inherited by worker processes) to fit
    ``max_connections`` sockets and the bridge's own files, as far as the hard limit allows;
    warn when it cannot (connections past the limit would fail to be accepted)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    wanted = max_connections + _OWN_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if new > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        except (ValueError, OSError):
            new = soft
    if new < wanted:
        log.warning("the open-file limit is %d, below SLA_BRIDGE_SERVER__MAX_CONNECTIONS=%d "
                    "plus %d for the bridge's own files: raise it (ulimit -n, LimitNOFILE= in "
                    "a systemd unit) or lower MAX_CONNECTIONS", new, max_connections,
                    _OWN_FILES)


class Supervisor(Multiprocess):
    """uvicorn's supervisor of the worker processes, which also tells prometheus-client
    when one has ended (replaced after a crash, retired by SIGHUP or SIGTTOU, or at
    shutdown), as its multiprocess mode asks (``mark_process_dead``)."""

    def keep_subprocess_alive(self) -> None:
        """Replace the dead workers (uvicorn), then forget them."""
        with self._forgetting():
            super().keep_subprocess_alive()

    def restart_all(self) -> None:
        """Replace every worker (SIGHUP), then forget the old ones."""
        with self._forgetting():
            super().restart_all()

    def handle_ttou(self) -> None:
        """Retire one worker (SIGTTOU), then forget it."""
        with self._forgetting():
            super().handle_ttou()

    def join_all(self) -> None:
        """Wait for every worker to end (shutdown), then forget them."""
        super().join_all()
        for process in self.processes:
            if process.pid is not None:
                forget_process(process.pid)

    @contextmanager
    def _forgetting(self) -> Iterator[None]:
        before = {p.pid for p in self.processes}
        try:
            yield
        finally:
            for pid in before - {p.pid for p in self.processes}:
                if pid is not None:
                    forget_process(pid)


def serve(app: FastAPI | str, sock: socket.socket, *, workers: int = 1,
          access_log: bool = False) -> bool:
    """Serve on ``sock`` until SIGINT/SIGTERM; returns whether the server started.

    ``app`` is the application for one process, or the factory's import string
    (:data:`FACTORY`) for ``workers`` > 1, each worker process building its own.
    """
    host, port = sock.getsockname()[:2]
    config = uvicorn_config(app, host=host, port=port, workers=workers, access_log=access_log)
    raise_open_file_limit(config.limit_concurrency or 0)
    log.info("listening on http://%s:%d (%d worker process%s, pid %d)",
             f"[{host}]" if ":" in host else host, port, workers,
             "" if workers == 1 else "es", os.getpid())
    if workers > 1:
        if "target" in inspect.signature(Multiprocess).parameters:  # older uvicorn releases
            Supervisor(config, target=uvicorn.Server(config).run,  # type: ignore[call-arg]
                       sockets=[sock]).run()
        else:
            Supervisor(config, sockets=[sock]).run()
        return True
    freeze_startup_objects()
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return server.started
