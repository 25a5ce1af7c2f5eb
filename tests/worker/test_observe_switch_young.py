"""The rule at the switch from observe to enforce for one-off writes (comments, follow-ups):
one observed a minute before the switch, still what the policy would post, is not posted
late either; the state it asked for (fields, tags) is applied. A ticket's moment passes once,
whichever mode the bridge was in (the README, on observe mode)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.worker import drain

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
BREACHED = START + timedelta(days=5)  # Mon 30 Nov 16:00 CST: past the 11:00 due time


def test_a_note_observed_a_minute_before_the_switch_is_not_posted(  # type: ignore[no-untyped-def]
        testdesk, bridges: dict[str, Runtime], clock: FixedClock) -> None:
    observe, enforce = bridges["observe"], bridges["enforce"]
    ticket = new_ticket("1", START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    observe.store.accept([InboundEvent(ref=ticket.ref, delivery_id="created")])
    drain(observe)
    clock.set(BREACHED)
    drain(observe)  # the breach note is observed now
    observed = {e.kind: e.status for e in observe.store.ledger(ticket.ref)}
    assert observed["add_comment"] == "observed"

    clock.set(BREACHED + timedelta(minutes=1))
    enforce.store.accept([InboundEvent(ref=ticket.ref, delivery_id="right-after-the-switch")])
    drain(enforce)
    assert [a["kind"] for a in testdesk.db.applied("1")] == ["set_fields", "change_tags"]
    after = testdesk.db.ticket("1")
    assert after is not None
    assert not after.comments
    assert {e.kind: e.status for e in enforce.store.ledger(ticket.ref)}["add_comment"] == (
        "observed")
