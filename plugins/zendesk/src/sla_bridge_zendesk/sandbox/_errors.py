"""Zendesk's error bodies, and its answers to a spent rate limit and to injected faults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sla_bridge.sandbox import ApiError, ErrorReplies, Fault, RateWindow, Reply, retry_after

__all__ = ["ZENDESK_REPLIES", "ApiError", "bad_request", "closed_ticket", "forbidden",
           "not_found", "rate_limited", "record_invalid", "required_when_solving", "unauthorized",
           "update_conflict"]


def record_invalid(field: str, description: str, error: str = "InvalidValue") -> ApiError:
    """422 ``RecordInvalid`` with one field error, as the Tickets API answers."""
    return ApiError(422, {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {field: [{"description": description, "error": error}]},
    })


def required_when_solving(fields: list[dict[str, Any]]) -> ApiError:
    """422 ``RecordInvalid`` naming each required ticket field left empty by an update that
    solves the ticket (the wording is [inferred])."""
    return ApiError(422, {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {"base": [{"description": f"{f['title']}: is required when solving a ticket",
                              "error": "BlankValue", "field_key": f["id"]} for f in fields]},
    })


def closed_ticket() -> ApiError:
    """The answer to any update of a closed ticket."""
    return record_invalid("status", "Status: closed prevents ticket update")


def not_found() -> ApiError:
    """404 ``RecordNotFound``."""
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def unauthorized() -> ApiError:
    """401 for missing or wrong credentials."""
    return ApiError(401, {"error": "Couldn't authenticate you"})


def forbidden(description: str = "You do not have access to this page.") -> ApiError:
    """403 for an authenticated user without the role."""
    return ApiError(403, {"error": "Forbidden", "description": description})


def bad_request(description: str) -> ApiError:
    """400 for a body that is not what the endpoint takes (newer APIs' error shape)."""
    return ApiError(400, {"errors": [{"code": "InvalidInput", "title": "Invalid input",
                                      "detail": description}]})


def update_conflict() -> ApiError:
    """409 when ``safe_update`` finds the ticket changed since ``updated_stamp``."""
    return ApiError(409, {
        "error": "UpdateConflict",
        "description": "Safe Update prevented the update due to outdated ticket data. "
                       "Please fetch the latest ticket data and try again.",
    })


def rate_limited(seconds: float, description: str = "Number of allowed API requests per "
                 "minute exceeded") -> ApiError:
    """429 with ``Retry-After`` (whole seconds, at least 1)."""
    return ApiError(429, {"error": "APIRateLimitExceeded", "description": description},
                    {"Retry-After": retry_after(seconds)})


def _over_limit(window: RateWindow) -> Reply:
    error = rate_limited(window.reset)
    return Reply(error.status, error.body, error.headers)


def _injected(fault: Fault) -> Reply:
    headers = ({"Retry-After": retry_after(fault.retry_after or 1, at_least=0)}
               if fault.status in (429, 503) else {})
    body = ({"error": "APIRateLimitExceeded", "description": "Rate limited"}
            if fault.status == 429 else
            {"error": "ServiceUnavailable", "description": "Injected fault"})
    return Reply(fault.status, body, headers)


def _limit_headers(window: RateWindow) -> Mapping[str, str]:
    # Zendesk sends both its own headers and the IETF draft's.
    return {"X-Rate-Limit": str(window.limit),
            "X-Rate-Limit-Remaining": str(window.remaining),
            "ratelimit-limit": str(window.limit),
            "ratelimit-remaining": str(window.remaining),
            "ratelimit-reset": retry_after(window.reset, at_least=0)}


ZENDESK_REPLIES = ErrorReplies(over_limit=_over_limit, injected=_injected,
                               limit_headers=_limit_headers)
