"""Looking again at tickets whose webhooks never came: ``sla-bridge zendesk resync`` and the
periodic sweep read the Incremental Ticket Export (the real zenpy, the sandbox over HTTP)
and the bridge reconciles what changed, as after any webhook."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from zendesk_e2e import at
from zendesk_spec_check import problems_in_log
from zendesk_world import MONDAY, due, make_world, open_ticket, open_unseen

from sla_bridge.cli import AppContext
from sla_bridge.testing import RecordingSleep
from sla_bridge.worker import WorkerPool, sweep_when_due
from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.loop import BridgeOnSandbox
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.resync import Changed, Resynced, TicketExport, resync


@pytest.fixture
def world(tmp_path: Path, clean_environment: None) -> Iterator[BridgeOnSandbox]:
    built = make_world(tmp_path / "world")
    yield built
    built.close(wait=False)


def run_resync(world: BridgeOnSandbox, *args: str) -> Result:
    runtime = world.runtime
    app = AppContext(settings=runtime.settings, host=runtime.host, clock=world.clock)
    return CliRunner().invoke(zendesk_group, ["resync", *args], obj=app)


def test_resync_looks_again_at_the_tickets_changed_since_then_and_only_those(
        world: BridgeOnSandbox) -> None:
    seen = open_ticket(world, "2026-11-30 09:00", "Seen")
    assert due(world, seen) == "2026-11-30T13:00:00-06:00"
    before = open_unseen(world, "2026-11-30 09:30", "Lost before")
    after = open_unseen(world, "2026-11-30 10:15", "Lost after")
    assert due(world, before) is None
    assert due(world, after) is None
    world.clock.set(at("2026-11-30 11:00"))

    result = run_resync(world, "--since", "2026-11-30T10:00:00-06:00")
    assert result.exit_code == 0, result.output
    assert "1 changed ticket(s) read, 1 queued" in result.output
    # A second look at the same changes adds nothing.
    again = run_resync(world, "--since", "1h")
    assert again.exit_code == 0, again.output
    assert "1 changed ticket(s) read, 0 queued" in again.output
    [event] = world.runtime.store.pending_events(world.ref(after["id"]))
    assert event.delivery_id == f"resync:{after['id']}:2026-11-30T16:15:00Z"

    world.settle()
    assert due(world, after) == "2026-11-30T14:15:00-06:00"
    assert due(world, before) is None  # changed before --since: not looked at
    assert problems_in_log(world.sandbox.request_log()) == []
    assert [e for e in world.sandbox.request_log() if "include=" in e["query"]] == []


def test_resync_reads_every_page_of_the_export(world: BridgeOnSandbox) -> None:
    world.sandbox.export_page_size = 2
    lost = [open_unseen(world, f"2026-11-30 09:0{n}", f"Lost {n}") for n in range(5)]
    world.clock.set(at("2026-11-30 10:00"))
    result = run_resync(world, "--since", "2h")
    assert result.exit_code == 0, result.output
    assert "5 changed ticket(s) read, 5 queued" in result.output
    exports = [e["query"] for e in world.sandbox.request_log()
               if e["path"] == "/api/v2/incremental/tickets/cursor"]
    assert len(exports) == 3
    assert exports[0].startswith("start_time=")
    assert all(q.startswith("cursor=") for q in exports[1:])
    world.settle()
    assert [due(world, t) for t in lost] == [f"2026-11-30T13:0{n}:00-06:00" for n in range(5)]


def test_the_export_waits_out_a_429_and_resumes_from_the_last_cursor(
        world: BridgeOnSandbox) -> None:
    world.sandbox.export_page_size = 2
    for n in range(3):
        open_unseen(world, f"2026-11-30 09:0{n}", f"Lost {n}")
    world.clock.set(at("2026-11-30 10:00"))
    platform = world.runtime.platforms["zendesk"]
    assert isinstance(platform, ZendeskPlatform)
    world.sandbox.clear_request_log()
    sleep = RecordingSleep(world.clock)
    refused: list[str] = []

    def refuse_the_next_page(changed: Changed) -> None:
        if not refused:  # the first page is read: Zendesk refuses the second
            refused.append(changed.ticket_id)
            world.sandbox.inject("status", 1, status=429, retry_after=7,
                                 path="^/api/v2/incremental/tickets/cursor$")

    done = resync(TicketExport(platform.client, sleep=sleep), world.runtime.store,
                  Resynced.starting(MONDAY - timedelta(hours=1), world.clock.now()),
                  refuse_the_next_page)
    assert sleep.waits == [7.0]  # Retry-After
    assert (done.seen, done.queued) == (3, 3)
    asked = [(e["query"].partition("=")[0], e.get("fault")) for e in world.sandbox.request_log()
             if e["path"].startswith("/api/v2/incremental")]
    assert asked == [("start_time", None), ("cursor", "429"), ("cursor", None)]
    cursors = [e["query"] for e in world.sandbox.request_log()
               if e["path"].startswith("/api/v2/incremental")][1:]
    assert cursors[0] == cursors[1]  # resumed from the cursor of the page read


def test_a_bad_since_names_the_option_and_exits_2(world: BridgeOnSandbox) -> None:
    for bad, words in (("yesterday", "is not a duration"),
                       ("2026-11-30T09:00:00", "has no UTC offset"),
                       ("2027-01-01T00:00:00Z", "is in the future")):
        result = run_resync(world, "--since", bad)
        assert result.exit_code == 2, result.output
        assert "--since" in result.output
        assert words in result.output


def test_the_periodic_sweep_runs_every_period_on_the_virtual_clock(
        tmp_path: Path, clean_environment: None) -> None:
    world = make_world(tmp_path / "world", SLA_BRIDGE_ZENDESK__RESYNC_EVERY="15m")
    try:
        runtime, checks = world.runtime, {}  # type: ignore[var-annotated]
        assert [name for name, _ in sweep_when_due(runtime, "t", checks)] == ["zendesk"]
        lost = open_unseen(world, "2026-11-30 09:05", "Lost")
        world.clock.set(at("2026-11-30 09:14"))
        assert sweep_when_due(runtime, "t", checks) == []  # not due before 09:15
        world.clock.set(at("2026-11-30 09:15"))
        [(_, swept)] = sweep_when_due(runtime, "t", checks)
        assert (swept.seen, swept.queued, swept.error) == (1, 1, None)
        assert swept.until == at("2026-11-30 09:13")  # the export's last minute, and one more
        world.settle()
        assert due(world, lost) == "2026-11-30T13:05:00-06:00"
        # Another replica (its own checks) finds the period's sweep taken.
        assert sweep_when_due(runtime, "other", {}) == []
        last = runtime.store.last_sweep("zendesk")
        assert last is not None
        assert last.since == at("2026-11-30 09:13")
    finally:
        world.close(wait=False)


def test_the_timer_worker_runs_the_sweep(tmp_path: Path, clean_environment: None) -> None:
    world = make_world(tmp_path / "world", SLA_BRIDGE_ZENDESK__RESYNC_EVERY="15m")
    try:
        lost = open_unseen(world, "2026-11-30 09:05", "Lost")
        world.clock.set(at("2026-11-30 09:12"))  # the first sweep looks 15 minutes back
        pool = WorkerPool(world.runtime, threads=0, timers=True)
        pool.start()
        try:
            deadline = time.monotonic() + 10
            ref = world.ref(lost["id"])
            while time.monotonic() < deadline and not world.runtime.store.pending_events(ref):
                time.sleep(0.05)
        finally:
            pool.stop()
        [event] = world.runtime.store.pending_events(ref)
        assert event.event_type == "zendesk.resync"
    finally:
        world.close(wait=False)


def test_the_sweep_is_off_by_default(world: BridgeOnSandbox) -> None:
    assert sweep_when_due(world.runtime, "t", {}) == []
    assert world.runtime.store.last_sweep("zendesk") is None
