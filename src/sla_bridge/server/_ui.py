"""The operator's dashboard at ``/ui``: server-rendered pages over the admin API's queries.

Behind the admin token: a login form takes it and sets a signed, HttpOnly, SameSite=Strict
session cookie (Starlette's SessionMiddleware), Secure as ``SLA_BRIDGE_UI__COOKIE_SECURE``
says (by default, except over plain HTTP on loopback), or a request carries it as a bearer
header.
Everything is rendered on the server from the templates shipped in the package: no CDN, no
build step, no JavaScript needed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from sla_bridge.runtime import Runtime
from sla_bridge.store._queries import ClockFilter, ClockState
from sla_bridge.tickets import TicketRef

from ._chart import compliance_chart
from ._overview import compliance, format_left, list_clocks, ticket_url

TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "sla_bridge_ui"
SESSION_HOURS = 12
FILTERS = ("platform", "policy", "plan", "severity")
VIEWS = {"breached": "Breached", "at_risk": "At risk", "due_soon": "Due in the next hours"}
VIEW_STATES: dict[str, ClockState] = {"breached": "breached", "at_risk": "at_risk",
                                      "due_soon": "open"}
PLAIN_HTTP = ("This page came over plain HTTP and the session cookie is Secure "
              "(SLA_BRIDGE_UI__COOKIE_SECURE={setting}): your browser would not keep it. Open "
              "the dashboard over HTTPS (a reverse proxy sending X-Forwarded-Proto: https, see "
              "docs/security.md) or at http://127.0.0.1 for a local trial, or set "
              "SLA_BRIDGE_UI__COOKIE_SECURE=false on a trusted network.")


def secure_cookie(setting: str, scope: Scope) -> bool:
    """Whether the session cookie of this request is marked Secure: ``setting`` is
    ``SLA_BRIDGE_UI__COOKIE_SECURE``; ``auto`` is yes unless the page was reached over plain
    HTTP at a loopback address."""
    if setting != "auto":
        return setting == "true"
    url = URL(scope=scope)
    return url.scheme == "https" or not _loopback(url.hostname)


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Sessions:
    """Starlette's session middleware, its cookie Secure or not per request
    (:func:`secure_cookie`): two instances over the same app, cookie and key."""

    def __init__(self, app: ASGIApp, /, setting: str, **options: Any) -> None:
        self.setting = setting
        self.secure = SessionMiddleware(app, https_only=True, **options)
        self.plain = SessionMiddleware(app, https_only=False, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.secure if secure_cookie(self.setting, scope) else self.plain
        await chosen(scope, receive, send)


def ui_app(runtime: Runtime) -> Starlette:
    """Return the dashboard as an ASGI app to mount at ``/ui``."""
    secret = runtime.settings.admin_token
    token = secret.get_secret_value().encode() if secret is not None else b""
    # The cookie carries a digest of the token, so changing the token logs everyone out.
    fingerprint = hmac.new(token, b"sla-bridge ui session", hashlib.sha256).hexdigest()
    cookie_setting = runtime.settings.ui.cookie_secure
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    env.filters["left"] = format_left

    templates = Jinja2Templates(env=env)
    # Links resolve on the dashboard's own routes under wherever it is mounted (Starlette's
    # url_for would look the names up on the outer app's router).
    env.globals["url_for"] = pass_context(
        lambda context, name, /, **params: link(context["request"], name, **params))

    def link(request: Request, name: str, **params: str) -> str:
        return str(request.scope.get("root_path", "")) + app.router.url_path_for(name, **params)

    def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def signed_in(request: Request) -> bool:
        """Whether the request carries the admin token or a session started with it."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return hmac.compare_digest(header[7:].strip().encode(), token)
        return hmac.compare_digest(str(request.session.get("admin", "")), fingerprint)

    def guarded(page: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
        """The page behind the sign-in, run in a worker thread (it reads the database)."""
        async def endpoint(request: Request) -> Response:
            if not token:
                return render(request, "disabled.html", 404)
            if not signed_in(request):
                return RedirectResponse(link(request, "login"), 303)
            return await run_in_threadpool(page, request)
        return endpoint

    async def login(request: Request) -> Response:
        """The sign-in form; a right token starts a session and opens the tickets."""
        if not token:
            return render(request, "disabled.html", 404)
        if request.method == "GET":
            return render(request, "login.html", error=None)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0].strip().encode()
        if not hmac.compare_digest(given, token):
            return render(request, "login.html", 401, error="That is not the admin token "
                          "(SLA_BRIDGE_ADMIN_TOKEN). Try again.")
        if request.url.scheme != "https" and secure_cookie(cookie_setting, request.scope):
            return render(request, "login.html", 400,
                          error=PLAIN_HTTP.format(setting=cookie_setting))
        request.session["admin"] = fingerprint
        return RedirectResponse(link(request, "tickets"), 303)

    async def logout(request: Request) -> Response:
        """End the session."""
        request.session.clear()
        return RedirectResponse(link(request, "login"), 303)

    def tickets(request: Request) -> Response:
        """Breached, at-risk or due-soon clocks, filtered as the query string says."""
        params = request.query_params
        view = params.get("view", "breached")
        if view not in VIEWS:
            view = "breached"
        hours = _hours(params.get("hours"))
        chosen = {name: params.get(name) or None for name in FILTERS}
        due_soon = view == "due_soon"
        wanted = ClockFilter(
            state=VIEW_STATES[view],
            due_before=runtime.clock.now() + timedelta(hours=hours) if due_soon else None,
            platform=chosen["platform"], policy=chosen["policy"], plan=chosen["plan"],
            severity=chosen["severity"])
        listing = list_clocks(runtime, wanted)
        return render(request, "tickets.html", listing=listing, view=view, views=VIEWS,
                      hours=hours, chosen=chosen, options=_options(runtime))

    def ticket(request: Request) -> Response:
        """One ticket: clocks, timers, decisions and what the bridge wrote."""
        platform = request.path_params["platform"]
        ticket_id = request.path_params["ticket_id"]
        store = runtime.store
        try:
            ref = TicketRef(platform=platform, ticket_id=ticket_id)
        except ValidationError:  # no ticket the bridge stores has such an id (NUL, too long)
            ref = None
        record = store.ticket(ref) if ref is not None else None
        if ref is None or record is None:
            return render(request, "not_found.html", 404, platform=platform, ticket_id=ticket_id)
        # The same view of each clock as the lists: local due instant, business time left.
        views = list_clocks(runtime, ClockFilter(platform=platform, ticket_id=ticket_id))
        local = {clock.metric: clock for clock in views.clocks}
        return render(request, "ticket.html", record=record, ref=ref, local=local,
                      timers=store.timers(ref=ref), decisions=store.decisions(ref),
                      ledger=store.ledger(ref),
                      ticket_url=ticket_url(runtime.platforms.get(platform), ticket_id))

    def compliance_page(request: Request) -> Response:
        """Targets met vs breached over the last weeks, with the chart."""
        weeks = max(1, min(52, _int(request.query_params.get("weeks"), 8)))
        now = runtime.clock.now()
        report = compliance(runtime, now - timedelta(weeks=weeks), now + timedelta(seconds=1))
        return render(request, "compliance.html", report=report, weeks=weeks,
                      chart=compliance_chart(report.rows))

    routes = [
        Route("/login", login, methods=["GET", "POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/", guarded(tickets), name="tickets"),
        Route("/compliance", guarded(compliance_page), name="compliance"),
        Route("/tickets/{platform}/{ticket_id:path}", guarded(ticket), name="ticket"),
    ]
    # The key is derived from the token: every worker process signs and checks alike.
    key = hmac.new(token or b"disabled", b"sla-bridge ui cookie key", hashlib.sha256).hexdigest()
    middleware = [Middleware(_Sessions, setting=cookie_setting, secret_key=key,
                             session_cookie=SESSION_COOKIE, max_age=SESSION_HOURS * 3600,
                             same_site="strict", path="/ui")]
    app = Starlette(routes=routes, middleware=middleware)
    return app


def _options(runtime: Runtime) -> dict[str, list[str]]:
    policies = runtime.policies
    return {"platform": sorted(runtime.platforms),
            "policy": sorted(p.id for p in policies),
            "plan": sorted({plan for p in policies for plan in p.plans}),
            "severity": sorted({s.id for p in policies for s in p.severities})}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _hours(value: str | None) -> int:
    return max(1, min(24 * 14, _int(value, 8)))
