"""``POST /webhooks/{platform}``: verify, parse, commit to the inbox, then acknowledge.

The order is the promise: the platform plugin verifies the signature over the raw bytes
and parses them; the events are committed to the durable inbox; only then does the
sender get the plugin's acknowledgement. Every refusal has its status and its metric
reason: ``unknown_platform`` 404, ``too_large`` 413, ``unauthorized`` 401 (no detail),
``malformed`` 400 (with the reason), ``unavailable`` 503 and ``busy`` 503 (both with
``Retry-After``).

Bodies are read before they can be verified (the signature is over them), so their memory
is bounded twice: each by ``server.max_body_bytes`` (refused from ``Content-Length`` before
reading, or as soon as a chunked body passes it), and all those being read at once by
``server.max_inflight_body_bytes`` (:mod:`._bodies`), given back when the webhook is answered.

This is the hot path, so it speaks ASGI directly: :class:`WebhookFastPath` sits in front
of the FastAPI application and answers ``POST /webhooks/...`` itself, which saves the
framework's routing, dependency and request objects (more than a third of the cost of a
webhook). The FastAPI route of the same path documents the endpoint in OpenAPI and runs
the same :class:`WebhookEndpoint` if a request ever reaches it.

``Platform.parse_webhook`` runs on the event loop: it verifies and parses, which is
CPU work of microseconds, and must not do I/O.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from starlette.types import ASGIApp, Receive, Scope, Send

from sla_bridge.platforms import (
    InboundEvent,
    Platform,
    Unauthorized,
    WebhookRejected,
    WebhookRequest,
)
from sla_bridge.runtime import Runtime
from sla_bridge.store import StoreUnavailable

from ._bodies import BodyBudget, BodyShare
from ._errors import RETRY_AFTER_SECONDS, ErrorBody
from ._ingest import Ingestor

log = logging.getLogger("sla_bridge.server")

WEBHOOK_PREFIX = "/webhooks/"
# Where a request names its delivery, for the log before (or without) a successful parse,
# when the platform declares no ``delivery_id_header``. After parsing, the events' own
# delivery ids are used.
_GENERIC_DELIVERY_HEADER = "x-request-id"
# Header values that must never reach the log, even inside a plugin's error detail.
_SENSITIVE = ("signature", "authorization", "token", "secret", "hub-", "cookie", "api-key")
_JSON = "application/json"


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class _Busy(Exception):
    pass


@dataclass(frozen=True)
class Reply:
    """A response of the webhook endpoint."""

    status: int
    body: bytes
    media_type: str = _JSON
    retry_after: bool = False

    @classmethod
    def error(cls, status: int, error: str, **fields: str) -> Reply:
        """An :class:`ErrorBody` reply (``503`` ones carry ``Retry-After``)."""
        body = json.dumps({"error": error, **fields}, separators=(",", ":")).encode()
        return cls(status, body, retry_after=status == 503)

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The ASGI response headers."""
        headers = [(b"content-type", self.media_type.encode("latin-1")),
                   (b"content-length", str(len(self.body)).encode())]
        if self.retry_after:
            headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
        return headers

    async def send(self, send: Send) -> None:
        """Send the reply over ASGI."""
        await send({"type": "http.response.start", "status": self.status,
                    "headers": self.headers()})
        await send({"type": "http.response.body", "body": self.body})


class WebhookEndpoint:
    """Receives one webhook: size limit, verify-and-parse, inbox commit, acknowledgement."""

    def __init__(self, runtime: Runtime, ingestor: Ingestor) -> None:
        self.runtime = runtime
        self.ingestor = ingestor
        self.limit = runtime.settings.server.max_body_bytes
        self.budget = BodyBudget(runtime.settings.server.max_inflight_body_bytes)
        self.metrics = runtime.metrics

    async def handle(self, platform: str, scope: Scope, receive: Receive) -> Reply | None:
        """Answer the webhook in ``scope``; ``None`` when the sender went away mid-body."""
        share = self.budget.hold()
        try:
            return await self._handle(platform, scope, receive, share)
        finally:
            share.release()

    async def _handle(self, platform: str, scope: Scope, receive: Receive, share: BodyShare,
                      ) -> Reply | None:
        handler = self.runtime.platforms.get(platform)
        if handler is None:
            self.metrics.webhooks_rejected.labels("unknown", "unknown_platform").inc()
            return Reply.error(404, "unknown_platform",
                               message=f"no platform named {platform!r} is installed")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        own = _declared_header(handler)
        client = scope.get("client")
        remote = client[0] if client else None
        try:
            body = await _read_body(receive, headers, self.limit, share)
        except _Busy:
            self.metrics.webhooks_rejected.labels(platform, "busy").inc()
            log.warning("webhook answered 503: %d bytes of bodies are being read already "
                        "(SLA_BRIDGE_SERVER__MAX_INFLIGHT_BODY_BYTES=%d)", self.budget.used,
                        self.budget.capacity,
                        extra=_context(platform, headers, remote, header=own))
            return Reply.error(503, "busy", message="too many webhook bodies are being "
                               "read at once; retry later")
        except _TooLarge:
            self.metrics.webhooks_rejected.labels(platform, "too_large").inc()
            log.info("webhook rejected: body over %d bytes", self.limit,
                     extra=_context(platform, headers, remote, header=own))
            return Reply.error(413, "too_large",
                               message=f"the body is over the limit of {self.limit} bytes")
        except _Disconnected:
            log.info("webhook sender disconnected before the body was read",
                     extra=_context(platform, headers, remote, header=own))
            return None
        events: Sequence[InboundEvent] = ()
        try:
            query = scope.get("query_string", b"")
            events = handler.parse_webhook(WebhookRequest(
                headers=headers, body=body, received_at=self.runtime.clock.now(),
                query=dict(parse_qsl(query.decode("latin-1"))) if query else {}))
            return await self._store_and_acknowledge(platform, handler, events, headers, remote)
        except (ValidationError, RecursionError) as exc:
            # What the plugin parsed cannot be stored as it is (an id over 200 characters,
            # a NUL, a lone surrogate, NaN, nesting too deep): the sender's error, not ours.
            self.metrics.webhooks_rejected.labels(platform, "bad_payload").inc()
            problem = _validation_problem(exc)
            log.info("webhook rejected: bad_payload: %s", _scrub(problem, headers),
                     extra=_context(platform, headers, remote, header=own))
            return Reply.error(400, "bad_payload", reason=_scrub(problem, headers))
        except Unauthorized as exc:
            self.metrics.webhooks_rejected.labels(platform, exc.reason).inc()
            log.info("webhook rejected: unauthorized: %s", _scrub(exc.detail, headers),
                     extra=_context(platform, headers, remote, header=own))
            return Reply.error(401, "unauthorized")
        except WebhookRejected as exc:
            self.metrics.webhooks_rejected.labels(platform, exc.reason).inc()
            log.info("webhook rejected: %s: %s", exc.reason, _scrub(exc.detail, headers),
                     extra=_context(platform, headers, remote, header=own))
            return Reply.error(exc.status, exc.reason, reason=_scrub(exc.public, headers))
        except StoreUnavailable as exc:
            self.metrics.webhooks_rejected.labels(platform, "unavailable").inc()
            log.warning("webhook not stored, answered 503: %s", exc,
                        extra=_context(platform, headers, remote, events, header=own))
            return Reply.error(503, "unavailable")
        except OperationalError as exc:  # locked, read-only, disk full: retrying is right
            self.metrics.webhooks_rejected.labels(platform, "unavailable").inc()
            log.error("webhook not stored, answered 503: %s", exc.orig,
                      extra=_context(platform, headers, remote, events, header=own))
            return Reply.error(503, "unavailable")
        except Exception:
            log.exception("webhook failed: bug in the bridge or the platform plugin",
                          extra=_context(platform, headers, remote, events, header=own))
            return Reply.error(500, "internal", message="unexpected error; see the log")

    async def _store_and_acknowledge(self, name: str, handler: Platform,
                                     events: Sequence[InboundEvent], headers: Mapping[str, str],
                                     remote: str | None) -> Reply:
        if events:
            result = await self.ingestor.accept(name, events)  # counts new and duplicates
            if result.duplicates:
                log.info("duplicate delivery ignored: %d of %d event(s) already stored",
                         result.duplicates, len(events),
                         extra=_context(name, headers, remote, events))
        reply = handler.acknowledge(events)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("webhook accepted: %d event(s)", len(events),
                      extra=_context(name, headers, remote, events))
        return Reply(reply.status, reply.body, reply.media_type)

    async def respond(self, platform: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle the webhook and send the reply (nothing if the sender went away)."""
        reply = await self.handle(platform, scope, receive)
        if reply is not None:
            await reply.send(send)


async def _read_body(receive: Receive, headers: Mapping[str, str], limit: int,
                     share: BodyShare | None = None) -> bytes:
    """Read the body, refusing it from ``Content-Length`` before reading, or as soon as a
    chunked body passes ``limit`` bytes (the rest is never read into memory).

    With a ``share``, the body's bytes are held in it: the declared length before reading
    (so a body the budget cannot take is refused unread), else each chunk as it comes;
    :class:`_Busy` when the budget is full.
    """
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit():
        if int(declared) > limit:
            raise _TooLarge
        if share is not None and not share.grow(int(declared)):
            raise _Busy
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        if share is not None and not share.grow(size):
            raise _Busy
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class WebhookFastPath:
    """ASGI middleware answering ``POST /webhooks/{platform}`` (and, for the ingest
    benchmark, ``POST /bench/bare/{platform}``) without going through FastAPI."""

    def __init__(self, app: ASGIApp, endpoint: WebhookEndpoint, bare_prefix: str | None = None,
                 ) -> None:
        self.app = app
        self.endpoint = endpoint
        self.bare_prefix = bare_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch a webhook here; pass everything else on to the application."""
        if scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            root: str = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root):]
            if path.startswith(WEBHOOK_PREFIX):
                platform = path[len(WEBHOOK_PREFIX):]
                if platform and "/" not in platform:
                    await self.endpoint.respond(platform, scope, receive, send)
                    return
            elif self.bare_prefix is not None and path.startswith(self.bare_prefix):
                await _read_body(receive, {}, 1 << 30)
                await Reply(200, b'{"status":"accepted"}').send(send)
                return
        await self.app(scope, receive, send)


def webhook_router(endpoint: WebhookEndpoint) -> APIRouter:
    """Return the router documenting ``POST /webhooks/{platform}`` (served by the same
    endpoint when a request reaches FastAPI rather than :class:`WebhookFastPath`)."""
    router = APIRouter(tags=["webhooks"])

    @router.post(
        "/webhooks/{platform}",
        summary="Receive a helpdesk webhook",
        response_class=Response,
        responses={
            200: {"description": "Stored durably; the body is the platform's acknowledgement"},
            400: {"model": ErrorBody, "description": "Malformed payload, with the reason"},
            401: {"model": ErrorBody, "description": "Bad or missing signature"},
            404: {"model": ErrorBody, "description": "No such platform"},
            413: {"model": ErrorBody, "description": "Body over the size limit"},
            503: {"model": ErrorBody, "description": "Database unavailable, or too many "
                  "bodies being read at once; retry later"},
        },
    )
    async def receive_webhook(platform: str, request: Request) -> Response:
        """Verify and parse the webhook, commit its events, then acknowledge it.

        The raw body is what the platform signed. The same delivery twice is answered
        200 and stored once.
        """
        reply = await endpoint.handle(platform, request.scope, request.receive)
        if reply is None:
            return Response(status_code=400)
        return Response(reply.body, status_code=reply.status, media_type=reply.media_type,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
                        if reply.retry_after else None)

    return router


def _validation_problem(exc: ValidationError | RecursionError) -> str:
    if isinstance(exc, RecursionError):
        return "the body is nested too deeply"
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {str(first['msg']).removeprefix('Value error, ')}"[:300]


def _declared_header(platform: Platform) -> str | None:
    """The header the platform names its deliveries in (``Platform.delivery_id_header``)."""
    header = getattr(platform, "delivery_id_header", None)
    return header.lower() if isinstance(header, str) else None


def _context(platform: str, headers: Mapping[str, str], remote: str | None,
             events: Sequence[InboundEvent] = (), *, header: str | None = None
             ) -> dict[str, Any]:
    context: dict[str, Any] = {"platform": platform, "remote": remote,
                               "delivery_id": _delivery_id(headers, events, header)}
    if events:
        context["ticket_id"] = ",".join(sorted({e.ref.ticket_id for e in events}))
    return context


def _delivery_id(headers: Mapping[str, str], events: Sequence[InboundEvent],
                 header: str | None) -> str | None:
    if events:
        return ",".join(dict.fromkeys(e.delivery_id for e in events))
    for name in (header, _GENERIC_DELIVERY_HEADER):
        if name and name in headers:
            return headers[name][:200]
    for name, value in headers.items():
        if "delivery" in name:
            return value[:200]
    return None


def _scrub(text: str, headers: Mapping[str, str]) -> str:
    """Mask the values of signature and credential headers in a plugin's error text."""
    for name, value in headers.items():
        if len(value) >= 4 and any(word in name for word in _SENSITIVE) and value in text:
            text = text.replace(value, "**********")
    return text
