"""What every route of the Zendesk API shares: authentication, bodies, pages, errors.

A route's handler is ``async def handler(request, api) -> Response``, wrapped by
:func:`endpoint`, which finds the :class:`Api` on the application, authenticates the
request and turns :class:`ApiError` into Zendesk's answers.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sla_bridge import sandbox as kit

from ._errors import ApiError, bad_request, forbidden, not_found, unauthorized
from ._paging import paginate

if TYPE_CHECKING:
    from . import Sandbox
    from ._state import SandboxState

Handler = Callable[[Request], Awaitable[Response]]
ApiHandler = Callable[[Request, "Api"], Awaitable[Response]]

API_VERSION_HEADER = {"X-Zendesk-API-Version": "v2"}


def json_response(body: Any, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A JSON answer with Zendesk's API version header."""
    return kit.json_response(body, status, {**API_VERSION_HEADER, **(headers or {})})


class Api:
    """The sandbox as the routes see it."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.state: SandboxState = sandbox.state

    @staticmethod
    def of(request: Request) -> Api:
        """The :class:`Api` of the application serving ``request``."""
        api: Api = request.app.state.zendesk
        return api

    def base(self, request: Request) -> str:
        """The root URL the client used, for the ``url`` and pagination links."""
        return str(request.base_url).rstrip("/")

    def actor(self, request: Request) -> dict[str, Any]:
        """The user whose API token the request carries (``{email}/token:{token}``)."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            raise unauthorized()
        try:
            user, _, token = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized() from None
        email, _, kind = user.partition("/")
        found = self.state.authenticate(email, token) if kind == "token" else None
        if found is None:
            raise unauthorized()
        return found

    async def body_of(self, request: Request, key: str | None = None) -> dict[str, Any]:
        """The JSON object sent (or its ``key`` object); 400 when it is not one."""
        try:
            return await kit.json_object(request, key)
        except kit.BodyError as exc:
            raise bad_request(str(exc)) from None

    def page(self, request: Request, items: list[Any], key: str) -> dict[str, Any]:
        """One page of ``items`` in the pagination style the request asks for."""
        url = self.base(request) + request.url.path + ".json"
        return paginate(items, key, dict(request.query_params), url,
                        self.sandbox.page_size_cap)

    def int_param(self, request: Request, name: str = "id") -> int:
        """A numeric path parameter (404 when it is not a number)."""
        try:
            return int(request.path_params[name])
        except ValueError:
            raise not_found() from None


def _authenticated(inner: ApiHandler, admin: bool, customers: bool = False) -> Handler:
    async def run(request: Request) -> Response:
        api = Api.of(request)
        try:
            me = api.actor(request)
            if admin and me["role"] != "admin":
                raise forbidden()
            if not customers and me["role"] == "end-user":
                raise forbidden()
            request.state.actor = me
            return await inner(request, api)
        except ApiError as exc:
            return json_response(exc.body, exc.status, exc.headers)

    run.__name__ = run.__qualname__ = inner.__name__
    run.__doc__ = inner.__doc__
    return run


def endpoint(handler: ApiHandler) -> Handler:
    """Make ``handler(request, api)`` a route endpoint for any agent: authenticate the
    request, put the user on ``request.state.actor``, answer an :class:`ApiError` in
    Zendesk's shape (403 for a customer: the agents' API is not theirs)."""
    return _authenticated(handler, admin=False)


def customer_endpoint(handler: ApiHandler) -> Handler:
    """As :func:`endpoint`, for customers (end users) too: the Requests API, ``users/me``,
    the ticket fields shown in the Help Center."""
    return _authenticated(handler, admin=False, customers=True)


def admin_endpoint(handler: ApiHandler) -> Handler:
    """As :func:`endpoint`, for admins only (403 for other agents)."""
    return _authenticated(handler, admin=True)


def require_admin(request: Request) -> None:
    """403 unless the authenticated user is an admin."""
    if request.state.actor["role"] != "admin":
        raise forbidden()


def user_json(user: dict[str, Any], root: str) -> dict[str, Any]:
    """A user as the API shows it."""
    return with_url(user, root, "users")


def ticket_json(ticket: dict[str, Any], root: str) -> dict[str, Any]:
    """A ticket as the API shows it."""
    return with_url(ticket, root, "tickets")


def with_url(obj: dict[str, Any], root: str, kind: str) -> dict[str, Any]:
    """A record with its API ``url``."""
    return {**obj, "url": f"{root}/api/v2/{kind}/{obj['id']}.json"}


def ids_param(raw: str) -> list[int]:
    """The numbers of a comma-separated ``ids`` parameter."""
    return [int(part) for part in (p.strip() for p in raw.split(",")) if part.isdigit()]
