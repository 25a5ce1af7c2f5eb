"""What a vendor answers when the sandbox refuses a request on purpose.

Each vendor has its own error bodies and rate-limit headers (Zendesk answers 429 with
``Retry-After`` and ``{"error": "APIRateLimitExceeded", ...}``; other desks use other
statuses, bodies and headers), so the middleware asks an :class:`ErrorReplies` for them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._faults import Fault, RateWindow


@dataclass(frozen=True)
class Reply:
    """One answer: status, JSON body, extra headers."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


def retry_after(seconds: float, at_least: int = 1) -> str:
    """A ``Retry-After`` value: whole seconds, rounded up, at least ``at_least``."""
    return str(max(at_least, math.ceil(seconds)))


def plain_over_limit(window: RateWindow) -> Reply:
    """429 with ``Retry-After`` until the window resets."""
    return Reply(429, {"error": "rate limit exceeded"},
                 {"Retry-After": retry_after(window.reset)})


def plain_injected(fault: Fault) -> Reply:
    """The fault's status; 429 and 503 carry ``Retry-After`` (the fault's, or 1 s)."""
    headers = ({"Retry-After": retry_after(fault.retry_after or 1, at_least=0)}
               if fault.status in (429, 503) else {})
    return Reply(fault.status, {"error": "injected fault", "status": fault.status}, headers)


def no_limit_headers(window: RateWindow) -> Mapping[str, str]:
    """No rate-limit headers on the answers."""
    return {}


@dataclass(frozen=True)
class ErrorReplies:
    """A vendor's answers to a spent rate limit and to injected ``status`` faults, and the
    rate-limit headers on every API answer. The defaults are plain, vendor-neutral ones."""

    over_limit: Callable[[RateWindow], Reply] = plain_over_limit
    injected: Callable[[Fault], Reply] = plain_injected
    limit_headers: Callable[[RateWindow], Mapping[str, str]] = no_limit_headers
