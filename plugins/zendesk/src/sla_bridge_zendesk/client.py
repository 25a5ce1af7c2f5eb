"""Talking to Zendesk: zenpy over a session the plugin controls.

zenpy builds ``https://<subdomain>.zendesk.com/api/v2/...`` URLs. The session it is given
carries a transport adapter that

* sends those requests to ``SLA_BRIDGE_ZENDESK__BASE_URL`` instead, when it is set (the
  sandbox, or a proxy), while zenpy keeps seeing the URL it built, so the redirect is
  scoped to this client and needs no process-wide ``ZENPY_FORCE_*`` variables;
* honours Zendesk's rate limit through the kit's :class:`~sla_bridge.platformkit.RateGate`:
  a 429 becomes :class:`~sla_bridge.platformkit.RateLimited` with its ``Retry-After`` before
  zenpy can sleep on it, and when ``X-Rate-Limit-Remaining`` / ``ratelimit-remaining`` say
  the budget is spent, further calls are refused until ``ratelimit-reset``;
* never retries by itself: retries belong to the bridge's policy (one budget, one ledger);
* sends only the query parameters the API documents: zenpy writes a literal
  ``include=None`` into some URLs (the audits of a ticket, the users of an organization)
  when it side-loads nothing, and the adapter leaves it out (:func:`documented_url`).

:attr:`ZendeskClient.errors` (the kit's :class:`~sla_bridge.platformkit.VendorErrors`, told
requests' exception types and Zendesk's "closed" answer) turns whatever went wrong into the
bridge's :class:`VendorError` or :class:`TicketClosed`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from sla_bridge.clock import Clock, SystemClock
from sla_bridge.platformkit import RateGate, RateLimited, RateLimitHeaders, VendorErrors

from ._version import __version__
from .settings import PLATFORM, ZendeskSettings

__all__ = ["PLATFORM", "HttpError", "RateLimited", "ZendeskAdapter", "ZendeskClient",
           "documented_url", "make_session", "zendesk_errors"]

RATE_LIMIT_HEADERS = RateLimitHeaders(limit=("x-rate-limit", "ratelimit-limit"),
                                      remaining=("x-rate-limit-remaining", "ratelimit-remaining"))


def _closed(status: int, message: str) -> bool:
    """Zendesk's 422 for an update of a closed ticket."""
    message = message.lower()
    return status == 422 and ("closed prevents ticket update" in message or (
        "status" in message and "closed" in message and "prevent" in message))


def zendesk_errors(clock: Clock) -> VendorErrors:
    """The translator of Zendesk's answers and of requests' exceptions."""
    return VendorErrors(
        PLATFORM, "Zendesk", clock, closed=_closed, timeouts=(requests.Timeout,),
        disconnects=(requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                     requests.exceptions.ContentDecodingError),
        transport=(requests.RequestException,))


# What zenpy's URL builder writes for an ``include`` it was given as ``None``.
_EMPTY_INCLUDE = "include=None"


def documented_url(url: str) -> str:
    """``url`` without the literal ``include=None`` zenpy puts in some queries (Zendesk
    documents ``include`` as a list of side-loads; "None" is none of them)."""
    parts = urlsplit(url)
    if _EMPTY_INCLUDE not in parts.query:
        return url
    query = "&".join(p for p in parts.query.split("&") if p != _EMPTY_INCLUDE)
    return urlunsplit(parts._replace(query=query))


class ZendeskAdapter(HTTPAdapter):
    """Sends zenpy's requests to the configured base URL and applies the rate gate."""

    def __init__(self, canonical: str, base: str | None, gate: RateGate) -> None:
        super().__init__(max_retries=0)
        self.canonical = canonical.rstrip("/")
        self.base = base.rstrip("/") if base else None
        self.gate = gate

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: bool | str = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        """Send, rebased when a base URL is set and without zenpy's ``include=None``; the
        request keeps the URL zenpy built."""
        self.gate.check()
        original = request.url
        if original:
            request.url = documented_url(original)
        if self.base and request.url and request.url.startswith(self.canonical):
            request.url = self.base + request.url[len(self.canonical):]
        try:
            response = super().send(request, stream=stream, timeout=timeout, verify=verify,
                                    cert=cert, proxies=proxies)
        finally:
            request.url = original
        wait = self.gate.observe(response.status_code, response.headers)
        if wait is not None:
            response.close()
            raise RateLimited(wait, 429)
        return response


def make_session(settings: ZendeskSettings, gate: RateGate) -> requests.Session:
    """A session for one thread: the adapter mounted for Zendesk's and the base URL."""
    session = requests.Session()
    adapter = ZendeskAdapter(settings.canonical_url, settings.base_url, gate)
    session.mount(settings.canonical_url + "/", adapter)
    if settings.base_url:
        session.mount(settings.base_url + "/", adapter)
    session.headers["User-Agent"] = f"sla-bridge-zendesk/{__version__}"
    read_environment_once(session, settings.base_url or settings.canonical_url)
    return session


def read_environment_once(session: requests.Session, url: str) -> None:
    """Take the proxy (``HTTPS_PROXY``, ``NO_PROXY`` ...) and CA bundle
    (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) variables for ``url`` once, instead of
    requests reading the environment afresh for every request (a few per cent of a
    reconcile's CPU): the session only ever calls the one account. The credentials are
    zenpy's, so ``.netrc`` is not read either way."""
    session.proxies.update(requests.utils.get_environ_proxies(url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


class ZendeskClient:
    """One Zendesk account: a zenpy client per thread (zenpy objects are not thread-safe).

    ``clock`` reads ``Retry-After`` dates; the bridge's clock when the platform makes it.
    """

    def __init__(self, settings: ZendeskSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        clock = clock or SystemClock()
        self.gate = RateGate(clock, RATE_LIMIT_HEADERS)
        self.errors = zendesk_errors(clock)
        self._local = threading.local()

    def __repr__(self) -> str:
        return (f"ZendeskClient(account={self.settings.account!r}, "
                f"base_url={self.settings.base_url!r})")

    def calling(self, what: str) -> AbstractContextManager[None]:
        """Run Zendesk calls, re-raising any failure as :class:`VendorError`."""
        return self.errors.calling(what)

    @property
    def zenpy(self) -> Any:
        """This thread's zenpy client."""
        client = getattr(self._local, "zenpy", None)
        if client is None:
            from zenpy import Zenpy  # type: ignore[import-untyped,unused-ignore]

            session = make_session(self.settings, self.gate)
            client = Zenpy(subdomain=self.settings.account, email=self.settings.email,
                           token=self.settings.api_token.get_secret_value(), session=session,
                           timeout=self.settings.timeout_seconds, disable_cache=True)
            self._local.zenpy = client
            self._local.session = session
        return client

    @property
    def session(self) -> requests.Session:
        """This thread's authenticated session (the one zenpy uses)."""
        self.zenpy  # noqa: B018 - creates the session
        session: requests.Session = self._local.session
        return session

    def url(self, path: str) -> str:
        """The canonical URL of an API path such as ``/webhooks``."""
        return f"{self.settings.canonical_url}/api/v2{path}"

    def request_json(self, method: str, path: str, *, json_body: Any = None,
                     params: dict[str, str] | None = None) -> Any:
        """Call an endpoint zenpy does not model well, on the same session; raise on errors."""
        response = self.session.request(method, self.url(path), json=json_body, params=params,
                                        timeout=self.settings.timeout_seconds)
        return _json(response)

    def get_all(self, path: str, key: str, params: dict[str, str] | None = None) -> list[Any]:
        """Every item of a cursor-paginated list endpoint."""
        return list(self._pages(path, key, params))

    def _pages(self, path: str, key: str, params: dict[str, str] | None) -> Iterator[Any]:
        page = self.request_json("GET", path, params={**(params or {}), "page[size]": "100"})
        while True:
            yield from page.get(key) or []
            meta = page.get("meta") or {}
            following = (page.get("links") or {}).get("next") or page.get("next_page")
            if not following or meta.get("has_more") is False:
                return
            page = _json(self.session.get(following, timeout=self.settings.timeout_seconds))


def _json(response: requests.Response) -> Any:
    if response.status_code >= 400:
        raise HttpError(response)
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


class HttpError(Exception):
    """A non-2xx answer to a plain JSON call (the kit reads its ``response``)."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
