"""Connection guards uvicorn lacks: header and body read deadlines, a header size limit.

uvicorn's httptools protocol waits for a request's headers and body for as long as the
client takes, and buffers headers of any size. :class:`GuardedHttpToolsProtocol` adds, per
connection:

- a header deadline: the request line and headers must have arrived within
  ``header_timeout`` seconds of the connection opening (of the request's first byte on a
  kept-alive connection), else ``408`` and the connection is closed;
- a body deadline: the body must have arrived within ``body_timeout`` seconds of the
  headers, else ``408`` (just closed if the response has started);
- a header size limit: a request line and headers over ``max_header_bytes`` are answered
  ``431`` and the connection closed, checked as the bytes arrive, so an unfinished header
  is never buffered much past the limit;
- a retryable refusal past ``limit_concurrency``: uvicorn answers those requests a bare
  ``503``, which Zendesk does not retry (it retries a 503 only with a ``Retry-After`` under a
  minute); the guarded protocol answers them ``503 busy`` with ``Retry-After``.

uvicorn's own knobs do the rest (``limit_concurrency``, ``timeout_keep_alive``), set by
:func:`sla_bridge.server.uvicorn_config` through :class:`BridgeConfig`.

No timer is armed per request (arming and cancelling one costs microseconds, and it would be
twice a request): each connection notes when its current wait began, and one sweep per
server, every :data:`SWEEP_SECONDS` while it has connections, refuses those past their
deadline. A deadline is therefore kept to within that interval.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from sla_bridge.server._errors import RETRY_AFTER_SECONDS
from sla_bridge.settings import ServerSettings

log = logging.getLogger("sla_bridge.server")

SWEEP_SECONDS = 0.25
# What a connection is waiting for: the first request, a request's headers, its body.
_FIRST, _HEAD, _BODY = 1, 2, 3

# What the guards override or call: checked once at import, so that a uvicorn release that
# renames them fails loudly at start-up instead of serving without guards.
_HOOKS = ("connection_made", "connection_lost", "data_received", "send_400_response",
          "on_message_begin", "on_headers_complete", "on_message_complete",
          "on_response_complete", "_start_asgi_task")
_missing = [name for name in _HOOKS if not callable(getattr(HttpToolsProtocol, name, None))]
if _missing:  # pragma: no cover - depends on the installed uvicorn
    raise ImportError(f"uvicorn {uvicorn.__version__}'s HttpToolsProtocol has no "
                      f"{', '.join(_missing)}: sla-bridge's connection guards need updating; "
                      "install the uvicorn release the bridge was tested with")


@dataclass(frozen=True)
class ConnectionLimits:
    """The per-connection bounds :class:`GuardedHttpToolsProtocol` enforces."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_header_bytes: int = 32 * 1024

    @classmethod
    def from_settings(cls, server: ServerSettings) -> ConnectionLimits:
        """The limits of the ``server.*`` settings."""
        return cls(header_timeout=server.header_timeout_seconds,
                   body_timeout=server.body_timeout_seconds,
                   max_header_bytes=server.max_header_bytes)


class BridgeConfig(uvicorn.Config):
    """uvicorn's configuration serving :class:`GuardedHttpToolsProtocol` with ``limits``
    (a plain attribute, so the configuration still pickles for worker processes)."""

    def __init__(self, app: Any, *, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(app, http=GuardedHttpToolsProtocol, **kwargs)
        self.limits = limits


_OVER_CAPACITY_BODY = (b'{"error":"busy","message":"the bridge is at its connection limit; '
                       b'retry after ' + str(RETRY_AFTER_SECONDS).encode() + b' s"}')


async def _over_capacity(scope: Scope, receive: ASGIReceiveCallable,
                         send: ASGISendCallable) -> None:
    """What a request past ``limit_concurrency`` gets instead of uvicorn's bare 503: a
    ``503 busy`` with ``Retry-After``, so a sender that retries only on that (Zendesk)
    delivers the webhook again once connections are free."""
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_OVER_CAPACITY_BODY)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": _OVER_CAPACITY_BODY, "more_body": False})


class _HeadersTooLarge(Exception):
    """Raised in a parser callback to stop parsing a request whose headers are too large."""


class _Sweeper:
    """Checks the deadlines of one server's guarded connections, every
    :data:`SWEEP_SECONDS` while it has any (on their event loop)."""

    def __init__(self) -> None:
        self.connections: set[GuardedHttpToolsProtocol] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    def add(self, connection: GuardedHttpToolsProtocol) -> None:
        """Watch ``connection`` until :meth:`discard`."""
        self.connections.add(connection)
        if self._timer is None or self._loop is not connection.loop:
            self._loop = connection.loop
            self._timer = self._loop.call_later(SWEEP_SECONDS, self._sweep)

    def discard(self, connection: GuardedHttpToolsProtocol) -> None:
        """Stop watching ``connection``."""
        self.connections.discard(connection)

    def _sweep(self) -> None:
        now = time.monotonic()
        for connection in list(self.connections):
            connection.check_deadline(now)
        self._timer = (self._loop.call_later(SWEEP_SECONDS, self._sweep)
                       if self.connections and self._loop is not None else None)


# One sweeper per uvicorn server (its connections share the server's state and loop).
_SWEEPERS: weakref.WeakKeyDictionary[ServerState, _Sweeper] = weakref.WeakKeyDictionary()


def _sweeper(server_state: ServerState) -> _Sweeper:
    sweeper = _SWEEPERS.get(server_state)
    if sweeper is None:
        sweeper = _SWEEPERS[server_state] = _Sweeper()
    return sweeper


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with read deadlines and a header size limit."""

    def __init__(self, config: uvicorn.Config, server_state: ServerState,
                 app_state: dict[str, Any], _loop: asyncio.AbstractEventLoop | None = None,
                 ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = getattr(config, "limits", None)
        self.limits = limits if isinstance(limits, ConnectionLimits) else ConnectionLimits()
        self._sweeper = _sweeper(server_state)
        self._waiting: int | None = None  # _FIRST, _HEAD, _BODY or nothing
        self._since = 0.0  # when the wait began (time.monotonic)
        self._head_bytes = 0  # of the headers being read, in the reads before this one
        self._read = 0  # the size of the read being parsed
        self._too_large = False

    # -- the connection ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection and start the header deadline (an idle one counts)."""
        super().connection_made(transport)
        self._waiting, self._since = _FIRST, time.monotonic()
        self._sweeper.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop watching a connection that has gone."""
        self._waiting = None
        self._sweeper.discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse ``data``; refuse the request once its unfinished headers pass the limit."""
        if self._too_large:
            return
        self._read = len(data)
        super().data_received(data)
        if self._waiting == _HEAD and not self.transport.is_closing():
            # Counted after parsing, so the bytes of a body that came in the same read
            # are not counted; the headers of the request still being read are.
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_header_bytes:
                self._refuse_headers()

    def send_400_response(self, msg: str) -> None:
        """Answer a request the parser gave up on: 431 if headers were too large."""
        if self._too_large:
            self._refuse_headers()
        else:
            super().send_400_response(msg)

    # -- parser callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        """A request starts: its headers are counted and, kept alive, get a deadline (the
        first request's runs from the connection's opening)."""
        super().on_message_begin()
        if self._waiting != _FIRST:
            self._since = time.monotonic()
        self._waiting = _HEAD
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        """Check the headers' exact size, then start the request and its body deadline."""
        self._waiting = None
        limit = self.limits.max_header_bytes
        # Counted exactly only when what was read could hold more than the limit.
        if self._head_bytes + self._read > limit and len(self.url) + sum(
                len(name) + len(value) + 4 for name, value in self.headers) > limit:
            self._too_large = True
            raise _HeadersTooLarge  # stops the parser; uvicorn calls send_400_response
        super().on_headers_complete()
        self._waiting, self._since = _BODY, time.monotonic()

    def on_message_complete(self) -> None:
        """The whole request has arrived: no deadline until the next one begins."""
        self._waiting = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """Drop what was buffered of a body the application answered without reading
        (a 413, a 503): the rest of it is discarded as it arrives, until the deadline."""
        if self._waiting == _BODY:  # the cycle may be a later, pipelined request's
            cycle = self.cycle
            if cycle.response_complete and cycle.body:
                cycle.body = bytearray()
        super().on_response_complete()

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        """Run ``app`` for ``cycle``; a request uvicorn refused for capacity gets
        :func:`_over_capacity` (both a request started at once and a pipelined one pass
        through here)."""
        super()._start_asgi_task(cycle, _over_capacity if app is service_unavailable else app)

    # -- deadlines and refusals -------------------------------------------------------------

    def check_deadline(self, now: float) -> None:
        """Refuse the request (or close the idle connection) if its wait is over."""
        waiting = self._waiting
        if waiting is None:
            return
        if waiting == _BODY:
            if now - self._since >= self.limits.body_timeout:
                self._body_timed_out()
        elif now - self._since >= self.limits.header_timeout:
            if waiting == _FIRST:  # nothing of a request arrived: close without an answer
                self._waiting = None
                self._close_quietly("no request within %s s", self.limits.header_timeout)
            else:
                self._headers_timed_out()

    def _headers_timed_out(self) -> None:
        log.info("connection from %s closed: headers not received within %s s",
                 self._peer(), self.limits.header_timeout)
        self._refuse(408, f"the request's headers did not arrive within "
                          f"{self.limits.header_timeout:g} s")

    def _body_timed_out(self) -> None:
        log.info("connection from %s closed: body not received within %s s",
                 self._peer(), self.limits.body_timeout)
        self._refuse(408, f"the request's body did not arrive within "
                          f"{self.limits.body_timeout:g} s", reading_body=True)

    def _refuse_headers(self) -> None:
        self._too_large = True
        log.info("connection from %s closed: %s", self._peer(), self._header_limit_message())
        self._refuse(431, self._header_limit_message())

    def _header_limit_message(self) -> str:
        return (f"the request line and headers are over the limit of "
                f"{self.limits.max_header_bytes} bytes")

    def _close_quietly(self, why: str, *args: object) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("connection from %s closed: " + why, self._peer(), *args)
        self.transport.close()

    def _refuse(self, status: int, message: str, *, reading_body: bool = False) -> None:
        """Answer ``status`` if that answer would be the refused request's, then close.

        ``reading_body``: the request is the current cycle, answered only if its application
        has not started a response. Otherwise the request has no cycle yet, and a cycle
        still in progress is a previous (pipelined) request's: its response must not be
        preceded by this one. Either way, a cycle in progress is cut off: its receive()
        returns ``http.disconnect`` and its sends are dropped.
        """
        self._waiting = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        if reading_body:
            answer = cycle is None or not cycle.response_started
        else:
            answer = cycle is None or cycle.response_complete
        if answer:
            body = message.encode("ascii", "replace")
            head = [STATUS_LINE[status]]
            for name, value in self.server_state.default_headers:
                head.extend([name, b": ", value, b"\r\n"])
            head.append(b"content-type: text/plain; charset=utf-8\r\ncontent-length: "
                        + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n")
            self.transport.write(b"".join(head) + body)
        self.transport.close()

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
