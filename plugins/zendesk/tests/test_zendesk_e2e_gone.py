"""End to end, tickets that end in Zendesk other than by being solved: a deleted ticket (or
one marked as spam) answers 404, and the bridge stops its clocks and cancels its timers the
first time it finds it gone; a merged ticket is closed, and the bridge does not try to write
to it (Zendesk would refuse: "Status: closed prevents ticket update")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from zendesk_driver import ZendeskDriver
from zendesk_e2e import at
from zendesk_world import ADMIN_TOKEN, make_world, open_ticket, person

from sla_bridge.cli import AppContext
from sla_bridge.testing.conformance import initech_scene
from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.loop import BridgeOnSandbox

BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")
WRITES = {"PUT", "POST", "DELETE"}


@pytest.fixture
def world(tmp_path: Path, clean_environment: None) -> Iterator[BridgeOnSandbox]:
    built = make_world(tmp_path / "world")
    yield built
    built.close(wait=False)


def admin_view(world: BridgeOnSandbox, ticket: dict[str, Any]) -> Any:
    """``GET /v1/tickets/zendesk/{id}``: what the bridge knows about the ticket."""
    answer = requests.get(f"{world.url}/v1/tickets/zendesk/{ticket['id']}", timeout=10,
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def gone(world: BridgeOnSandbox, ticket: dict[str, Any]) -> list[str]:
    return [d.summary for d in world.decisions(ticket["id"]) if d.kind == "ticket.gone"]


@pytest.mark.parametrize("how", ["deleted", "marked as spam"])
def test_a_ticket_deleted_in_zendesk_has_its_clocks_stopped_and_timers_cancelled(
        world: BridgeOnSandbox, how: str) -> None:
    ticket = open_ticket(world, "2026-11-30 09:00", "Restores fail")
    before = admin_view(world, ticket)
    assert [t["kind"] for t in before["timers"]] == ["first_response:warning",
                                                     "first_response:breach"]
    world.clock.set(at("2026-11-30 10:00"))
    avery = person(world, "avery@vendor.test")
    if how == "deleted":
        world.sandbox.delete_ticket(ticket["id"], avery)  # no trigger runs on a deletion
    else:
        world.sandbox.mark_as_spam(ticket["id"], avery)
    # The warning timer (12:00) finds it gone: the breach timer (13:00) is cancelled.
    world.advance(at("2026-11-30 18:00"))
    view = admin_view(world, ticket)
    assert view["status"] == "gone"
    assert view["timers"] == []
    [clock] = view["clocks"]
    assert (clock["metric"], clock["due_at"], clock["paused"]) == ("first_response", None,
                                                                  False)
    assert len(gone(world, ticket)) == 1
    assert world.runtime.store.dead_letters() == []
    world.advance(at("2026-12-04 18:00"))  # nothing more is due for it
    assert len(gone(world, ticket)) == 1


def test_a_resync_finds_a_deleted_ticket_without_waiting_for_a_timer(
        world: BridgeOnSandbox) -> None:
    ticket = open_ticket(world, "2026-11-30 09:00", "Restores fail")
    world.clock.set(at("2026-11-30 10:00"))
    world.sandbox.delete_ticket(ticket["id"])
    world.clock.set(at("2026-11-30 10:30"))
    app = AppContext(settings=world.runtime.settings, host=world.runtime.host,
                     clock=world.clock)
    result = CliRunner().invoke(zendesk_group, ["resync", "--since", "1h"], obj=app)
    assert result.exit_code == 0, result.output
    [event] = world.runtime.store.pending_events(world.ref(ticket["id"]))
    assert event.delivery_id.endswith(":deleted")
    assert event.payload["status"] == "deleted"
    world.settle()
    assert admin_view(world, ticket)["timers"] == []
    assert len(gone(world, ticket)) == 1


def test_a_merged_ticket_is_closed_and_the_bridge_writes_nothing_to_it(
        zendesk: ZendeskDriver) -> None:
    # crashplan-standard-2013 notifies the customer when a ticket closes and asks for a
    # survey: on a merged ticket Zendesk would refuse both.
    zendesk.begin(initech_scene("crashplan-standard-2013", "standard"))
    source = zendesk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity="3",
                                 at=at("2026-11-30 09:00"))
    target = zendesk.open_ticket("Ivy", "Backups stopped again", BACKUPS, severity="3",
                                 at=at("2026-11-30 09:05"))
    world = zendesk.world
    assert world is not None
    sandbox = zendesk.sandbox
    assert world.runtime.store.timers(ref=world.ref(source))
    sandbox.clear_request_log()
    world.step(at("2026-11-30 09:10"), "Avery merges the first ticket into the second",
               lambda: sandbox.merge(int(target), [int(source)],
                                     int(zendesk.person_id("Avery"))))
    assert sandbox.ticket(int(source))["status"] == "closed"
    writes = [(e["method"], e["path"], e["status"]) for e in sandbox.request_log()
              if e["method"] in WRITES and e["path"].startswith(f"/api/v2/tickets/{source}")]
    assert writes == []
    decisions = world.decisions(source)
    assert [d.kind for d in decisions][-3:] == ["lifecycle.closed_notice", "action.closed",
                                                "action.closed"]
    assert all("not tried" in d.details["detail"] for d in decisions[-2:])
    assert world.runtime.store.timers(ref=world.ref(source)) == []
    assert world.runtime.store.dead_letters() == []
    assert world.retry_waits == []
    # The target goes on: its clock still runs.
    assert world.runtime.store.timers(ref=world.ref(target))
