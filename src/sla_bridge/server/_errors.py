"""Error responses: one JSON shape, and a catch-all so a bug answers 500 once, logged once."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sla_bridge.store import StoreUnavailable

log = logging.getLogger("sla_bridge.server")

RETRY_AFTER_SECONDS = 5


class ErrorBody(BaseModel):
    """What every error response carries: a stable ``error`` code and, where it helps,
    a ``reason`` (webhooks) or ``message`` (admin and operations endpoints)."""

    error: str
    reason: str | None = None
    message: str | None = None


class ApiError(Exception):
    """Raised by a handler to answer ``status`` with an :class:`ErrorBody`."""

    def __init__(self, status: int, error: str, message: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message or error)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers


def error_response(status: int, error: str, *, reason: str | None = None,
                   message: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """Return the JSON error response, leaving out the fields that are not set."""
    body: dict[str, Any] = {"error": error}
    if reason is not None:
        body["reason"] = reason
    if message is not None:
        body["message"] = message
    return JSONResponse(body, status_code=status, headers=headers)


def unavailable_response() -> JSONResponse:
    """503 with ``Retry-After``: the database does not answer, the sender should retry."""
    return error_response(503, "unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install_error_handlers(app: FastAPI) -> None:
    """Map :class:`ApiError` and :class:`StoreUnavailable` to JSON responses and wrap the
    app in the catch-all."""

    async def api_error(_request: Request, exc: Exception) -> Response:
        """Answer a handler's :class:`ApiError` with its status and body."""
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.error, message=exc.message, headers=exc.headers)

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        """Answer 503 with ``Retry-After`` when the database does not answer."""
        log.warning("database unavailable: %s", exc, extra={"path": request.url.path})
        return unavailable_response()

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_middleware(CatchAll)


class CatchAll:
    """ASGI middleware: an exception that escaped a handler is a bug. Log it once with the
    request's path (the webhook handler logs its own, with the delivery id) and answer 500,
    unless the response had already started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the wrapped app; turn an escaped exception into a logged 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"),
                          extra={"path": scope.get("path")})
            if not started:
                response = error_response(500, "internal",
                                          message="unexpected error; see the bridge's log")
                await response(scope, receive, send)
