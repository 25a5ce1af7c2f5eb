"""The harness on the memory platform: real uvicorn, real HTTP webhooks, SQLite, a virtual
clock; the demo frame; the pytest plugin's fixtures and marker."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import pytest

from sla_bridge.testing import (
    BridgeHarness,
    InstalledTestdesk,
    MemoryHelpdesk,
    RecordingSleep,
    VirtualClock,
    run_demo,
)

MONDAY = datetime.fromisoformat("2026-11-30T09:00:00-06:00")


@pytest.fixture
def world(testdesk: InstalledTestdesk, make_harness: Callable[..., BridgeHarness]
          ) -> tuple[BridgeHarness, MemoryHelpdesk]:
    """A started harness on the memory helpdesk (code42-enterprise, Acme on Gold)."""
    clock = VirtualClock(MONDAY)
    desk = MemoryHelpdesk(testdesk.db_path, testdesk.secret, clock)
    desk.add_customer("Dana", desk.add_organization("Acme", "gold", "usa").id)
    desk.add_agent("Avery")
    harness = make_harness(desk, clock=clock, policies=["code42-enterprise"],
                           environment=testdesk.environment())
    return harness.start(), desk


def test_a_step_ends_when_the_bridge_has_written_back_and_timers_fire_in_order(
        world: tuple[BridgeHarness, MemoryHelpdesk]) -> None:
    harness, desk = world
    ticket = harness.step(MONDAY, "Dana opens", lambda: desk.open_ticket(
        "u1", "Restores fail", "Restores fail from many devices since the upgrade.",
        severity="2"))
    number = ticket.ref.ticket_id
    # Gold Severity 2: 4 business hours, due 13:00, the warning at 12:00.
    assert desk.ticket(number).fields["sla_first_response_due"] == "2026-11-30T13:00:00-06:00"
    harness.advance(MONDAY + timedelta(hours=5))
    notes = [c.body for c in desk.ticket(number).comments if c.author_role == "bridge"
             and c.body.startswith("SLA ")]
    assert [n.split(":")[0] for n in notes] == ["SLA warning", "SLA breach"]
    assert [d.kind for d in harness.decisions(number)][:1] == ["policy.selected"]
    assert harness.look_again(number) == []  # settled: another look writes nothing
    # Every webhook went over HTTP, the bridge's own writes echoed back.
    assert {d.status for d in desk.deliveries} == {"success"}
    assert any(d.by_bridge for d in desk.deliveries)


def test_retries_record_their_waits_on_the_virtual_clock_and_spend_no_real_time() -> None:
    clock = VirtualClock(MONDAY)
    sleep = RecordingSleep(clock)
    sleep(1.0)
    sleep(0.25)
    clock.set(MONDAY + timedelta(minutes=1))
    clock.set(MONDAY)  # set back: the monotonic timer does not go back
    assert sleep.waits == [1.0, 0.25]
    assert clock.monotonic() == 61.25
    assert clock.now() == MONDAY


def test_a_harness_whose_platform_is_not_installed_says_so(
        tmp_path: Path, clean_environment: None) -> None:
    clock = VirtualClock(MONDAY)
    desk = MemoryHelpdesk(tmp_path / "desk.db", "secret", clock)  # no entry point installed
    harness = BridgeHarness(tmp_path, desk, clock=clock)
    with pytest.raises(RuntimeError, match="testdesk plugin did not register"):
        harness.start()
    harness.close()


class _OneTicket:
    """A demo script on the memory platform."""

    span = "hour: Mon 30 Nov 2026 09:00-10:00"

    def __init__(self, installed: InstalledTestdesk) -> None:
        self.installed = installed
        self.desk: MemoryHelpdesk | None = None

    def build(self, folder: Path, out: TextIO) -> BridgeHarness:
        clock = VirtualClock(MONDAY)
        self.desk = MemoryHelpdesk(self.installed.db_path, self.installed.secret, clock)
        self.desk.add_customer("Dana", self.desk.add_organization("Acme", "gold", "usa").id)
        return BridgeHarness(folder, self.desk, clock=clock, out=out,
                             zone=ZoneInfo("America/Chicago"),
                             environment=self.installed.environment())

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        desk = self.desk
        assert desk is not None
        world.step(MONDAY, "Dana opens a Severity 2", lambda: desk.open_ticket(
            "u1", "Restores fail", "Restores fail from many devices.", severity="2"),
                   label="Acme S2")


def test_the_demo_frame_plays_a_script_and_tells_it(testdesk: InstalledTestdesk) -> None:
    out = io.StringIO()
    ticks = iter([100.0, 101.5])
    assert run_demo(_OneTicket(testdesk), out, stopwatch=lambda: next(ticks)) == 0
    told = out.getvalue()
    assert "Mon 30 Nov 09:00 CST   Dana opens a Severity 2" in told
    assert "#1 Acme S2      SLA        first response due Mon 30 Nov 13:00 CST" in told
    assert told.endswith("\nDone in 1.5 s (virtual hour: Mon 30 Nov 2026 09:00-10:00). "
                         "Nothing left the machine.\n")


def test_the_plugin_registers_the_slow_marker(pytestconfig: pytest.Config) -> None:
    assert any(line.startswith("slow:") for line in pytestconfig.getini("markers"))


def test_fast_retries_shorten_the_bridges_back_off(fast_retries: dict[str, str]) -> None:
    assert fast_retries == {"SLA_BRIDGE_RETRY__INITIAL_SECONDS": "0.01",
                            "SLA_BRIDGE_RETRY__MAX_SECONDS": "0.05"}
    assert {name: os.environ[name] for name in fast_retries} == fast_retries


def test_the_virtual_clocks_timer_moves_with_every_forward_move_and_never_back() -> None:
    clock = VirtualClock(datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("America/Chicago")))
    clock.advance(timedelta(minutes=5))
    clock.set(clock.now() + timedelta(seconds=30))
    clock.spend(2)
    assert clock.monotonic() == 332
    clock.set(clock.now() - timedelta(hours=1))
    assert clock.monotonic() == 332
