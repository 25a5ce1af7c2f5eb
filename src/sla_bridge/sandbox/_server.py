"""An ASGI application served by a real uvicorn in a daemon thread.

The sandboxes serve this way, and so can anything a test wants on loopback (the bridge's own
app included: pass the :class:`uvicorn.Config` it runs with).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn

from sla_bridge._net import bind_socket

from ._faults import DroppedConnection


class _QuietDrops(logging.Filter):
    """Keeps uvicorn from logging the connections a sandbox drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _quiet_dropped_connections() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def quiet_config(app: Any, **options: Any) -> uvicorn.Config:
    """The configuration sandboxes run with: warnings only, no access log, no lifespan,
    a short graceful shutdown; ``options`` are more :class:`uvicorn.Config` arguments (e.g.
    ``ssl_certfile`` and ``ssl_keyfile`` for a sandbox that serves HTTPS)."""
    return uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                          timeout_graceful_shutdown=2, **options)


class ThreadedServer:
    """Serves ``app`` on ``host:port`` in a daemon thread until :meth:`stop`.

    ``app`` is an ASGI application (served with :func:`quiet_config`) or a ready
    :class:`uvicorn.Config` (its host and port are ignored: the server listens on the socket
    it binds). Connections a sandbox drops on purpose are not logged.
    """

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0,
                 name: str = "sla-bridge-server", start_timeout: float = 10.0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.name = name
        self.start_timeout = start_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """Where it serves, e.g. ``http://127.0.0.1:8765`` (the port is known once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server has started and not been stopped."""
        return self._server is not None and self._server.started

    def start(self) -> str:
        """Bind, serve in a thread and wait until uvicorn has started; return :attr:`url`.

        Raises :class:`RuntimeError` (with the cause, e.g. a failed lifespan startup) when the
        server does not start within ``start_timeout`` seconds, :class:`OSError` when the
        address cannot be bound.
        """
        if self._server is not None:
            return self.url
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = self.app if isinstance(self.app, uvicorn.Config) else quiet_config(self.app)
        server = uvicorn.Server(config)
        _quiet_dropped_connections()
        self._error = None
        thread = threading.Thread(target=self._run, args=(server, sock), name=self.name,
                                  daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                self.stop()
                raise RuntimeError(f"{self.name} did not start: {self._error!r}")
            time.sleep(0.01)
        return self.url

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit from a failed lifespan startup, too
            self._error = exc
        finally:
            sock.close()

    def begin_stop(self) -> None:
        """Tell the server to stop, without waiting for it (see :meth:`stop`)."""
        if self._server is not None:
            self._server.should_exit = True

    def stop(self, timeout: float = 10.0) -> None:
        """Shut down gracefully (lifespan shutdown included) and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
