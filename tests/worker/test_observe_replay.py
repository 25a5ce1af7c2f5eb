"""Replaying a dead letter on a platform in observe mode writes nothing to the helpdesk: the
replay says so, is logged and put on the ticket's decision trail, and the dead letter stays
open for a replay once the platform enforces."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from click.testing import Result
from sla_bridge_testdesk import new_ticket

from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.worker import Applier, Reconciler, reconcile_next

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
RunCli = Callable[..., Result]


def _reconcile(runtime: Runtime) -> None:
    applier = Applier(runtime.store, runtime.metrics, runtime.settings.retry,
                      sleep=lambda seconds: None)
    assert reconcile_next(runtime, Reconciler(runtime, applier), "test") is not None


def test_a_replay_in_observe_mode_writes_nothing_and_keeps_the_letter(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, run_cli: RunCli) -> None:
    ticket = new_ticket("1", START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="created")])
    _reconcile(runtime)
    testdesk.db.inject_faults(6, status=502, op="apply")  # the breach update never lands
    runtime.clock.set(START + timedelta(days=5))  # type: ignore[attr-defined]
    runtime.store.fire_due("test")
    _reconcile(runtime)
    [letter] = [d for d in runtime.store.dead_letters() if d.key.split(":")[2] == "add_comment"]
    written = [a["kind"] for a in testdesk.db.applied("1")]

    observed = run_cli("dead-letters", "replay", str(letter.id),
                       env={"SLA_BRIDGE_TESTDESK__MODE": "observe"})
    assert observed.exit_code == 0, observed.output
    said = " ".join(observed.output.split())
    assert f"dead letter {letter.id} not replayed: testdesk is in observe mode" in said
    assert "would write add_comment on testdesk 1" in said
    assert "Nothing was written" in said
    assert [a["kind"] for a in testdesk.db.applied("1")] == written
    assert letter.id in [d.id for d in runtime.store.dead_letters()]
    trail = [d for d in runtime.store.decisions(ticket.ref) if d.kind == "replay.observed"]
    assert [d.details["dead_letter"] for d in trail] == [letter.id]

    enforced = run_cli("dead-letters", "replay", str(letter.id),
                       env={"SLA_BRIDGE_TESTDESK__MODE": "enforce"})
    assert enforced.exit_code == 0, enforced.output
    assert [a["kind"] for a in testdesk.db.applied("1")] == [*written, "add_comment"]
    assert letter.id not in [d.id for d in runtime.store.dead_letters()]
