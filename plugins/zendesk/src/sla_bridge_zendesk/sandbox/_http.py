"""What every route of the sandbox's API shares: authentication, bodies, pages, errors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._errors import ApiError, bad_request, forbidden, not_found, unauthorized
from ._paging import paginate

if TYPE_CHECKING:
    from . import Sandbox

Handler = Callable[[Request], Awaitable[Response]]


def json_response(body: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON answer with Zendesk's API version header."""
    return JSONResponse(body, status_code=status, headers={"X-Zendesk-API-Version": "v2",
                                                           **(headers or {})})


class Api:
    """The sandbox as the routes see it."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state

    def base(self, request: Request) -> str:
        """The root URL the client used, for the ``url`` and pagination links."""
        return str(request.base_url).rstrip("/")

    def actor(self, request: Request) -> dict[str, Any]:
        """The agent whose API token the request carries (``{email}/token:{token}``)."""
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            raise unauthorized()
        try:
            user, _, token = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized() from None
        email, _, kind = user.partition("/")
        if kind != "token":
            raise unauthorized()
        found = self.state.authenticate(email, token)
        if found is None:
            raise unauthorized()
        return found

    def endpoint(self, admin: bool = False) -> Callable[[Handler], Handler]:
        """Authenticate (admins only when ``admin``) and turn :class:`ApiError` into answers."""
        def wrap(handler: Handler) -> Handler:
            async def run(request: Request) -> Response:
                try:
                    me = self.actor(request)
                    if admin and me["role"] != "admin":
                        raise forbidden()
                    request.state.actor = me
                    return await handler(request)
                except ApiError as exc:
                    return json_response(exc.body, exc.status, exc.headers)
            return run
        return wrap

    async def body_of(self, request: Request, key: str | None = None) -> dict[str, Any]:
        """The JSON object sent (or its ``key`` object); 400 when it is not one."""
        raw = await request.body()
        if not raw:
            data: Any = {}
        else:
            try:
                data = json.loads(raw)
            except ValueError:
                raise bad_request("the body is not JSON") from None
        if not isinstance(data, dict):
            raise bad_request("the body must be a JSON object")
        if key is None:
            return data
        inner = data.get(key)
        if not isinstance(inner, dict):
            raise bad_request(f"the body must have a {key!r} object")
        return inner

    def page(self, request: Request, items: list[Any], key: str) -> dict[str, Any]:
        """One page of ``items`` in the pagination style the request asks for."""
        url = self.base(request) + request.url.path + ".json"
        return paginate(items, key, dict(request.query_params), url,
                        self.sandbox.page_size_cap)

    def int_param(self, request: Request, name: str) -> int:
        """A numeric path parameter (404 when it is not a number)."""
        try:
            return int(request.path_params[name])
        except ValueError:
            raise not_found() from None


def user_json(user: dict[str, Any], root: str) -> dict[str, Any]:
    """A user as the API shows it."""
    return {**user, "url": f"{root}/api/v2/users/{user['id']}.json"}


def ticket_json(ticket: dict[str, Any], root: str) -> dict[str, Any]:
    """A ticket as the API shows it."""
    return {**ticket, "url": f"{root}/api/v2/tickets/{ticket['id']}.json"}


def with_url(obj: dict[str, Any], root: str, kind: str) -> dict[str, Any]:
    """Any other record with its API ``url``."""
    return {**obj, "url": f"{root}/api/v2/{kind}/{obj['id']}.json"}


def ids_param(raw: str) -> list[int]:
    """The numbers of a comma-separated ``ids`` parameter."""
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit():
            ids.append(int(part))
    return ids
