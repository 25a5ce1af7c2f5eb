"""Jira's two error dialects, and its answers to a spent rate limit and to injected faults.

The platform API (``/rest/api/2``) answers an ``ErrorCollection``, ``{"errorMessages": [...],
"errors": {field: message}}``; the service desk API (``/rest/servicedeskapi``) an
``ErrorResponse``, ``{"errorMessage": "...", "i18nErrorMessage": {"i18nKey", "parameters"}}``
(both are ``components.schemas`` of Atlassian's OpenAPI documents). Rate limiting follows
https://developer.atlassian.com/cloud/jira/platform/rate-limiting/: 429 with a whole-seconds
``Retry-After``, ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (ISO 8601, minutes) and
``RateLimit-Reason``; a 503 carries ``Retry-After`` only sometimes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sla_bridge.sandbox import ApiError, ErrorReplies, Fault, RateWindow, Reply, retry_after

__all__ = ["ApiError", "bad_request", "conflict", "forbidden", "jira_replies", "not_found",
           "per_issue_limited", "servicedesk_error", "unauthorized"]

#: The reason Jira gives for its per-tenant burst limit, which API-token traffic is under.
BURST_REASON = "jira-burst-based"
#: The reason of the per-issue write limit (several quick writes to one issue).
PER_ISSUE_REASON = "jira-per-issue-on-write"
ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."


def platform_error(status: int, /, *messages: str, **errors: str) -> ApiError:
    """A platform API ``ErrorCollection`` answer."""
    return ApiError(status, {"errorMessages": list(messages), "errors": dict(errors)})


def bad_request(*messages: str, **errors: str) -> ApiError:
    """400 with messages and per-field errors."""
    return platform_error(400, *messages, **errors)


def not_found(message: str = ISSUE_NOT_FOUND) -> ApiError:
    """404: unknown, or not visible to the caller (Jira does not tell them apart)."""
    return platform_error(404, message)


def unauthorized() -> ApiError:
    """401 for missing or wrong Basic credentials (e-mail and API token)."""
    return platform_error(401, "You are not authenticated. Authentication required to "
                          "perform this operation.")


def forbidden(message: str) -> ApiError:
    """403 for a signed-in user without the permission."""
    return platform_error(403, message)


def servicedesk_error(status: int, message: str, key: str) -> ApiError:
    """A service desk API ``ErrorResponse`` answer."""
    return ApiError(status, {"errorMessage": message,
                             "i18nErrorMessage": {"i18nKey": key, "parameters": []}})


def conflict(message: str) -> ApiError:
    """409 of the service desk API (an approval already decided)."""
    return servicedesk_error(409, message, "sd.approval.error.already.decided")


def _reset(now: Callable[[], datetime], seconds: float) -> str:
    return (now() + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%MZ")


def _limited(now: Callable[[], datetime], wait: str, reset: float, reason: str) -> Reply:
    # X-RateLimit-Limit and -Remaining are on every answer (``limit_headers``).
    return Reply(429, {"errorMessages": ["Rate limit exceeded."], "errors": {}}, {
        "Retry-After": wait, "X-RateLimit-Reset": _reset(now, reset),
        "RateLimit-Reason": reason})


def per_issue_limited(now: Callable[[], datetime], reset: float) -> ApiError:
    """429 of the per-issue write limit."""
    reply = _limited(now, retry_after(reset), reset, PER_ISSUE_REASON)
    return ApiError(reply.status, reply.body, reply.headers)


def jira_replies(now: Callable[[], datetime]) -> ErrorReplies:
    """Jira's answers, with ``X-RateLimit-Reset`` on the sandbox's clock ``now``."""

    def over_limit(window: RateWindow) -> Reply:
        return _limited(now, retry_after(window.reset), window.reset, BURST_REASON)

    def injected(fault: Fault) -> Reply:
        if fault.status == 429:
            # Cloud has been seen sending "Retry-After: 0" (pycontribs/jira#1805).
            wait = retry_after(1 if fault.retry_after is None else fault.retry_after,
                               at_least=0)
            return _limited(now, wait, fault.retry_after or 0, BURST_REASON)
        headers = ({"Retry-After": retry_after(fault.retry_after, at_least=0)}
                   if fault.status == 503 and fault.retry_after is not None else {})
        return Reply(fault.status, {"errorMessages": [f"Injected fault {fault.status}."],
                                    "errors": {}}, headers)

    def limit_headers(window: RateWindow) -> Mapping[str, str]:
        headers = {"X-RateLimit-Limit": str(window.limit),
                   "X-RateLimit-Remaining": str(window.remaining)}
        if window.remaining < window.limit // 5:
            headers["X-RateLimit-NearLimit"] = "true"
        return headers

    return ErrorReplies(over_limit=over_limit, injected=injected, limit_headers=limit_headers)
