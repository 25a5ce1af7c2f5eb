"""The ASGI middleware in front of a sandbox: request log, control routes, rate limit, faults."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._control import CONTROL_PREFIX
from ._faults import DroppedConnection, FaultPlan, RateLimiter
from ._json import parse_json
from ._log import RequestLog
from ._replies import ErrorReplies, Reply


def every_path(path: str) -> bool:
    """Every path is the vendor's API."""
    return True


class SandboxMiddleware:
    """Logs every request, sends ``/_sandbox/...`` to ``control``, and applies the rate limit
    and the injected faults to the vendor's API (the paths ``is_api`` accepts), answering in
    the vendor's shapes (``replies``).

    ``canonical_path`` rewrites a path before anything else sees it (Zendesk serves
    ``/tickets/1.json`` as ``/tickets/1``).
    """

    def __init__(self, app: ASGIApp, *, faults: FaultPlan, limiter: RateLimiter,
                 log: RequestLog, replies: ErrorReplies | None = None,
                 is_api: Callable[[str], bool] = every_path, control: ASGIApp | None = None,
                 canonical_path: Callable[[str], str] | None = None) -> None:
        self.app = app
        self.faults = faults
        self.limiter = limiter
        self.log = log
        self.replies = replies or ErrorReplies()
        self.is_api = is_api
        self.control = control
        self.canonical_path = canonical_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.canonical_path is not None:
            path = self.canonical_path(scope["path"])
            if path != scope["path"]:
                scope = {**scope, "path": path, "raw_path": quote(path).encode()}
        request = await _BufferedRequest.read(receive)
        receive = request.receive
        path = scope["path"]
        entry = self.log.open(scope["method"], path, scope.get("query_string", b"").decode(),
                              parse_json(request.body))
        if self.control is not None and (path == CONTROL_PREFIX
                                         or path.startswith(CONTROL_PREFIX + "/")):
            await self.control(scope, receive, self._recording(send, entry))
            return
        if not self.is_api(path):
            await self.app(scope, receive, self._recording(send, entry))
            return
        window = self.limiter.hit()
        send = self._recording(send, entry, self.replies.limit_headers(window))
        fault = self.faults.take(scope["method"], path)
        if fault is not None:
            entry["fault"] = fault.label
        if not window.allowed:
            await _reply(send, self.replies.over_limit(window))
        elif fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "slow":
            # A client that gave up meanwhile finds nothing done, as the request never ran.
            if await request.still_there_after(fault.delay):
                await self.app(scope, receive, send)
        elif fault.kind == "status":
            await _reply(send, self.replies.injected(fault))
        elif fault.kind == "drop_before":
            await _drop(send)
        else:
            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _drop(send)

    def _recording(self, send: Send, entry: dict[str, Any],
                   extra: Mapping[str, str] | None = None) -> Send:
        headers = [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
        keep = self.log.keep_responses
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if headers:
                    message = {**message, "headers": [*message.get("headers", []), *headers]}
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    entry["response"] = parse_json(b"".join(chunks))
            await send(message)

        return wrapped


class _BufferedRequest:
    """The whole request body, read up front (so that the log has it whatever happens),
    and a ``receive`` that replays it to the application."""

    def __init__(self, body: bytes, early: list[Message], receive: Receive) -> None:
        self.body = body
        self._pending: list[Message] = [
            {"type": "http.request", "body": body, "more_body": False}, *early]
        self._gone = any(m["type"] == "http.disconnect" for m in early)
        self._receive = receive

    @classmethod
    async def read(cls, receive: Receive) -> _BufferedRequest:
        """Read the body from the server."""
        chunks: list[bytes] = []
        early: list[Message] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                early.append(message)  # the client went away before the body was complete
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        return cls(b"".join(chunks), early, receive)

    async def receive(self) -> Message:
        """The body first, then whatever the server says (a disconnect)."""
        if self._pending:
            return self._pending.pop(0)
        return await self._receive()

    async def still_there_after(self, delay: float) -> bool:
        """Wait ``delay`` seconds; whether the client is still connected then."""
        if self._gone:
            return False
        listening = asyncio.ensure_future(self._receive())
        done, _ = await asyncio.wait({listening}, timeout=delay)
        if listening in done:
            message: Message = listening.result()
            self._pending.append(message)
            return bool(message["type"] != "http.disconnect")
        listening.cancel()
        with suppress(asyncio.CancelledError):
            await listening
        return True


async def _reply(send: Send, reply: Reply) -> None:
    payload = json.dumps(reply.body).encode()
    await send({"type": "http.response.start", "status": reply.status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in reply.headers.items())]})
    await send({"type": "http.response.body", "body": payload})


async def _drop(send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"content-length", b"64")]})
    raise DroppedConnection("sandbox: connection dropped on purpose")
