"""A timer's lateness, as /metrics shows it, runs until its batch's UPDATE has committed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sla_bridge.clock import FixedClock
from sla_bridge.records import TimerSpec
from sla_bridge.runtime import Runtime
from sla_bridge.tickets import TicketRef
from sla_bridge.worker import fire_due_timers

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


class SlowDatabaseClock(FixedClock):
    """Every reading is a second after the previous one: each step takes a second."""

    readings: list[datetime]

    def now(self) -> datetime:
        self.set(super().now() + timedelta(seconds=1))
        self.readings = [*getattr(self, "readings", []), super().now()]
        return super().now()


def test_lateness_counts_the_time_the_firing_took(runtime: Runtime) -> None:
    ref = TicketRef(platform="testdesk", ticket_id="7")
    runtime.store.schedule(ref, [TimerSpec("first_response:breach", START, {})])
    slow = SlowDatabaseClock(START + timedelta(seconds=10))
    runtime.clock = runtime.store.clock = slow

    [timer] = fire_due_timers(runtime, "worker-1")

    observed = runtime.metrics.registry.get_sample_value("sla_bridge_timer_lateness_seconds_sum")
    assert timer.lateness is not None
    # fired_at is taken as the batch begins; the metric waits for the commit.
    assert observed == (slow.readings[-1] - START).total_seconds()
    assert observed > timer.lateness.total_seconds()
