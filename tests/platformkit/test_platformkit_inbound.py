"""Reading a verified JSON webhook: a body that is not an object is refused with the reason,
and the same delivery twice gets the same key."""

from __future__ import annotations

import pytest
from platformkit_fakes import NOW

from sla_bridge.platformkit import delivery_id, json_object
from sla_bridge.platforms import BadPayload, WebhookRequest


def request(body: bytes, **headers: str) -> WebhookRequest:
    return WebhookRequest(headers=headers, body=body, received_at=NOW)


def test_a_json_object_is_read() -> None:
    assert json_object(request(b'{"ticket_id": "42"}')) == {"ticket_id": "42"}


@pytest.mark.parametrize(("body", "reason"), [
    (b"not json", "the body is not JSON"), (b"\xff\xfe", "the body is not JSON"),
    (b"[1, 2]", "the body must be a JSON object"), (b'"text"', "must be a JSON object"),
])
def test_a_body_that_is_not_a_json_object_is_a_bad_payload(body: bytes, reason: str) -> None:
    with pytest.raises(BadPayload, match=reason) as caught:
        json_object(request(body))
    assert caught.value.status == 400


def test_the_vendors_id_is_the_delivery_key() -> None:
    assert delivery_id(request(b"{}"), None, "", " evt-1 ", "evt-2") == "evt-1"
    assert delivery_id(request(b"{}"), 12345) == "12345"
    assert len(delivery_id(request(b"{}"), "x" * 500)) == 200


def test_without_an_id_the_same_delivery_has_the_same_key() -> None:
    first = delivery_id(request(b'{"a": 1}', stamp="t1"), None, hashed_headers=("stamp",))
    again = delivery_id(request(b'{"a": 1}', stamp="t1"), None, hashed_headers=("stamp",))
    later = delivery_id(request(b'{"a": 1}', stamp="t2"), None, hashed_headers=("stamp",))
    other = delivery_id(request(b'{"a": 2}', stamp="t1"), None, hashed_headers=("stamp",))
    assert first == again
    assert first.startswith("body:")
    assert len({first, later, other}) == 3
