"""What every route shares: Basic auth, JSON bodies, the per-issue write limit, errors.

A handler is ``async def handler(request, api) -> Response``; :func:`endpoint` wraps it to
authenticate the caller (``request.state.actor``, an account id) and to answer an
:class:`~._errors.ApiError` as is. :func:`agent_endpoint` also refuses customers, as the
platform API's issue routes do for portal-only accounts (404, the issue "does not exist or you
do not have permission to see it").
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from sla_bridge import sandbox as kit

from ._errors import (
    ApiError,
    bad_request,
    forbidden,
    not_found,
    per_issue_limited,
    servicedesk_error,
    unauthorized,
)

if TYPE_CHECKING:
    from . import Sandbox
    from ._state import SiteState

Handler = Callable[[Request], Awaitable[Response]]
ApiHandler = Callable[[Request, "Api"], Awaitable[Response]]


class IssueWriteLimit:
    """At most ``limit`` writes to one issue per ``window`` seconds, off while ``limit`` is
    ``None``. Seconds are ``monotonic()``'s: real time (the client's pace) unless the
    sandbox's clock has a monotonic timer of its own (a test's virtual clock)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit: int | None = None
        self.window = 1.0
        self.monotonic = monotonic
        self._writes: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one write; the seconds to wait when it is over the limit, else ``None``."""
        if self.limit is None:
            return None
        with self._lock:
            now = self.monotonic()
            recent = [t for t in self._writes.get(key.upper(), []) if now - t < self.window]
            if len(recent) >= self.limit:
                self._writes[key.upper()] = recent
                return self.window - (now - recent[0])
            self._writes[key.upper()] = [*recent, now]
            return None


class Api:
    """The sandbox as the routes see it."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.state: SiteState = sandbox.state

    @staticmethod
    def of(request: Request) -> Api:
        """The :class:`Api` of the application serving ``request``."""
        api: Api = request.app.state.jira
        return api

    @staticmethod
    def root(request: Request) -> str:
        """The site's URL as the client used it, for ``self`` links."""
        return str(request.base_url).rstrip("/")

    def actor(self, request: Request) -> str:
        """The account of the request's Basic credentials (e-mail and API token)."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            raise unauthorized()
        try:
            email, _, token = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized() from None
        found = self.state.authenticate(email, token)
        if found is None:
            raise unauthorized()
        return str(found["accountId"])

    async def body(self, request: Request) -> dict[str, Any]:
        """The JSON object sent; 400 when it is not one."""
        try:
            return await kit.json_object(request)
        except kit.BodyError as exc:
            raise bad_request(str(exc)) from None

    def write(self, key: str) -> None:
        """Count a write to the issue; 429 ``jira-per-issue-on-write`` over the limit."""
        wait = self.sandbox.issue_writes.hit(key)
        if wait is not None:
            raise per_issue_limited(self.state.clock, wait)

    def require_admin(self, request: Request) -> None:
        """403 unless the caller administers the site."""
        if request.state.actor not in self.state.admins:
            raise forbidden("Only Jira administrators can manage webhooks.")


def in_servicedesk_dialect(error: ApiError) -> ApiError:
    """A platform API error as the service desk API words it (``ErrorResponse``)."""
    body = error.body if isinstance(error.body, dict) else {}
    if "errorMessages" not in body:
        return error
    words = [*body.get("errorMessages", []),
             *(f"{k}: {v}" for k, v in (body.get("errors") or {}).items())]
    translated = servicedesk_error(error.status, " ".join(words) or "Request failed.",
                                   f"sd.error.{error.status}")
    return ApiError(error.status, translated.body, error.headers)


def _wrap(inner: ApiHandler, agents_only: bool, servicedesk: bool = False) -> Handler:
    async def run(request: Request) -> Response:
        api = Api.of(request)
        try:
            request.state.actor = api.actor(request)
            if agents_only and not api.state.is_agent(request.state.actor):
                raise not_found()
            return await inner(request, api)
        except ApiError as exc:
            return kit.error_response(in_servicedesk_dialect(exc) if servicedesk else exc)

    run.__name__ = run.__qualname__ = inner.__name__
    run.__doc__ = inner.__doc__
    return run


def endpoint(handler: ApiHandler) -> Handler:
    """A route for any signed-in account (agents and customers)."""
    return _wrap(handler, agents_only=False)


def agent_endpoint(handler: ApiHandler) -> Handler:
    """A route for agents (licensed accounts); customers get 404."""
    return _wrap(handler, agents_only=True)


def servicedesk_endpoint(handler: ApiHandler) -> Handler:
    """A service desk API route for any signed-in account, answering its error dialect."""
    return _wrap(handler, agents_only=False, servicedesk=True)


def no_content() -> Response:
    """204 with an empty body."""
    return Response(status_code=204)


def int_param(request: Request, name: str, default: int, most: int | None = None) -> int:
    """A non-negative integer query parameter (400 when it is not one)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"The '{name}' parameter must be an integer.") from None
    if value < 0:
        raise bad_request(f"The '{name}' parameter must not be negative.")
    return min(value, most) if most is not None else value


def joined(request: Request, name: str) -> str | None:
    """A list parameter given once comma-separated or repeated (``fields=a,b`` or
    ``fields=a&fields=b``), as one comma-separated value; ``None`` when absent."""
    values = request.query_params.getlist(name)
    return ",".join(values) if values else None
