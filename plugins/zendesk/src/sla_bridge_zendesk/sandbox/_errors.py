"""Errors in Zendesk's shapes."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An API answer other than success: status, Zendesk's JSON body, extra headers."""

    def __init__(self, status: int, body: dict[str, Any],
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def record_invalid(field: str, description: str, error: str = "InvalidValue") -> ApiError:
    """422 ``RecordInvalid`` with one field error, as the Tickets API answers."""
    return ApiError(422, {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {field: [{"description": description, "error": error}]},
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


def rate_limited(retry_after: float) -> ApiError:
    """429 with ``Retry-After`` (whole seconds, at least 1)."""
    seconds = max(1, int(retry_after + 0.999))
    return ApiError(429, {"error": "APIRateLimitExceeded",
                          "description": "Number of allowed API requests per minute exceeded"},
                    {"Retry-After": str(seconds)})
