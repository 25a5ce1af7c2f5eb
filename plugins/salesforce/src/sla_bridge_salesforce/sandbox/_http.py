"""What every REST route shares: the org, the access token, the API version in the path,
JSON bodies, and Salesforce's error answers.

A route's handler is ``async def handler(request, call) -> Response``, wrapped by
:func:`endpoint`, which checks ``/services/data/vNN.N``, authenticates the bearer token
(401 ``INVALID_SESSION_ID`` as a JSON list) and turns :class:`ApiError` into the answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from sla_bridge.sandbox import ApiError, error_response, json_response

from ._errors import invalid_session, not_found, sf_error

if TYPE_CHECKING:
    from ._org import Org

_VERSION = re.compile(r"v(\d{2})\.0")
#: The API versions the org serves (``GET /services/data/``).
VERSIONS = tuple(f"{n}.0" for n in range(31, 67))


@dataclass
class Call:
    """One authenticated API call: the org, the caller's user id, the version's base path."""

    org: Org
    user_id: str
    version: str
    request: Request

    @property
    def base(self) -> str:
        """``/services/data/v62.0``, the prefix of the URLs in answers."""
        return f"/services/data/v{self.version}"

    async def body(self) -> dict[str, Any]:
        """The JSON object sent (400 ``JSON_PARSER_ERROR`` otherwise)."""
        raw = await self.request.body()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise sf_error(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
        if not isinstance(data, dict):
            raise sf_error(400, "JSON_PARSER_ERROR",
                           "Cannot deserialize instance of object from a non-object value")
        return data


Handler = Callable[[Request, Call], Awaitable[Response]]


def org_of(request: Request) -> Org:
    """The org the application serves."""
    org: Org = request.app.state.org
    return org


def endpoint(handler: Handler, *,
             versioned: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint around ``handler``: version, token, errors."""

    async def run(request: Request) -> Response:
        org = org_of(request)
        try:
            version = "0"
            if versioned:
                match = _VERSION.fullmatch(request.path_params.get("version", ""))
                if match is None or f"{match.group(1)}.0" not in VERSIONS:
                    raise not_found()
                version = f"{match.group(1)}.0"
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            user_id = org.user_for_token(token) if scheme.lower() in ("bearer", "oauth") \
                else None
            if user_id is None:
                raise invalid_session()
            return await handler(request, Call(org, user_id, version, request))
        except ApiError as error:
            return error_response(error)

    return run


def answer(body: Any, status: int = 200) -> Response:
    """A JSON answer (204 without a body)."""
    if status == 204:
        return Response(status_code=204)
    return json_response(body, status)
