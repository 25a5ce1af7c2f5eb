"""Talking to Zendesk: zenpy over a session the plugin controls, and error translation.

zenpy builds ``https://<subdomain>.zendesk.com/api/v2/...`` URLs. The session it is given
carries a transport adapter that

* sends those requests to ``SLA_BRIDGE_ZENDESK__BASE_URL`` instead, when it is set (the
  sandbox, or a proxy), while zenpy keeps seeing the URL it built, so the redirect is
  scoped to this client and needs no process-wide ``ZENPY_FORCE_*`` variables;
* honours Zendesk's rate limit: a 429 becomes :class:`RateLimited` with its
  ``Retry-After`` before zenpy can sleep on it, and when the ``X-Rate-Limit-Remaining`` /
  ``ratelimit-remaining`` headers say the budget is spent, further calls are refused
  until ``ratelimit-reset`` instead of earning 429s;
* never retries by itself: retries belong to the bridge's policy (one budget, one ledger).

:func:`vendor_error` turns whatever went wrong into the bridge's :class:`VendorError`
(retryable or not, with status and ``retry_after``) or :class:`TicketClosed`.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sla_bridge.platforms import TicketClosed, VendorError

from ._version import __version__
from .settings import ZendeskSettings

PLATFORM = "zendesk"


class RateLimited(Exception):
    """Zendesk said (or its headers said) to wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float, status: int | None) -> None:
        super().__init__(f"rate limited; retry after {retry_after:.1f} s")
        self.retry_after = retry_after
        self.status = status


def retry_after_seconds(value: str | None) -> float | None:
    """Read ``Retry-After``: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RateLimitGate:
    """The account's API budget as the last answers described it (shared by all threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0
        self.limit: int | None = None
        self.remaining: int | None = None

    def check(self) -> None:
        """Raise :class:`RateLimited` while the budget is known to be spent."""
        with self._lock:
            wait = self._until - time.monotonic()
        if wait > 0:
            raise RateLimited(wait, None)

    def observe(self, response: requests.Response) -> None:
        """Learn from an answer's rate-limit headers; raise on 429."""
        headers = response.headers
        remaining = headers.get("x-rate-limit-remaining") or headers.get("ratelimit-remaining")
        limit = headers.get("x-rate-limit") or headers.get("ratelimit-limit")
        reset = retry_after_seconds(headers.get("ratelimit-reset"))
        with self._lock:
            if limit and limit.isdigit():
                self.limit = int(limit)
            if remaining and remaining.lstrip("-").isdigit():
                self.remaining = int(remaining)
                if self.remaining <= 0 and reset:
                    self._until = max(self._until, time.monotonic() + reset)
        if response.status_code == 429:
            wait = retry_after_seconds(headers.get("retry-after"))
            if wait is None:
                wait = reset if reset is not None else 10.0
            with self._lock:
                self._until = max(self._until, time.monotonic() + wait)
            response.close()
            raise RateLimited(wait, 429)


class ZendeskAdapter(HTTPAdapter):
    """Sends zenpy's requests to the configured base URL and applies the rate-limit gate."""

    def __init__(self, canonical: str, base: str | None, gate: RateLimitGate) -> None:
        super().__init__(max_retries=0)
        self.canonical = canonical.rstrip("/")
        self.base = base.rstrip("/") if base else None
        self.gate = gate

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: bool | str = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        """Send, rebased when a base URL is set; the request keeps the URL zenpy built."""
        self.gate.check()
        original = request.url
        if self.base and original and original.startswith(self.canonical):
            request.url = self.base + original[len(self.canonical):]
        try:
            response = super().send(request, stream=stream, timeout=timeout, verify=verify,
                                    cert=cert, proxies=proxies)
        finally:
            request.url = original
        self.gate.observe(response)
        return response


def make_session(settings: ZendeskSettings, gate: RateLimitGate) -> requests.Session:
    """A session for one thread: the adapter mounted for Zendesk's and the base URL."""
    session = requests.Session()
    adapter = ZendeskAdapter(settings.canonical_url, settings.base_url, gate)
    session.mount(settings.canonical_url + "/", adapter)
    if settings.base_url:
        session.mount(settings.base_url + "/", adapter)
    session.headers["User-Agent"] = f"sla-bridge-zendesk/{__version__}"
    return session


class ZendeskClient:
    """One Zendesk account: a zenpy client per thread (zenpy objects are not thread-safe)."""

    def __init__(self, settings: ZendeskSettings) -> None:
        self.settings = settings
        self.gate = RateLimitGate()
        self._local = threading.local()

    def __repr__(self) -> str:
        return (f"ZendeskClient(account={self.settings.account!r}, "
                f"base_url={self.settings.base_url!r})")

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
        if response.status_code >= 400:
            raise HttpError(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def get_all(self, path: str, key: str, params: dict[str, str] | None = None) -> list[Any]:
        """Every item of a cursor-paginated list endpoint."""
        items: list[Any] = []
        page = self.request_json("GET", path, params={**(params or {}), "page[size]": "100"})
        while True:
            items.extend(page.get(key) or [])
            meta = page.get("meta") or {}
            following = (page.get("links") or {}).get("next") or page.get("next_page")
            if not following or meta.get("has_more") is False:
                return items
            response = self.session.get(following, timeout=self.settings.timeout_seconds)
            if response.status_code >= 400:
                raise HttpError(response)
            page = response.json()


class HttpError(Exception):
    """A non-2xx answer to a plain JSON call."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def api_message(response: requests.Response) -> str:
    """The API's own words for an error, in any of Zendesk's error shapes."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "")[:300]
    if not isinstance(body, dict):
        return str(body)[:300]
    parts: list[str] = []
    error = body.get("error")
    if isinstance(error, dict):
        parts.append(str(error.get("title") or error.get("message") or error))
    elif error:
        parts.append(str(error))
    if body.get("description"):
        parts.append(str(body["description"]))
    details = body.get("details")
    if isinstance(details, dict):
        for name, problems in details.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                text = problem.get("description") if isinstance(problem, dict) else problem
                parts.append(f"{name}: {text}")
    for item in body.get("errors") or []:
        if isinstance(item, dict):
            parts.append(str(item.get("detail") or item.get("message") or item.get("title")))
    return "; ".join(p for p in parts if p)[:500] or json.dumps(body)[:300]


def _closed(response: requests.Response) -> bool:
    if response.status_code != 422:
        return False
    message = api_message(response).lower()
    return "closed prevents ticket update" in message or (
        "status" in message and "closed" in message and "prevent" in message)


def vendor_error(exc: BaseException, what: str) -> VendorError:
    """Translate a failed call into the bridge's error types."""
    if isinstance(exc, VendorError):
        return exc
    if isinstance(exc, RateLimited):
        return VendorError(f"{what}: Zendesk rate limit, retry after {exc.retry_after:.0f} s",
                           platform=PLATFORM, retryable=True, status=exc.status or 429,
                           retry_after=exc.retry_after)
    if isinstance(exc, requests.Timeout):
        return VendorError(f"{what}: Zendesk did not answer in time", platform=PLATFORM,
                           retryable=True)
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError
                  | requests.exceptions.ContentDecodingError):
        return VendorError(f"{what}: connection to Zendesk failed ({type(exc).__name__})",
                           platform=PLATFORM, retryable=True)
    response = getattr(exc, "response", None)
    if isinstance(response, requests.Response):
        status = response.status_code
        message = f"{what}: Zendesk answered {status}: {api_message(response)}"
        if _closed(response):
            return TicketClosed(message, platform=PLATFORM, status=422)
        if status == 429:
            return VendorError(message, platform=PLATFORM, retryable=True, status=429,
                               retry_after=retry_after_seconds(
                                   response.headers.get("retry-after")))
        retryable = status >= 500 or status == 409
        return VendorError(message, platform=PLATFORM, retryable=retryable, status=status,
                           retry_after=retry_after_seconds(response.headers.get("retry-after"))
                           if retryable else None)
    if isinstance(exc, requests.RequestException):  # an answer that is not JSON included
        return VendorError(f"{what}: {type(exc).__name__}", platform=PLATFORM, retryable=True)
    return VendorError(f"{what}: {type(exc).__name__}: {exc}"[:500], platform=PLATFORM,
                       retryable=False)


@contextmanager
def calling(what: str) -> Iterator[None]:
    """Run Zendesk calls, re-raising any failure as :class:`VendorError`."""
    try:
        yield
    except VendorError:
        raise
    except Exception as exc:
        raise vendor_error(exc, what) from exc
