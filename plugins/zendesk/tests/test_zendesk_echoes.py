"""Echoes are cheap: the webhook Zendesk sends for the bridge's own update, with nothing else
changed, is recognised by the ticket's ``updated_at`` the update answered and the webhook
carries, and finished without reading the ticket or deciding again. Anything else is
reconciled in full. The real bridge on the sandbox over HTTP, wired by setup, both webhook
modes (trigger bodies and ticket events)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zendesk_e2e import COMPLETE, at
from zendesk_world import ADMIN_TOKEN, MONDAY, dana, person

from sla_bridge.worker import Reconciler, reconcile_next
from sla_bridge_zendesk.inbound import version_stamp
from sla_bridge_zendesk.loop import BridgeOnSandbox
from sla_bridge_zendesk.provision import Mode

BRIDGE_USER = "bridge@sandbox.test"


def build(folder: Path, mode: Mode) -> BridgeOnSandbox:
    world = BridgeOnSandbox(folder, start=MONDAY, policies=["code42-enterprise"], mode=mode,
                            environment={"SLA_BRIDGE_ADMIN_TOKEN": ADMIN_TOKEN})
    org = world.sandbox.add_organization("Acme", {"support_plan": "gold",
                                                  "support_location": "usa"})
    world.sandbox.add_user("Dana", "dana@acme.test", org["id"], tags=["support_admin"])
    world.sandbox.add_agent("Avery", "avery@vendor.test")
    return world.start()


@pytest.fixture(params=["triggers", "events"])
def world(request: pytest.FixtureRequest, tmp_path: Path,
          clean_environment: None) -> Iterator[BridgeOnSandbox]:
    built = build(tmp_path / "world", request.param)
    yield built
    built.close(wait=False)


def open_ticket(world: BridgeOnSandbox) -> dict[str, Any]:
    return world.sandbox.open_ticket(dana(world), "Restores fail",
                                     "Restores fail. " + COMPLETE, priority="high")


def kinds(world: BridgeOnSandbox, ticket: dict[str, Any]) -> list[str]:
    return [d.kind for d in world.decisions(ticket["id"])]


def requests_after_last_write(world: BridgeOnSandbox, ticket: dict[str, Any]) -> list[str]:
    """The bridge's requests about the ticket after its last update of it."""
    mine = [f"{r['method']} {r['path']}" for r in world.sandbox.request_log()
            if r["path"].startswith(f"/api/v2/tickets/{ticket['id']}")]
    last = max(i for i, r in enumerate(mine) if r.startswith("PUT "))
    return mine[last + 1:]


def bridge_echoes(world: BridgeOnSandbox) -> int:
    """Webhooks Zendesk sent for updates by the bridge's API user."""
    bridge_id = str(person(world, BRIDGE_USER))

    def by_bridge(body: bytes) -> bool:
        sent = json.loads(body)
        return (sent.get("updater_email") == BRIDGE_USER
                or (sent.get("detail") or {}).get("actor_id") == bridge_id)
    return sum(by_bridge(d.body) for d in world.sandbox.deliveries)


def test_the_echo_of_the_bridges_write_is_finished_without_reading_the_ticket(
        world: BridgeOnSandbox) -> None:
    ticket = world.step(at("2026-11-30 09:00"), "Dana opens a ticket",
                        lambda: open_ticket(world))
    assert "action.applied" in kinds(world, ticket)  # the bridge wrote the due time ...
    assert bridge_echoes(world) >= 1  # ... Zendesk told the bridge of its own update ...
    assert kinds(world, ticket)[-1] == "echo.skipped"  # ... which it knew for an echo:
    assert requests_after_last_write(world, ticket) == []  # no GET, no second write
    [echo] = [d for d in world.decisions(ticket["id"]) if d.kind == "echo.skipped"]
    assert echo.details["versions"] == ["2026-11-30T15:00Z"]
    # Settled: a full look at the ticket writes nothing either.
    assert world.look_again(ticket["id"]) == []


def test_an_agent_change_before_the_echo_is_processed_is_reconciled_in_full(
        world: BridgeOnSandbox) -> None:
    world.clock.set(at("2026-11-30 09:00"))
    ticket = open_ticket(world)
    world.hookup.deliver()
    done = reconcile_next(world.runtime, Reconciler(world.runtime), "test")
    assert done is not None
    assert [a.outcome for a in done.applied] == ["applied"]  # the bridge's write; its echo
    # is on its way, and Avery answers the customer before the bridge looks at it.
    world.clock.set(at("2026-11-30 09:20"))
    world.sandbox.agent_update(ticket["id"], person(world, "avery@vendor.test"),
                               comment="Looking into it.", public=True)
    world.settle()
    assert "echo.skipped" not in kinds(world, ticket)
    memory = world.runtime.store.ticket(world.ref(ticket["id"]))
    assert memory is not None
    first = {c.metric: c for c in memory.clocks}["first_response"]
    assert first.met_at == at("2026-11-30 09:20")  # the bridge saw Avery's answer


def test_a_trigger_body_without_the_update_time_is_reconciled_in_full(
        tmp_path: Path, clean_environment: None) -> None:
    """A trigger made before its body carried ``updated_at`` (or edited by hand): the echo
    proves nothing and is reconciled as before."""
    world = build(tmp_path / "world", "triggers")
    try:
        with world.sandbox.state.lock:
            for trigger in world.sandbox.state.triggers.values():
                for action in trigger.get("actions") or []:
                    if action.get("field") == "notification_webhook":
                        body = json.loads(action["value"][1])
                        body.pop("updated_at")
                        action["value"][1] = json.dumps(body)
        ticket = world.step(at("2026-11-30 09:00"), "Dana opens a ticket",
                            lambda: open_ticket(world))
        assert bridge_echoes(world) >= 1
        assert "echo.skipped" not in kinds(world, ticket)
        assert requests_after_last_write(world, ticket) != []  # the echo's full read
    finally:
        world.close(wait=False)


@pytest.mark.parametrize(("sent", "stamp"), [
    ("2026-11-30T15:04Z", "2026-11-30T15:04Z"),  # the trigger placeholder, to the minute
    ("2026-11-30T15:04:59Z", "2026-11-30T15:04Z"),  # an update's answer, a ticket event
    ("2026-11-30T09:04:59-06:00", "2026-11-30T15:04Z"),
    ("{{ticket.updated_at_with_timestamp}}", None),  # Zendesk's "test webhook" button
    ("", None), (None, None), ("soon", None), (1764515040, None),
])
def test_the_version_stamp_is_the_update_time_to_the_minute_or_nothing(
        sent: object, stamp: str | None) -> None:
    assert version_stamp(sent) == stamp
