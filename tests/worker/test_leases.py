"""A reconcile's lease is renewed while it runs (one keeper thread for the process), and no
longer once it is done."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.store._schema import work
from sla_bridge.tickets import TicketRef
from sla_bridge.worker._leases import KEEPER

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
A = TicketRef(platform="testdesk", ticket_id="A")
B = TicketRef(platform="testdesk", ticket_id="B")


def wait_for(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def leased_until_of(runtime: Runtime) -> datetime:
    """The earliest lease end of the work queue."""
    with runtime.store.reading() as conn:
        return min(conn.execute(select(work.c.lease_until)).scalars())


def test_leases_of_running_reconciles_are_renewed_until_they_end(
        runtime: Runtime, clock: FixedClock) -> None:
    store = runtime.store

    def leased_until() -> datetime:
        return leased_until_of(runtime)

    store.accept([InboundEvent(ref=A, delivery_id="a"), InboundEvent(ref=B, delivery_id="b")])
    lease = timedelta(seconds=0.3)  # renewed every 0.1 s (real time)
    first, second = store.claim("w1", lease), store.claim("w2", lease)
    assert first is not None
    assert second is not None
    with KEEPER.keep(runtime, first, lease), KEEPER.keep(runtime, second, lease):
        clock.set(START + timedelta(hours=1))  # both leases ran out, as the store sees it
        # Renewed from the new now: nobody else can take either ticket.
        assert wait_for(lambda: leased_until() > clock.now())
        assert store.claim("other", timedelta(seconds=30)) is None
    clock.set(START + timedelta(hours=2))
    time.sleep(0.3)  # three renewal periods: none happens any more
    assert store.claim("other", timedelta(seconds=30)) is not None
