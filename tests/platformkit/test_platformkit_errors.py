"""Vendor failures become VendorError (retryable or not, with Retry-After and the vendor's own
words) or TicketClosed, whatever HTTP library the plugin uses."""

from __future__ import annotations

import json
from datetime import timedelta
from email.utils import format_datetime

import pytest
from platformkit_fakes import NOW, Boom, FakeTimeout

from sla_bridge.clock import FixedClock
from sla_bridge.platformkit import RateLimited, VendorErrors, vendor_message
from sla_bridge.platforms import TicketClosed, VendorError


class FakeDisconnect(Exception):
    pass


class FakeTransport(Exception):
    pass


def errors() -> VendorErrors:
    return VendorErrors("acme", "Acme", FixedClock(NOW),
                        closed=lambda status, words: status == 422 and "closed" in words,
                        timeouts=(FakeTimeout,), disconnects=(FakeDisconnect,),
                        transport=(FakeTransport,))


@pytest.mark.parametrize("status", [500, 502, 503, 409, 429])
def test_server_errors_conflicts_and_rate_limits_are_retryable(status: int) -> None:
    error = errors().from_answer("fetch ticket 42", status, {"Retry-After": "7"}, "{}")
    assert error.retryable
    assert (error.status, error.retry_after, error.platform) == (status, 7, "acme")
    assert str(error).startswith(f"fetch ticket 42: Acme answered {status}")


def test_a_retry_after_date_is_honoured() -> None:
    date = format_datetime(NOW + timedelta(minutes=2), usegmt=True)
    assert errors().from_answer("x", 503, {"retry-after": date}, "").retry_after == 120


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_go_straight_to_the_dead_letters(status: int) -> None:
    error = errors().from_answer("x", status, {"Retry-After": "7"}, "{}")
    assert not error.retryable
    assert error.retry_after is None
    assert not isinstance(error, TicketClosed)


def test_a_closed_ticket_is_ticket_closed() -> None:
    body = json.dumps({"error": "RecordInvalid", "details": {
        "status": [{"description": "Status: closed prevents ticket update"}]}})
    error = errors().from_answer("add comment on ticket 42", 422, {}, body)
    assert isinstance(error, TicketClosed)
    assert (error.status, error.retryable) == (422, False)
    assert "closed prevents ticket update" in str(error)


@pytest.mark.parametrize(("body", "words"), [
    ({"error": "RecordInvalid", "description": "Record validation errors",
      "details": {"assignee": [{"description": "Assignee: is not an agent"}]}},
     "RecordInvalid; Record validation errors; assignee: Assignee: is not an agent"),
    ({"errorMessages": ["Issue does not exist"], "errors": {"summary": "Field required"}},
     "Issue does not exist; summary: Field required"),
    ([{"errorCode": "INVALID_FIELD", "message": "No such column 'Foo__c'"}],
     "INVALID_FIELD: No such column 'Foo__c'"),
    ({"error": {"title": "Forbidden", "message": "no"}}, "Forbidden"),
    ({"errors": [{"detail": "Too many"}]}, "Too many"),
])
def test_the_vendors_own_words_are_kept(body: object, words: str) -> None:
    assert vendor_message(json.dumps(body)) == words
    assert words in str(errors().from_answer("x", 400, {}, json.dumps(body).encode()))


def test_a_body_that_is_not_json_is_quoted_and_an_empty_one_gives_the_reason() -> None:
    assert vendor_message("<html>Bad gateway</html>") == "<html>Bad gateway</html>"
    assert vendor_message("", "Service Unavailable") == "Service Unavailable"
    assert vendor_message("x" * 1000) == "x" * 300


def test_exceptions_of_the_http_library_are_translated() -> None:
    translate = errors().translate
    timeout = translate(FakeTimeout(), "fetch ticket 1")
    assert (timeout.retryable, timeout.status) == (True, None)
    assert str(timeout) == "fetch ticket 1: Acme did not answer in time"
    dropped = translate(FakeDisconnect(), "x")
    assert dropped.retryable
    assert "connection to Acme failed (FakeDisconnect)" in str(dropped)
    assert translate(FakeTransport(), "x").retryable
    answered = translate(Boom(503, '{"error": "Down"}', {"Retry-After": "3"}), "x")
    assert (answered.status, answered.retry_after, answered.retryable) == (503, 3, True)
    assert "Down" in str(answered)
    assert isinstance(translate(Boom(422, "ticket is closed"), "x"), TicketClosed)
    limited = translate(RateLimited(4, None), "x")
    assert (limited.retryable, limited.status, limited.retry_after) == (True, 429, 4)
    bug = translate(KeyError("id"), "x")
    assert not bug.retryable
    assert "KeyError" in str(bug)
    same = VendorError("y", platform="acme", retryable=True)
    assert translate(same, "x") is same


def test_calling_re_raises_any_failure_as_a_vendor_error() -> None:
    with pytest.raises(VendorError) as caught, errors().calling("set status on ticket 9"):
        raise FakeTimeout()
    assert str(caught.value).startswith("set status on ticket 9:")
    assert isinstance(caught.value.__cause__, FakeTimeout)
