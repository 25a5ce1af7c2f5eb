"""The ``jira`` client, configured the bridge's way.

* ``max_retries=0``: the library's own retries (a ``ConnectionError`` on a POST repeats it, so
  a dropped connection after Jira created a comment would post it twice) are off; retries
  belong to the bridge's policy, which looks first whether a one-off write landed.
* A rate gate on the session: a 429 holds every call for its ``Retry-After`` (Jira Cloud
  also sends ``Retry-After: 0``) and ``X-RateLimit-Remaining: 0`` holds them until
  ``X-RateLimit-Reset``, see https://developer.atlassian.com/cloud/jira/platform/rate-limiting/.
* Both of Jira's error dialects become a :class:`~sla_bridge.platforms.VendorError` in the
  vendor's words: the platform API's ``{"errorMessages": [...], "errors": {field: ...}}`` and
  the service desk API's ``{"errorMessage": ..., "i18nErrorMessage": {...}}``.
* One client per thread (``requests`` sessions are not thread-safe), built on first use:
  parsing a webhook never calls Jira.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sla_bridge.clock import Clock, SystemClock
from sla_bridge.platformkit import (
    RateGate,
    RateLimited,
    RateLimitHeaders,
    VendorErrors,
    parse_timestamp,
)
from sla_bridge.platforms import VendorError

from ._version import __version__
from .settings import PLATFORM, JiraSettings

RATE_LIMIT_HEADERS = RateLimitHeaders(
    limit=("x-ratelimit-limit",), remaining=("x-ratelimit-remaining",),
    reset=("x-ratelimit-reset",), retry_after=("retry-after",))
# The service desk API's experimental endpoints (request creation, organizations' properties)
# answer only with this header.
EXPERIMENTAL = {"X-ExperimentalApi": "opt-in"}
PAGE = 100


class JiraAdapter(HTTPAdapter):
    """Applies the rate gate to every request of a session."""

    def __init__(self, gate: RateGate) -> None:
        super().__init__(max_retries=0)
        self.gate = gate

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: bool | str = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        """Send unless the budget is spent; a 429 holds later calls and raises."""
        self.gate.check()
        response = super().send(request, stream=stream, timeout=timeout, verify=verify,
                                cert=cert, proxies=proxies)
        wait = self.gate.observe(response.status_code, _with_reset_seconds(response.headers))
        if wait is not None:
            response.close()
            raise RateLimited(wait, 429)
        return response


def _with_reset_seconds(headers: Mapping[str, str]) -> dict[str, str]:
    """Jira's ``X-RateLimit-Reset`` is an ISO 8601 instant; the gate reads an HTTP date."""
    lowered = {k.lower(): v for k, v in headers.items()}
    reset = lowered.get("x-ratelimit-reset")
    when = parse_timestamp(reset) if reset else None
    if when is not None:
        lowered["x-ratelimit-reset"] = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return lowered


@dataclass(frozen=True, repr=False)
class JiraErrors(VendorErrors):
    """:class:`VendorErrors` that also read the service desk API's ``errorMessage``."""

    def from_answer(self, what: str, status: int, headers: Mapping[str, str],
                    body: str | bytes, reason: str = "") -> VendorError:
        """As the kit's, with ``{"errorMessage": ...}`` read as the vendor's words."""
        try:
            data = json.loads(body)
        except (ValueError, TypeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("errorMessage"), str):
            body = json.dumps({"message": data["errorMessage"]})
        error = super().from_answer(what, status, headers, body, reason)
        if status in (401, 403):
            error.args = (f"{error} (check SLA_BRIDGE_JIRA__EMAIL and "
                          "SLA_BRIDGE_JIRA__API_TOKEN, and that the account is an agent of the "
                          "service project)",)
        return error


def jira_errors(clock: Clock) -> JiraErrors:
    """The translator of the plugin's failures (``requests``' exceptions, ``JIRAError``)."""
    return JiraErrors(PLATFORM, "Jira", clock, timeouts=(requests.Timeout,),
                      disconnects=(requests.ConnectionError,),
                      transport=(requests.RequestException,),
                      retryable_statuses=frozenset({429}))


class JiraClient:
    """One Jira site: a ``jira.JIRA`` per thread, sharing the rate gate."""

    def __init__(self, settings: JiraSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        clock = clock or SystemClock()
        self.gate = RateGate(clock, RATE_LIMIT_HEADERS)
        self.errors = jira_errors(clock)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"JiraClient(base_url={self.settings.base_url!r}, email={self.settings.email!r})"

    @property
    def jira(self) -> Any:
        """This thread's ``jira.JIRA`` (its constructor asks ``/rest/api/2/serverInfo``)."""
        client = getattr(self._local, "jira", None)
        if client is None:
            from jira import JIRA

            settings = self.settings
            self.gate.check()
            client = JIRA(server=settings.base_url,
                          basic_auth=(settings.email, settings.api_token.get_secret_value()),
                          options={"headers": {"User-Agent": f"sla-bridge-jira/{__version__}"}},
                          timeout=settings.timeout_seconds, max_retries=0, logging=False)
            client._session.mount(str(settings.base_url) + "/", JiraAdapter(self.gate))
            self._local.jira = client
        return client

    def url(self, path: str) -> str:
        """The site URL of an API path (``/rest/servicedeskapi/...``)."""
        return str(self.settings.base_url) + path

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            experimental: bool = False) -> Any:
        """``GET`` an API path through the client's session; the JSON answer."""
        response = self.jira._session.get(self.url(path), params=params,
                                          headers=dict(EXPERIMENTAL) if experimental else {})
        return response.json() if response.content else None

    def send(self, method: str, path: str, body: Any, experimental: bool = False) -> Any:
        """``POST`` or ``PUT`` JSON to an API path; the JSON answer (``None`` when empty)."""
        call = getattr(self.jira._session, method.lower())
        response = call(self.url(path), data=json.dumps(body),
                        headers=dict(EXPERIMENTAL) if experimental else {})
        return response.json() if response.content else None

    def comments(self, key: str) -> Iterator[dict[str, Any]]:
        """Every comment of an issue with its properties, page by page (the library's
        ``comments()`` reads one page)."""
        start = 0
        while True:
            page = self.jira._get_json(f"issue/{key}/comment", params={
                "expand": "properties", "startAt": str(start), "maxResults": str(PAGE),
                "orderBy": "created"})
            values = page.get("comments") or []
            yield from values
            start += len(values)
            if not values or start >= int(page.get("total") or 0):
                return

    def changelog(self, key: str) -> Iterator[dict[str, Any]]:
        """Every changelog entry of an issue, oldest first, page by page
        (``GET /rest/api/2/issue/{key}/changelog``; ``expand=changelog`` holds only the most
        recent ones,
        https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-changelog-get)."""
        start = 0
        while True:
            page = self.jira._get_json(f"issue/{key}/changelog", params={
                "startAt": str(start), "maxResults": str(PAGE)})
            values = page.get("values") or []
            yield from values
            start += len(values)
            if not values or page.get("isLast") or start >= int(page.get("total") or 0):
                return

    def service_desk_pages(self, path: str) -> Iterator[dict[str, Any]]:
        """Every value of a paged service desk API list (``start``/``limit``/``isLastPage``)."""
        start = 0
        while True:
            page = self.get(path, {"start": start, "limit": 50}) or {}
            values = page.get("values") or []
            yield from values
            start += len(values)
            if page.get("isLastPage", True) or not values:
                return
