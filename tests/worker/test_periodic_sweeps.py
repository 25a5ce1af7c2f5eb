"""Periodic sweeps: the timer worker runs a Periodic platform's sweep at most once a period,
on the runtime's clock, from where the last one got to; a failing sweep does not stop it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent, Inbox, Periodic, Swept
from sla_bridge.runtime import Runtime
from sla_bridge.tickets import TicketRef
from sla_bridge.worker import sweep_when_due

EVERY = timedelta(minutes=15)


class Sweeping:
    """A platform that only sweeps: it reports ticket ``n`` changed at each sweep."""

    name = "sweeping"

    def __init__(self, clock: FixedClock, every: timedelta | None = EVERY) -> None:
        self.clock = clock
        self.every = every
        self.calls: list[datetime] = []
        self.fail = False

    def sweep(self, inbox: Inbox, since: datetime) -> Swept:
        self.calls.append(since)
        if self.fail:
            raise RuntimeError("the vendor's export is broken")
        ref = TicketRef(platform=self.name, ticket_id=str(len(self.calls)))
        events: Sequence[InboundEvent] = [InboundEvent(ref=ref, delivery_id=f"sweep:{ref}")]
        queued = inbox.accept(events)
        return Swept(until=self.clock.now() - timedelta(minutes=2), seen=1, queued=queued)


def test_sweeps_run_once_a_period_from_where_the_last_got_to(
        runtime: Runtime, clock: FixedClock) -> None:
    platform = Sweeping(clock)
    assert isinstance(platform, Periodic)
    runtime.platforms[platform.name] = platform  # type: ignore[assignment]
    start, checks = clock.now(), {}  # type: ignore[var-annotated]
    [(name, swept)] = sweep_when_due(runtime, "w", checks)
    assert (name, swept.queued) == ("sweeping", 1)
    assert platform.calls == [start - EVERY]  # the first sweep looks one period back
    clock.advance(EVERY - timedelta(seconds=1))
    assert sweep_when_due(runtime, "w", checks) == []
    clock.advance(timedelta(seconds=1))
    assert len(sweep_when_due(runtime, "w", checks)) == 1
    assert platform.calls[-1] == start - timedelta(minutes=2)
    assert runtime.store.inbox_depth()[0] == 2

    platform.fail = True  # a bug in the plugin: logged, tried again next period
    clock.advance(EVERY)
    assert sweep_when_due(runtime, "w", checks) == []
    platform.fail = False
    clock.advance(EVERY)
    assert len(sweep_when_due(runtime, "w", checks)) == 1
    assert platform.calls[-1] == start + EVERY - timedelta(minutes=2)  # the failed one: no mark


def test_a_platform_with_the_sweep_off_is_never_swept(runtime: Runtime,
                                                      clock: FixedClock) -> None:
    platform = Sweeping(clock, every=None)
    runtime.platforms[platform.name] = platform  # type: ignore[assignment]
    assert sweep_when_due(runtime, "w", {}) == []
    assert platform.calls == []
    assert runtime.store.last_sweep("sweeping") is None
