"""Salesforce's error answers: a JSON array of ``{"message", "errorCode", "fields"}``.

REST status codes and error bodies: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
— the org's API request limit is 403 ``REQUEST_LIMIT_EXCEEDED`` (not 429), overload is 503,
and neither carries ``Retry-After``. Every API answer carries ``Sforce-Limit-Info:
api-usage=n/limit`` (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sla_bridge.sandbox import ApiError, ErrorReplies, Fault, RateWindow, Reply


def sf_error(status: int, code: str, message: str, fields: Iterable[str] = ()) -> ApiError:
    """An error answer in Salesforce's shape (one error in the array)."""
    return ApiError(status, [{"message": message, "errorCode": code, "fields": list(fields)}])


def invalid_session() -> ApiError:
    """401 for a missing, wrong or expired access token (a JSON list: simple-salesforce
    reads ``[0]["errorCode"]`` to decide to log in again)."""
    return ApiError(401, [{"message": "Session expired or invalid",
                           "errorCode": "INVALID_SESSION_ID"}])


def not_found(what: str = "The requested resource does not exist") -> ApiError:
    """404 ``NOT_FOUND``."""
    return sf_error(404, "NOT_FOUND", what)


#: What an injected ``status`` fault answers, by status: the error Salesforce gives for it.
INJECTED: Mapping[int, tuple[str, str]] = {
    400: ("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records"),
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if "
          "you contact support: 1234567890-12345 (-1234567890)"),
    503: ("SERVER_UNAVAILABLE", "Server unavailable; try again later."),
}


def _over_limit(window: RateWindow) -> Reply:
    code, message = INJECTED[403]
    return Reply(403, [{"message": message, "errorCode": code}])


def _injected(fault: Fault) -> Reply:
    code, message = INJECTED.get(fault.status, ("UNKNOWN_EXCEPTION", "injected fault"))
    return Reply(fault.status, [{"message": message, "errorCode": code, "fields": []}])


def _limit_headers(window: RateWindow) -> Mapping[str, str]:
    return {"Sforce-Limit-Info": f"api-usage={window.limit - window.remaining}/{window.limit}"}


#: Salesforce's answers to a spent API limit and to injected faults; no ``Retry-After``.
SALESFORCE_REPLIES = ErrorReplies(over_limit=_over_limit, injected=_injected,
                                  limit_headers=_limit_headers)
