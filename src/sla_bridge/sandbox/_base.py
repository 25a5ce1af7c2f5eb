"""The platform-neutral half of a helpdesk sandbox, for a platform's sandbox to extend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from types import TracebackType
from typing import Any, Self

from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from ._control import control_app, control_routes
from ._faults import Fault, FaultKind, FaultPlan, RateLimiter
from ._log import RequestLog
from ._middleware import SandboxMiddleware, every_path
from ._replies import ErrorReplies
from ._server import ThreadedServer
from ._webhooks import Delivery, RetryRule, WebhookSender, iso_seconds, new_delivery_id

Clock = Callable[[], datetime]


def utc_clock(clock: Any = None) -> Clock:
    """A sandbox's clock as a function returning aware UTC instants: ``None`` is the system
    clock; otherwise an object with ``now()`` (``sla_bridge.clock.FixedClock``) or a callable
    returning a datetime."""
    if clock is None:
        return lambda: datetime.now(UTC)
    if hasattr(clock, "now"):
        return lambda: clock.now().astimezone(UTC)
    if callable(clock):
        return lambda: clock().astimezone(UTC)
    raise TypeError("clock must have a now() method or be a callable returning a datetime")


class HelpdeskSandbox:
    """A helpdesk on loopback: the server, faults, rate limit, request log and webhook
    sender, with the vendor's error shapes and retry rule given as parameters.

    A platform's sandbox subclasses it and provides :meth:`build_app` (its API), and as
    needed :meth:`extra_control_routes`, :meth:`webhook_headers` (signing) and
    :meth:`plugin_env` (the settings that point its plugin at the sandbox).
    """

    #: How the sandbox names itself in messages and thread names.
    title = "helpdesk sandbox"
    #: ``https`` for a sandbox whose :meth:`server_config` serves TLS.
    scheme = "http"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, clock: Any = None,
                 rate_limit: int = 700, rate_window: float = 60.0,
                 replies: ErrorReplies | None = None, retry: RetryRule | None = None,
                 is_api: Callable[[str], bool] = every_path,
                 canonical_path: Callable[[str], str] | None = None,
                 webhook_timestamp: Callable[[datetime], str] = iso_seconds,
                 webhook_id: Callable[[], str] = new_delivery_id) -> None:
        self.host = host
        self.port = port
        self.clock = utc_clock(clock)
        self.replies = replies or ErrorReplies()
        self.is_api = is_api
        self.canonical_path = canonical_path
        self.faults = FaultPlan()
        self.limiter = RateLimiter(rate_limit, rate_window)
        self.log = RequestLog()
        self.sender = WebhookSender(clock=self.clock, headers=self.webhook_headers,
                                    retry=retry, timestamp=webhook_timestamp,
                                    delivery_id=webhook_id, name=f"{self.title} webhooks")
        self._server: ThreadedServer | None = None

    # -- what a platform's sandbox provides ------------------------------------------

    def build_app(self) -> ASGIApp:
        """The vendor's API as an ASGI application (called once, at the first start)."""
        raise NotImplementedError

    def extra_control_routes(self) -> list[BaseRoute]:
        """The platform's own ``/_sandbox/...`` routes (none by default)."""
        return []

    def webhook_headers(self, delivery: Delivery) -> Mapping[str, str]:
        """The headers of one webhook attempt (by default only the JSON content type)."""
        return {"Content-Type": "application/json"}

    def plugin_env(self) -> dict[str, str]:
        """The environment variables that point the platform's plugin at this sandbox."""
        return {}

    def server_config(self) -> Any:
        """What the server runs: :attr:`app` as it is (plain HTTP), or a
        :class:`uvicorn.Config` around it (:func:`quiet_config` with TLS files, say)."""
        return self.app

    # -- lifecycle -----------------------------------------------------------------

    @cached_property
    def app(self) -> ASGIApp:
        """The whole application: the vendor's API behind the sandbox's middleware."""
        control = control_app([*control_routes(faults=self.faults, log=self.log,
                                               sender=self.sender),
                               *self.extra_control_routes()])
        return SandboxMiddleware(self.build_app(), faults=self.faults, limiter=self.limiter,
                                 log=self.log, replies=self.replies, is_api=self.is_api,
                                 control=control, canonical_path=self.canonical_path)

    def start(self) -> str:
        """Serve on ``host:port`` (0: any free port) in a thread; return the base URL."""
        if self._server is None:
            server = ThreadedServer(self.server_config(), host=self.host, port=self.port,
                                    name=self.title)
            server.start()
            self._server, self.port = server, server.port
            self.sender.start()
        return self.base_url

    def stop(self) -> None:
        """Stop sending webhooks and serving."""
        self.sender.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Where the sandbox serves, e.g. ``http://127.0.0.1:8765``."""
        return f"{self.scheme}://{self.host}:{self.port}"

    # -- faults ----------------------------------------------------------------------

    def inject(self, kind: FaultKind, count: int = 1, *, status: int = 500,
               retry_after: float | None = None, delay: float = 0.0,
               method: str | None = None, path: str | None = None) -> Fault:
        """Make the next ``count`` matching API requests fail (kinds: ``status``, ``slow``,
        ``drop_before``, ``drop_after``; ``path`` is a regular expression)."""
        return self.faults.add(Fault(kind, count, status, retry_after, delay, method, path))

    def rate_limit_next(self, count: int = 1, retry_after: float = 1, **match: Any) -> Fault:
        """The next requests answer 429 with ``Retry-After``."""
        return self.inject("status", count, status=429, retry_after=retry_after, **match)

    def fail_next(self, count: int = 1, status: int = 500, **match: Any) -> Fault:
        """The next requests answer a server error."""
        return self.inject("status", count, status=status, retry_after=1, **match)

    def slow_next(self, count: int = 1, delay: float = 2.0, **match: Any) -> Fault:
        """The next requests are answered after ``delay`` seconds."""
        return self.inject("slow", count, delay=delay, **match)

    def drop_next(self, count: int = 1, after_processing: bool = False, **match: Any) -> Fault:
        """The next connections are dropped, before or after the request took effect."""
        return self.inject("drop_after" if after_processing else "drop_before", count,
                           **match)

    def clear_faults(self) -> None:
        """Forget the faults not used yet."""
        self.faults.clear()

    # -- the request log ---------------------------------------------------------------

    def request_log(self) -> list[dict[str, Any]]:
        """Every request served: method, path, query, JSON body, status, injected fault, and
        ``at``, when it arrived (``time.monotonic()``: real time, whatever the clock)."""
        return self.log.entries()

    def clear_request_log(self) -> None:
        """Start a fresh request log."""
        self.log.clear()

    def keep_responses(self, keep: bool = True) -> None:
        """Record each answer's JSON in the request log too (``response``), e.g. to check
        the answers against the vendor's OpenAPI document."""
        self.log.keep_responses = keep

    # -- webhooks ----------------------------------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook invocation so far."""
        return self.sender.deliveries

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the queued webhooks were sent."""
        return self.sender.flush(timeout)

    def drop_webhooks(self, count: int = 1) -> None:
        """Lose the next ``count`` webhook deliveries (never sent)."""
        self.sender.drop_next += count

    def duplicate_webhooks(self, count: int = 1) -> None:
        """Send the next ``count`` webhook deliveries twice."""
        self.sender.duplicate_next += count
