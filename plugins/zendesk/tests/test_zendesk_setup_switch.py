"""A webhook's connection method cannot change (Zendesk: "Creating webhooks"): the sandbox
refuses the change as Zendesk does, and ``setup --mode`` replaces the webhook instead:
creates a new one, points the triggers at it (or deactivates them), deletes the old one, and
says each step, in a dry run too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from zendesk_testing import settings_for

from sla_bridge.clock import SystemClock
from sla_bridge.testing import WebhookReceiver
from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox

TRIGGERS = ["conditional_ticket_events"]
EVENTS = ["zen:event-type:ticket.created", "zen:event-type:ticket.status_changed"]


def admin(sandbox: Sandbox) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{sandbox.api_email}/token", sandbox.api_token)
    return session


def new_hook(sandbox: Sandbox, subscriptions: list[str]) -> dict[str, Any]:
    answer = admin(sandbox).post(f"{sandbox.base_url}/api/v2/webhooks", json={"webhook": {
        "name": "h", "endpoint": "https://bridge.example/webhooks/zendesk",
        "http_method": "POST", "request_format": "json", "status": "active",
        "subscriptions": subscriptions}})
    assert answer.status_code == 201, answer.text
    hook: dict[str, Any] = answer.json()["webhook"]
    return hook


@pytest.mark.parametrize(("before", "after"), [(TRIGGERS, EVENTS), (EVENTS, TRIGGERS)])
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_the_sandbox_refuses_to_change_a_webhooks_connection_method(
        sandbox: Sandbox, before: list[str], after: list[str], method: str) -> None:
    hook = new_hook(sandbox, before)
    body: dict[str, Any] = {"subscriptions": after}
    if method == "PUT":
        body = {k: hook[k] for k in ("name", "endpoint", "http_method", "request_format",
                                     "status")} | body
    answer = admin(sandbox).request(method, f"{sandbox.base_url}/api/v2/webhooks/{hook['id']}",
                                    json={"webhook": body})
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["source"] == {"pointer": "/webhook/subscriptions"}
    assert "cannot be changed" in error["detail"]
    assert sandbox.state.webhooks[hook["id"]]["subscriptions"] == before


def test_event_types_may_change_and_the_two_methods_do_not_mix(sandbox: Sandbox) -> None:
    hook = new_hook(sandbox, EVENTS)
    url = f"{sandbox.base_url}/api/v2/webhooks/{hook['id']}"
    assert admin(sandbox).patch(url, json={"webhook": {"subscriptions": EVENTS[:1]}}
                                ).status_code == 204
    mixed = admin(sandbox).post(f"{sandbox.base_url}/api/v2/webhooks", json={"webhook": {
        **{k: hook[k] for k in ("endpoint", "http_method", "request_format", "status")},
        "name": "mixed", "subscriptions": [*TRIGGERS, *EVENTS]}})
    assert mixed.status_code == 400
    assert "conditional_ticket_events only" in mixed.json()["errors"][0]["detail"]


def setup(url: str, *args: str) -> Result:
    result = CliRunner().invoke(zendesk_group, ["setup", "--bridge-url", url, *args])
    assert result.exit_code == 0, result.output
    return result


def steps(result: Result) -> list[str]:
    """The plan's lines, each as ``action kind 'name'``."""
    return [line.split(":")[0].strip() for line in result.output.splitlines()
            if line.startswith("  ") and not line.startswith("   ")]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A sandbox that makes up each webhook's secret, as Zendesk does."""
    with Sandbox() as sandbox:
        for name, value in sandbox.plugin_env().items():
            monkeypatch.setenv(name, value)
        yield sandbox


def test_switching_to_events_replaces_the_webhook_step_by_step(
        fresh: Sandbox, webhook_receiver: WebhookReceiver, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    configured = fresh
    env_file = tmp_path / ".env"
    setup(webhook_receiver.url, "--env-file", str(env_file))
    [old] = configured.state.webhooks
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET",
                       configured.state.webhook_secrets[old])
    customer = configured.add_user("Grace", "grace@gold.test")

    dry = setup(webhook_receiver.url, "--mode", "events", "--dry-run")
    assert [s for s in steps(dry) if "webhook" in s or "trigger" in s] == [
        "deactivate webhook 'sla-bridge'", "create     webhook 'sla-bridge'",
        "deactivate trigger 'sla-bridge", "deactivate trigger 'sla-bridge",
        "delete     webhook 'sla-bridge (replaced)'"]
    assert "Zendesk cannot change a webhook's connection method" in dry.output
    assert list(configured.state.webhooks) == [old]  # a dry run writes nothing

    switched = setup(webhook_receiver.url, "--mode", "events", "--env-file", str(env_file))
    [new] = configured.state.webhooks
    assert new != old
    hook = configured.state.webhooks[new]
    assert (hook["name"], hook["status"]) == ("sla-bridge", "active")
    assert "zen:event-type:ticket.status_changed" in hook["subscriptions"]
    assert not any(t["active"] for t in configured.state.triggers.values())
    # The new webhook signs with a new secret: written, and serve must be restarted.
    assert env_file.read_text() == (
        f"SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET={configured.state.webhook_secrets[new]}\n")
    assert "restart `sla-bridge serve`" in switched.output

    ticket = configured.open_ticket(customer["id"], "Restore fails", "Since Monday")
    assert configured.flush()
    [request] = webhook_receiver.wait_for(1)  # from the new webhook only
    assert request.header("x-zendesk-webhook-id") == new
    platform = ZendeskPlatform(settings_for(configured, webhook_secret=configured.state
                                            .webhook_secrets[new]), SystemClock())
    [event] = platform.parse_webhook(request)
    assert (event.event_type, event.ref.ticket_id) == ("ticket.created", str(ticket["id"]))
    assert "Nothing to change." in setup(webhook_receiver.url, "--mode", "events").output


def test_switching_back_to_triggers_points_them_at_the_new_webhook(configured: Sandbox) -> None:
    setup("https://bridge.example.test")
    setup("https://bridge.example.test", "--mode", "events")
    result = setup("https://bridge.example.test")
    [new] = configured.state.webhooks
    assert configured.state.webhooks[new]["subscriptions"] == TRIGGERS
    triggers = list(configured.state.triggers.values())
    assert all(t["active"] and t["actions"][0]["value"][0] == new for t in triggers)
    assert "update     trigger 'sla-bridge: ticket created'" in result.output
    assert "delete     webhook 'sla-bridge (replaced)'" in result.output


def test_a_trigger_setup_does_not_manage_keeps_the_old_webhook_and_says_what_to_do(
        configured: Sandbox) -> None:
    setup("https://bridge.example.test")
    [old] = configured.state.webhooks
    mine = admin(configured).post(f"{configured.base_url}/api/v2/triggers", json={"trigger": {
        "title": "Notify on urgent", "conditions": {"all": [
            {"field": "priority", "operator": "is", "value": "urgent"}]},
        "actions": [{"field": "notification_webhook", "value": [old, json.dumps({"x": 1})]}]}})
    assert mine.status_code == 201, mine.text
    result = setup("https://bridge.example.test", "--mode", "events")
    assert set(configured.state.webhooks) - {old}
    kept = configured.state.webhooks[old]
    assert (kept["name"], kept["status"]) == ("sla-bridge (replaced)", "inactive")
    assert ("note       webhook 'sla-bridge (replaced)': kept inactive: 'Notify on urgent' "
            "still notify it; point them at the webhook 'sla-bridge', then delete "
            f"'sla-bridge (replaced)' (id {old})") in result.output
    again = setup("https://bridge.example.test", "--mode", "events")
    assert "Nothing to change." in again.output
    assert "note       webhook 'sla-bridge (replaced)'" in again.output
