"""Fault injection and rate limiting, as an ASGI middleware in front of the API.

A fault applies to the next ``count`` API requests that match its method and path
pattern:

``status``
    answer ``status`` (429 and 503 carry ``Retry-After``) without touching anything;
``slow``
    wait ``delay`` seconds, then answer normally;
``drop_before``
    drop the connection without doing anything (the client sees a broken response);
``drop_after``
    do the work, then drop the connection (the client cannot know it was done).

Besides the injected faults, every client gets ``rate_limit`` requests a minute and
429 with ``Retry-After`` beyond that, with Zendesk's ``X-Rate-Limit`` /
``ratelimit-*`` headers on every answer.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FaultKind = Literal["status", "slow", "drop_before", "drop_after"]


class DroppedConnection(Exception):
    """Raised after the response started: the server closes the connection."""


@dataclass
class Fault:
    """One injected fault."""

    kind: FaultKind
    count: int = 1
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether the fault applies to this request."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or re.search(self.path, path) is not None


class FaultPlan:
    """The faults waiting for requests, first added first used."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Queue a fault."""
        if fault.kind not in ("status", "slow", "drop_before", "drop_after"):
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        """How many faulty answers are still to come."""
        with self._lock:
            return sum(f.count for f in self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any (its count goes down by one)."""
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and fault.matches(method, path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None


class RateLimiter:
    """Fixed one-minute windows, like Zendesk's per-minute account limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._window = 0.0
        self._used = 0
        self._lock = threading.Lock()

    def hit(self) -> tuple[bool, int, float]:
        """Count one request: (allowed, remaining, seconds until the window resets)."""
        with self._lock:
            now = time.monotonic()
            if now - self._window >= 60:
                self._window, self._used = now, 0
            reset = 60 - (now - self._window)
            if self._used >= self.limit:
                return False, 0, reset
            self._used += 1
            return True, self.limit - self._used, reset


class FaultMiddleware:
    """Applies faults and the rate limit to ``/api/`` requests; logs every request."""

    def __init__(self, app: ASGIApp, plan: FaultPlan, limiter: RateLimiter,
                 log: list[dict[str, Any]], log_lock: threading.Lock) -> None:
        self.app = app
        self.plan = plan
        self.limiter = limiter
        self.log = log
        self.log_lock = log_lock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.endswith(".json"):
            scope = {**scope, "path": path[: -len(".json")],
                     "raw_path": scope.get("raw_path", b"").replace(b".json", b"")}
        entry: dict[str, Any] = {"method": scope["method"], "path": scope["path"],
                                 "query": scope.get("query_string", b"").decode(),
                                 "status": None, "fault": None, "at": time.monotonic()}
        with self.log_lock:
            self.log.append(entry)
        if not scope["path"].startswith("/api/"):
            await self.app(scope, receive, self._recording(send, entry))
            return
        allowed, remaining, reset = self.limiter.hit()
        rate_headers = [
            (b"x-rate-limit", str(self.limiter.limit).encode()),
            (b"x-rate-limit-remaining", str(remaining).encode()),
            (b"ratelimit-limit", str(self.limiter.limit).encode()),
            (b"ratelimit-remaining", str(remaining).encode()),
            (b"ratelimit-reset", str(math.ceil(reset)).encode()),
        ]
        fault = self.plan.take(scope["method"], scope["path"])
        if fault is not None:
            entry["fault"] = fault.kind if fault.kind != "status" else str(fault.status)
        send = self._recording(send, entry, rate_headers)
        if not allowed:
            await _error(send, 429, {"error": "APIRateLimitExceeded", "description":
                                     "Number of allowed API requests per minute exceeded"},
                         {"retry-after": str(max(1, math.ceil(reset)))})
            return
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, send)
        elif fault.kind == "status":
            extra = {}
            if fault.status in (429, 503):
                extra["retry-after"] = str(max(0, math.ceil(fault.retry_after or 1)))
            body = ({"error": "APIRateLimitExceeded", "description": "Rate limited"}
                    if fault.status == 429 else
                    {"error": "ServiceUnavailable", "description": "Injected fault"})
            await _error(send, fault.status, body, extra)
        elif fault.kind == "drop_before":
            await _drop(send)
        else:
            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _drop(send)

    def _recording(self, send: Send, entry: dict[str, Any],
                   extra: list[tuple[bytes, bytes]] | None = None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return wrapped


async def _error(send: Send, status: int, body: dict[str, Any],
                 headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode(), v.encode()) for k, v in headers.items())]})
    await send({"type": "http.response.body", "body": payload})


async def _drop(send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"content-length", b"64")]})
    raise DroppedConnection("sandbox: connection dropped on purpose")
