"""Real loops: the sandbox, configured by setup, sends signed webhooks that the plugin accepts
(recorded by the kit's ``webhook_receiver``)."""

from __future__ import annotations

import json

import pytest
from zendesk_testing import Account, ref, settings_for

from sla_bridge.actions import AddComment, SetFields
from sla_bridge.clock import SystemClock
from sla_bridge.platforms import Unauthorized
from sla_bridge.testing import WebhookReceiver
from sla_bridge_zendesk.client import ZendeskClient
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.provision import Provisioner
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ZendeskSettings


def wire(sandbox: Sandbox, settings: ZendeskSettings, url: str, **options: object) -> None:
    provisioner = Provisioner(ZendeskClient(settings), settings, url, **options)  # type: ignore[arg-type]
    provisioner.apply(provisioner.plan())


def test_trigger_webhooks_arrive_signed_and_parse(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver,
        platform: ZendeskPlatform) -> None:
    wire(sandbox, settings, webhook_receiver.url)
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "B", priority="high")
    sandbox.customer_reply(ticket["id"], "Any news?")
    assert sandbox.flush()
    created, updated = webhook_receiver.wait_for(2)
    assert created.header("x-zendesk-webhook-id") == next(iter(sandbox.state.webhooks))
    [first] = platform.parse_webhook(created)
    [second] = platform.parse_webhook(updated)
    assert (first.event_type, second.event_type) == ("ticket.created", "ticket.updated")
    assert first.ref == second.ref == ref(ticket)
    assert first.delivery_id != second.delivery_id
    assert not first.by_bridge
    assert not second.by_bridge
    body = json.loads(updated.body)
    assert body["updater_email"] == account.customer["email"]
    assert body["status"] == "New"


def test_the_bridges_own_writes_come_back_flagged(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver,
        platform: ZendeskPlatform) -> None:
    wire(sandbox, settings, webhook_receiver.url)
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "B")
    platform.apply(AddComment(ref=ref(ticket), key="note", body="SLA note"))
    platform.apply(SetFields(ref=ref(ticket), key="due",
                             fields={"sla_first_response_due": "2026-11-30T11:00:00-06:00"}))
    sandbox.agent_update(ticket["id"], account.agent["id"], comment="Hello", public=True)
    assert sandbox.flush()
    events = [platform.parse_webhook(r)[0] for r in webhook_receiver.wait_for(4)]
    assert [e.by_bridge for e in events] == [False, True, True, False]


def test_a_fresh_bridge_recognises_itself_by_email_before_any_lookup(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver) -> None:
    wire(sandbox, settings, webhook_receiver.url)
    writer = ZendeskPlatform(settings, SystemClock())
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    writer.apply(AddComment(ref=ref(ticket), key="n", body="note"))
    assert sandbox.flush()
    fresh = ZendeskPlatform(settings, SystemClock())
    assert fresh.bridge.user_id is None
    events = [fresh.parse_webhook(r)[0] for r in webhook_receiver.wait_for(2)]
    assert [e.by_bridge for e in events] == [False, True]
    assert fresh.bridge.user_id == str(sandbox.api_user["id"])


def test_setup_can_keep_the_bridges_updates_from_triggering(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver,
        platform: ZendeskPlatform) -> None:
    wire(sandbox, settings, webhook_receiver.url, ignore_bridge_updates=True)
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    platform.apply(AddComment(ref=ref(ticket), key="n", body="note"))
    sandbox.customer_reply(ticket["id"], "hi")
    assert sandbox.flush()
    events = [platform.parse_webhook(r)[0] for r in webhook_receiver.wait_for(2)]
    assert [e.event_type for e in events] == ["ticket.created", "ticket.updated"]
    assert not any(e.by_bridge for e in events)
    assert len(webhook_receiver.requests) == 2


def test_event_subscribed_webhooks_arrive_signed_and_parse(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver,
        platform: ZendeskPlatform) -> None:
    wire(sandbox, settings, webhook_receiver.url, mode="events")
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    platform.apply(AddComment(ref=ref(ticket), key="n", body="note"))
    assert sandbox.flush()
    events = [platform.parse_webhook(r)[0] for r in webhook_receiver.wait_for(2)]
    assert [(e.event_type, e.by_bridge) for e in events] == [
        ("ticket.created", False), ("ticket.comment_added", True)]
    bodies = [json.loads(r.body) for r in webhook_receiver.requests]
    assert [e.delivery_id for e in events] == [b["id"] for b in bodies]


def test_a_webhook_signed_with_another_secret_is_refused(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver) -> None:
    wire(sandbox, settings, webhook_receiver.url)
    sandbox.open_ticket(account.customer["id"], "S", "B")
    assert sandbox.flush()
    other = ZendeskPlatform(settings_for(sandbox, webhook_secret="not-the-secret"), SystemClock())
    with pytest.raises(Unauthorized):
        other.parse_webhook(webhook_receiver.wait_for(1)[0])


def test_failed_deliveries_are_retried_with_the_same_invocation_id(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver, platform: ZendeskPlatform) -> None:
    wire(sandbox, settings, webhook_receiver.url)
    # Zendesk retries a 503 only with a short Retry-After (test_zendesk_webhook_retries).
    webhook_receiver.status = 503
    webhook_receiver.headers = {"Retry-After": "5"}
    sandbox.open_ticket(account.customer["id"], "S", "B")
    assert sandbox.flush(timeout=15)
    attempts = webhook_receiver.wait_for(3)
    assert len(attempts) == 3
    assert len({r.header("x-zendesk-webhook-invocation-id") for r in attempts}) == 1
    # Each attempt is signed afresh; the bridge keys a delivery by what is signed (so a
    # replay under a new invocation id is a duplicate) and keeps the invocation id to log.
    events = [platform.parse_webhook(r)[0] for r in attempts]
    assert {e.payload["invocation_id"] for e in events} == {
        attempts[0].header("x-zendesk-webhook-invocation-id")}
    assert all(e.delivery_id.startswith("body:") for e in events)
    [delivery] = sandbox.deliveries
    assert delivery.status == "server error"
    assert len(delivery.attempts) == 3


def test_webhooks_can_be_lost_or_duplicated_on_request(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings,
        webhook_receiver: WebhookReceiver,
        platform: ZendeskPlatform) -> None:
    wire(sandbox, settings, webhook_receiver.url)
    sandbox.drop_webhooks(1)
    sandbox.duplicate_webhooks(1)
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")  # lost
    sandbox.customer_reply(ticket["id"], "again")  # sent twice
    assert sandbox.flush()
    twice = webhook_receiver.wait_for(2)
    assert len(twice) == 2
    first, second = (platform.parse_webhook(r)[0] for r in twice)
    assert first.delivery_id == second.delivery_id
    assert [d.status for d in sandbox.deliveries] == ["dropped", "success"]
