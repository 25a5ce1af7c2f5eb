"""JSON in and out of a sandbox's routes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """An answer other than success, raised by a route: status, JSON body, extra headers."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class BodyError(ValueError):
    """The request's body is not the JSON the route takes; the message says why."""


def json_response(body: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A JSON answer."""
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The answer an :class:`ApiError` stands for (``headers`` added to its own)."""
    return json_response(error.body, error.status, {**(headers or {}), **error.headers})


async def json_object(request: Request, key: str | None = None) -> dict[str, Any]:
    """The JSON object sent (an empty body is ``{}``), or its ``key`` object.

    Raises :class:`BodyError` when the body is not JSON, not an object, or has no ``key``
    object.
    """
    raw = await request.body()
    try:
        data: Any = json.loads(raw) if raw else {}
    except ValueError:
        raise BodyError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BodyError("the body must be a JSON object")
    if key is None:
        return data
    inner = data.get(key)
    if not isinstance(inner, dict):
        raise BodyError(f"the body must have a {key!r} object")
    return inner


def parse_json(raw: bytes) -> Any:
    """``raw`` decoded as JSON, or ``None`` when it is empty or not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
