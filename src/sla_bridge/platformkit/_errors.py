"""Whatever went wrong calling a vendor, as the bridge's :class:`VendorError`.

:class:`VendorErrors` is made once per platform with the exception classes of its HTTP
library (the kit depends on none) and a test for "this ticket is closed"; ``translate`` and
``calling`` then turn an answer or an exception into a :class:`VendorError` (retryable or
not, with the status, ``retry_after`` and the vendor's own words) or :class:`TicketClosed`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sla_bridge.clock import Clock
from sla_bridge.platforms import TicketClosed, VendorError

from ._ratelimit import RateLimited, retry_after_seconds

ClosedTest = Callable[[int, str], bool]
ExceptionTypes = tuple[type[BaseException], ...]
_MESSAGE_CHARS = 500


def _never_closed(status: int, message: str) -> bool:
    return False


def vendor_message(body: str | bytes, fallback: str = "") -> str:
    """The vendor's own words in an error body: the usual JSON shapes (``error``/``message``/
    ``description``, ``details`` and ``errors`` per field, ``errorMessages``, a list of
    ``{errorCode, message}``), else the text itself, else ``fallback``."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return (text.strip() or fallback)[:300]
    parts = [p for p in _json_words(data) if p]
    return "; ".join(parts)[:_MESSAGE_CHARS] or json.dumps(data)[:300]


def _json_words(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _json_words(item) if isinstance(item, dict | list) else [str(item)]
        return
    if not isinstance(data, dict):
        yield str(data)
        return
    error = data.get("error")
    if isinstance(error, dict):
        yield str(error.get("title") or error.get("message") or error)
    elif error:
        yield str(error)
    code, message = data.get("errorCode"), data.get("message")
    if message:
        yield f"{code}: {message}" if code else str(message)
    if data.get("description"):
        yield str(data["description"])
    yield from (str(m) for m in data.get("errorMessages") or [])
    for key in ("details", "errors"):
        yield from _field_words(data.get(key))


def _field_words(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for name, problems in value.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                text = problem.get("description") if isinstance(problem, dict) else problem
                yield f"{name}: {text}"
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield str(item.get("detail") or item.get("message") or item.get("title"))
            else:
                yield str(item)


@dataclass(frozen=True, repr=False)
class VendorErrors:
    """Translates one platform's failures into :class:`VendorError` and :class:`TicketClosed`.

    ``label`` names the vendor in messages ("Zendesk answered 422: ..."); ``clock`` reads
    ``Retry-After`` dates. ``closed(status, message)`` tells a refusal because the ticket is
    closed. ``timeouts``, ``disconnects`` and ``transport`` are the HTTP library's exception
    classes for "no answer in time", "the connection failed" and any other transport
    failure: all three are retryable, as are 5xx answers and ``retryable_statuses``.
    """

    platform: str
    label: str
    clock: Clock
    closed: ClosedTest = field(default=_never_closed, kw_only=True)
    timeouts: ExceptionTypes = field(default=(), kw_only=True)
    disconnects: ExceptionTypes = field(default=(), kw_only=True)
    transport: ExceptionTypes = field(default=(), kw_only=True)
    retryable_statuses: frozenset[int] = field(default=frozenset({409, 429}), kw_only=True)

    def __repr__(self) -> str:
        return f"VendorErrors(platform={self.platform!r})"

    def from_answer(self, what: str, status: int, headers: Mapping[str, str],
                    body: str | bytes, reason: str = "") -> VendorError:
        """The error for an HTTP answer with a failing ``status``: closed tickets are
        :class:`TicketClosed`; 5xx and ``retryable_statuses`` are retryable, with
        ``Retry-After`` read against the clock."""
        words = vendor_message(body, reason)
        message = f"{what}: {self.label} answered {status}: {words}"
        if self.closed(status, words):
            return TicketClosed(message, platform=self.platform, status=status)
        retryable = status >= 500 or status in self.retryable_statuses
        lowered = {k.lower(): v for k, v in headers.items()}
        retry_after = (retry_after_seconds(lowered.get("retry-after"), self.clock.now())
                       if retryable else None)
        return VendorError(message, platform=self.platform, retryable=retryable,
                           status=status, retry_after=retry_after)

    def rate_limited(self, what: str, exc: RateLimited) -> VendorError:
        """The retryable error for a wait the vendor (or the rate gate) asked for."""
        return VendorError(f"{what}: {self.label} rate limit, retry after "
                           f"{exc.retry_after:.0f} s", platform=self.platform, retryable=True,
                           status=exc.status or 429, retry_after=exc.retry_after)

    def not_found(self, what: str) -> VendorError:
        """A non-retryable "there is no such thing" (status 404), e.g. an id of the wrong form."""
        return VendorError(what, platform=self.platform, retryable=False, status=404)

    def refused(self, what: str) -> VendorError:
        """A non-retryable failure the bridge found itself (no HTTP status), e.g. no such group."""
        return VendorError(what, platform=self.platform, retryable=False)

    def translate(self, exc: BaseException, what: str) -> VendorError:
        """Translate any failure of the call described by ``what``.

        An exception carrying an HTTP answer (``exc.response`` with ``status_code``,
        ``headers`` and ``text``) is judged by :meth:`from_answer`; timeouts, dropped
        connections and other transport failures are retryable; anything else is not.
        """
        if isinstance(exc, VendorError):
            return exc
        if isinstance(exc, RateLimited):
            return self.rate_limited(what, exc)
        if isinstance(exc, self.timeouts):
            return VendorError(f"{what}: {self.label} did not answer in time",
                               platform=self.platform, retryable=True)
        if isinstance(exc, self.disconnects):
            return VendorError(f"{what}: connection to {self.label} failed "
                               f"({type(exc).__name__})", platform=self.platform,
                               retryable=True)
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            return self.from_answer(what, status, getattr(response, "headers", None) or {},
                                    str(getattr(response, "text", "") or ""),
                                    str(getattr(response, "reason", "") or ""))
        if isinstance(exc, self.transport):
            return VendorError(f"{what}: {type(exc).__name__}", platform=self.platform,
                               retryable=True)
        return VendorError(f"{what}: {type(exc).__name__}: {exc}"[:_MESSAGE_CHARS],
                           platform=self.platform, retryable=False)

    @contextmanager
    def calling(self, what: str) -> Iterator[None]:
        """Run vendor calls, re-raising any failure as :class:`VendorError`."""
        try:
            yield
        except VendorError:
            raise
        except Exception as exc:
            raise self.translate(exc, what) from exc
