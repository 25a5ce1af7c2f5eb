"""Observe mode on the Zendesk sandbox (``SLA_BRIDGE_MODE=observe``): a whole story, from
the customer's ticket to its first-response breach, is decided and recorded by the bridge,
and not one write reaches Zendesk (the sandbox's request log shows only reads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from zendesk_e2e import at
from zendesk_world import ADMIN_TOKEN, due, make_world, open_ticket

from sla_bridge_zendesk.loop import BridgeOnSandbox

WRITES = {"PUT", "POST", "PATCH", "DELETE"}


@pytest.fixture
def world(tmp_path: Path, clean_environment: None) -> Iterator[BridgeOnSandbox]:
    built = make_world(tmp_path / "world", SLA_BRIDGE_MODE="observe")
    built.sandbox.clear_request_log()  # the wiring's own set-up calls are not the story
    yield built
    built.close(wait=False)


def test_a_breach_story_in_observe_mode_writes_nothing_to_zendesk(
        world: BridgeOnSandbox) -> None:
    ticket = open_ticket(world, "2026-11-30 09:00", "Restores fail")
    world.advance(at("2026-11-30 18:00"))  # past the first-response breach
    log = world.sandbox.request_log()
    api = [e for e in log if e["path"].startswith("/api/v2/")]
    assert [e for e in api if e["method"] in WRITES] == []
    assert any(e["method"] == "GET" and e["path"].startswith(f"/api/v2/tickets/{ticket['id']}")
               for e in api)  # the bridge still reads the ticket
    answer = requests.get(f"{world.url}/v1/tickets/zendesk/{ticket['id']}", timeout=10,
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["clocks"][0]["breached"] is True
    observed = [e for e in view["ledger"] if e["status"] == "observed"]
    assert [e for e in view["ledger"] if e["status"] != "observed"] == []
    breach_notes = [e for e in observed if e["kind"] == "add_comment"
                    and e["action"]["body"].startswith("SLA breach")]
    assert len(breach_notes) == 1
    assert due(world, ticket) is None  # the field the bridge would have set is still empty
