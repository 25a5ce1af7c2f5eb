"""Parsing webhooks: the trigger body to paste, and event-subscribed ticket events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import BadPayload, WebhookRequest
from sla_bridge_zendesk.inbound import TRIGGER_BODY, trigger_body
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.settings import ZendeskSettings
from sla_bridge_zendesk.signature import format_timestamp, sign

SECRET = "inbound-secret"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
BRIDGE_EMAIL = "bridge@acme.test"


def platform(bridge_user_id: int | None = None) -> ZendeskPlatform:
    settings = ZendeskSettings(_env_file=None, subdomain="acme", email=BRIDGE_EMAIL,
                               api_token="token", webhook_secret=SECRET,
                               bridge_user_id=bridge_user_id)
    return ZendeskPlatform(settings, FixedClock(NOW))


def request(body: Any, invocation: str | None = "01HINV") -> WebhookRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = format_timestamp(NOW)
    headers = {"x-zendesk-webhook-signature-timestamp": stamp,
               "x-zendesk-webhook-signature": sign(SECRET, stamp, raw),
               "x-zendesk-webhook-id": "01HWEBHOOK"}
    if invocation:
        headers["x-zendesk-webhook-invocation-id"] = invocation
    return WebhookRequest(headers=headers, body=raw, received_at=NOW)


def rendered(**values: str) -> dict[str, str]:
    """The trigger body as Zendesk renders it."""
    body = {"sla_bridge": "1", "event": "ticket.updated", "ticket_id": "42", "status": "Open",
            "priority": "High", "tags": "gold product_backup", "updater_id": "1002",
            "updater_email": "grace@gold.test"}
    body.update(values)
    return body


def ticket_event(kind: str, event: dict[str, Any], actor: str = "1002",
                 event_id: str = "0f2b6c4e-7a1d-4a2e-9c3f-5b8d1e0a7c44") -> dict[str, Any]:
    return {
        "type": f"zen:event-type:ticket.{kind}", "account_id": 9000001, "id": event_id,
        "time": "2026-11-25T14:59:58Z", "zendesk_event_version": "2022-11-06",
        "subject": "zen:ticket:42",
        "detail": {"id": "42", "actor_id": actor, "status": "OPEN", "priority": "HIGH",
                   "tags": ["gold"], "updated_at": "2026-11-25T14:59:58Z"},
        "event": event,
    }


def test_the_documented_trigger_body_uses_zendesk_placeholders() -> None:
    assert TRIGGER_BODY["ticket_id"] == "{{ticket.id}}"
    assert TRIGGER_BODY["updater_id"] == "{{current_user.id}}"
    assert json.loads(trigger_body("ticket.created"))["event"] == "ticket.created"


def test_a_trigger_body_is_one_event_for_its_ticket() -> None:
    [event] = platform().parse_webhook(request(rendered()))
    assert event.ref.platform == "zendesk"
    assert event.ref.ticket_id == "42"
    assert event.event_type == "ticket.updated"
    assert event.delivery_id.startswith("body:")
    assert event.payload["invocation_id"] == "01HINV"
    assert event.occurred_at == NOW
    assert not event.by_bridge
    assert event.payload["source"] == "trigger"
    assert event.payload["webhook_id"] == "01HWEBHOOK"


def test_the_same_signed_delivery_has_the_same_key_whatever_its_invocation_id() -> None:
    """A captured delivery replayed within the tolerance under a new (unsigned) invocation
    id is the same delivery: the key is what is signed."""
    first = platform().parse_webhook(request(rendered(), invocation=None))[0]
    replayed = platform().parse_webhook(request(rendered(), invocation="01HREPLAY"))[0]
    other = platform().parse_webhook(request(rendered(ticket_id="43"), invocation=None))[0]
    assert first.delivery_id == replayed.delivery_id != other.delivery_id


def test_the_bridges_own_update_is_recognised_by_its_email_and_its_id_learnt() -> None:
    zendesk = platform()
    [event] = zendesk.parse_webhook(request(rendered(updater_id="1001",
                                                     updater_email="Bridge@Acme.test")))
    assert event.by_bridge
    assert zendesk.bridge.user_id == "1001"
    [other] = zendesk.parse_webhook(request(rendered(updater_id="1002", updater_email="")))
    assert not other.by_bridge


def test_the_bridges_own_update_is_recognised_by_the_configured_id() -> None:
    zendesk = platform(bridge_user_id=1001)
    assert zendesk.parse_webhook(request(rendered(updater_id="1001", updater_email="")))[
        0].by_bridge
    assert not zendesk.parse_webhook(request(rendered(updater_id="7", updater_email="")))[
        0].by_bridge


def test_an_unrendered_placeholder_is_a_bad_payload() -> None:
    body = {**TRIGGER_BODY}
    with pytest.raises(BadPayload) as caught:
        platform().parse_webhook(request(body))
    assert "placeholder" in caught.value.public


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"hello": "world"}',
                                  b'{"type": "zen:event-type:ticket.created", "detail": 3}'])
def test_malformed_bodies_are_bad_payloads(body: bytes) -> None:
    with pytest.raises(BadPayload):
        platform().parse_webhook(request(body))


@pytest.mark.parametrize("ticket_id", ["\u00b2", "\u0661\u0662", "0", "-4", "4 2", "9" * 20,
                                       "9223372036854775808", "9" * 5000])
def test_a_ticket_id_that_is_not_a_zendesk_id_is_a_bad_payload(ticket_id: str) -> None:
    # "²" and "١٢" pass str.isdigit: the bridge stored them, then its worker could not
    # read them back as numbers (found by the hostile-input suite).
    for body in (rendered(ticket_id=ticket_id), {**ticket_event("created", {}),
                                                 "subject": f"zen:ticket:{ticket_id}"}):
        body.get("detail", {}).pop("id", None)
        with pytest.raises(BadPayload, match="must be a ticket number"):
            platform().parse_webhook(request(body))


def test_a_ticket_id_with_leading_zeros_is_the_same_ticket() -> None:
    [event] = platform().parse_webhook(request(rendered(ticket_id="0042")))
    assert event.ref.ticket_id == "42"


def test_a_trigger_event_that_is_not_text_is_a_bad_payload() -> None:
    body = {**rendered(), "event": {"name": "ticket.updated"}}
    with pytest.raises(BadPayload, match="event must be text"):
        platform().parse_webhook(request(body))


def test_an_event_subscribed_ticket_event_is_parsed() -> None:
    body = ticket_event("status_changed", {"current": "SOLVED", "previous": "OPEN"})
    [event] = platform().parse_webhook(request(body, invocation="01HINV2"))
    assert event.ref.ticket_id == "42"
    assert event.event_type == "ticket.status_changed"
    assert event.delivery_id == body["id"]  # the event id: stable across re-deliveries
    assert event.occurred_at == datetime(2026, 11, 25, 14, 59, 58, tzinfo=UTC)
    assert event.payload["event"] == {"current": "SOLVED", "previous": "OPEN"}
    assert event.payload["source"] == "event"


def test_the_ticket_id_may_come_from_the_subject() -> None:
    body = ticket_event("created", {})
    del body["detail"]["id"]
    assert platform().parse_webhook(request(body))[0].ref.ticket_id == "42"


def test_an_event_by_the_bridge_is_flagged() -> None:
    zendesk = platform(bridge_user_id=1001)
    assert zendesk.parse_webhook(request(ticket_event("priority_changed", {}, actor="1001")))[
        0].by_bridge
    comment = {"comment": {"id": "9", "body": "hi", "is_public": False,
                           "author": {"id": "1001", "is_staff": True, "name": "sla-bridge"}}}
    body = ticket_event("comment_added", comment, actor="")
    assert zendesk.parse_webhook(request(body))[0].by_bridge


def test_events_about_other_things_than_tickets_are_ignored() -> None:
    body = {"type": "zen:event-type:user.active_changed", "id": "x", "detail": {"id": "5"},
            "event": {"current": False, "previous": True}, "subject": "zen:user:5"}
    assert platform().parse_webhook(request(body)) == []


def test_the_acknowledgement_is_json_with_the_count() -> None:
    zendesk = platform()
    events = zendesk.parse_webhook(request(rendered()))
    reply = zendesk.acknowledge(events)
    assert reply.status == 200
    assert json.loads(reply.body) == {"status": "accepted", "events": 1}
