"""Webhook retries as Zendesk makes them ("Webhooks > Retry logic"): again only after a 409,
or a 429 or 503 with a ``Retry-After`` under 60 seconds, at most three attempts; never after
a 500, a 502, a 503 without ``Retry-After``, a 4xx or no answer. And the bridge answers a
webhook it could not store *yet* so that Zendesk does retry it."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from zendesk_driver import ZendeskDriver
from zendesk_testing import Account, settings_for

from sla_bridge.store import StoreUnavailable
from sla_bridge.testing import WebhookReceiver
from sla_bridge.testing.conformance import at, code42_scene
from sla_bridge_zendesk.client import ZendeskClient
from sla_bridge_zendesk.provision import Provisioner
from sla_bridge_zendesk.sandbox import Sandbox

# A complete Severity 2 (product, version, ids, logs): the bridge asks nothing more.
ANSWERED = ("Restores fail from many devices since the upgrade. Product: Code42 app 11.2 on "
            "Windows 11. GUID 987654321098765432, user dana@acme.test, logs attached, "
            "screenshot attached, cloud destination: Code42 cloud.")

def wire(sandbox: Sandbox, url: str) -> None:
    """``sla-bridge zendesk setup`` pointing the sandbox's triggers at ``url``."""
    settings = settings_for(sandbox)
    provisioner = Provisioner(ZendeskClient(settings), settings, url)
    provisioner.apply(provisioner.plan())


@pytest.mark.parametrize(("status", "headers", "attempts"), [
    (200, {}, 1),
    (409, {}, 3),
    (429, {"Retry-After": "1"}, 3),
    (503, {"Retry-After": "5"}, 3),
    (503, {"Retry-After": "59"}, 3),
    (503, {"Retry-After": "60"}, 1),  # not under 60 s
    (503, {}, 1),  # no Retry-After
    (429, {"Retry-After": "3600"}, 1),
    (500, {"Retry-After": "1"}, 1),  # only 429 and 503 read Retry-After
    (502, {}, 1),
    (504, {}, 1),
    (400, {}, 1),
    (401, {}, 1),
    (404, {}, 1),
])
def test_zendesk_retries_only_a_conflict_and_a_short_retry_after(
        sandbox: Sandbox, account: Account, webhook_receiver: WebhookReceiver, status: int,
        headers: dict[str, str], attempts: int) -> None:
    wire(sandbox, webhook_receiver.url)
    webhook_receiver.status = status
    webhook_receiver.headers = headers
    sandbox.open_ticket(account.customer["id"], "Restore fails", "Since Monday")
    assert sandbox.flush(timeout=15)
    assert len(webhook_receiver.wait_for(attempts, timeout=1)) == attempts
    [delivery] = sandbox.deliveries
    assert [a.get("response_code") for a in delivery.attempts] == [status] * attempts
    # What an admin sees in Admin Center > Webhooks > Activity: one invocation, its attempts.
    [invocation] = invocations(sandbox, delivery.webhook_id)
    assert invocation["attempts_count"] == attempts


def test_no_answer_is_not_retried(sandbox: Sandbox, account: Account) -> None:
    wire(sandbox, "http://127.0.0.1:9")  # nothing listens there
    sandbox.open_ticket(account.customer["id"], "Restore fails", "Since Monday")
    assert sandbox.flush(timeout=15)
    [delivery] = sandbox.deliveries
    assert [a["status"] for a in delivery.attempts] == ["failed"]
    assert delivery.attempts[0]["error_message"]


def test_the_sandbox_waits_no_longer_for_an_answer_than_zendesk_is_said_to(
        sandbox: Sandbox) -> None:
    """10 s is [inferred] (README, "The sandbox"): not a documented vendor fact."""
    assert sandbox.sender.timeout <= 10.0


def invocations(sandbox: Sandbox, webhook_id: str) -> list[dict[str, Any]]:
    """``GET /api/v2/webhooks/{id}/invocations`` as the admin."""
    answer = requests.get(f"{sandbox.base_url}/api/v2/webhooks/{webhook_id}/invocations",
                          auth=(f"{sandbox.api_email}/token", sandbox.api_token), timeout=10)
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()["invocations"]
    return found


def test_a_webhook_the_bridge_could_not_store_yet_is_retried_and_lands(
        zendesk: ZendeskDriver) -> None:
    """The database does not answer for a moment: the bridge answers 503 with a short
    Retry-After, which Zendesk retries (a 500 it would not), and the ticket gets its due."""
    zendesk.begin(code42_scene())
    store = zendesk.harness.runtime.store
    accept, failures = store.accept, [StoreUnavailable("database is locked")]

    def flaky(events: Any) -> int:
        if failures:
            raise failures.pop()
        return accept(events)

    store.accept = flaky  # type: ignore[method-assign]
    ticket = zendesk.open_ticket("Dana", "Restores fail", ANSWERED, severity="2",
                                 at=at("2026-11-30 09:00"))
    [first, *_] = zendesk.sandbox.deliveries
    assert [(a["response_code"], a["response_headers"].get("retry-after"))
            for a in first.attempts] == [(503, "5"), (200, None)]
    # Gold Severity 2: 4 business hours from Mon 09:00.
    assert zendesk.view(ticket).due["first_response"] == at("2026-11-30 13:00")
