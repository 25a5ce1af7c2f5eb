"""``sla_bridge_sla_breaches`` and ``sla_bridge_sla_met``: each SLA target counted once, as
breached or as met in time, whichever reconciliation notices it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.tickets import Comment, Status
from sla_bridge.worker import drain

START = datetime.fromisoformat("2026-11-24T09:00:00+00:00")  # the clock fixture's
LABELS = {"policy": "metrics-test", "plan": "gold", "severity": "2"}


def counted(runtime: Runtime, metric: str) -> dict[str, float]:
    """The breached and met counts of one metric ("first_response", "next_update")."""
    registry = runtime.metrics.registry
    return {name: registry.get_sample_value(f"sla_bridge_sla_{name}_total",
                                            {**LABELS, "metric": metric}) or 0.0
            for name in ("breaches", "met")}


def open_ticket(testdesk: Any, runtime: Runtime, ticket_id: str = "1") -> None:
    testdesk.db.put_ticket(new_ticket(ticket_id, START, plan="gold", customer_severity="2"))
    runtime.store.accept([InboundEvent(ref=testdesk.db.ticket(ticket_id).ref,
                                       delivery_id=f"created-{ticket_id}")])


def reply(testdesk: Any, runtime: Runtime, at: datetime, ticket_id: str = "1") -> None:
    """An agent answers the customer publicly at ``at``; the webhook arrives."""
    ticket = testdesk.db.ticket(ticket_id)
    comment = Comment(id=f"c-{at:%H%M}", author_role="agent", public=True, body="Update",
                      created_at=at)
    testdesk.db.put_ticket(ticket.model_copy(update={
        "comments": (*ticket.comments, comment), "status": Status.OPEN, "updated_at": at}))
    poke(runtime, testdesk, f"reply-{at:%d%H%M}", ticket_id)


def poke(runtime: Runtime, testdesk: Any, delivery: str, ticket_id: str = "1") -> None:
    runtime.store.accept([InboundEvent(ref=testdesk.db.ticket(ticket_id).ref,
                                       delivery_id=delivery)])


def test_an_unanswered_ticket_is_one_breach_however_often_it_is_reconciled(
        testdesk: Any, runtime: Runtime, clock: FixedClock) -> None:
    open_ticket(testdesk, runtime)
    drain(runtime)
    assert counted(runtime, "first_response") == {"breaches": 0, "met": 0}
    clock.set(START + timedelta(hours=5))  # due at 13:00: the breach timer fires
    drain(runtime)
    assert counted(runtime, "first_response") == {"breaches": 1, "met": 0}
    poke(runtime, testdesk, "later-1")
    poke(runtime, testdesk, "later-2")
    drain(runtime)
    reply(testdesk, runtime, START + timedelta(hours=6))  # answered late, after all
    clock.set(START + timedelta(hours=6))
    drain(runtime)
    assert counted(runtime, "first_response") == {"breaches": 1, "met": 0}


def test_an_answer_after_the_due_instant_is_a_breach_though_no_look_saw_it_overdue(
        testdesk: Any, runtime: Runtime, clock: FixedClock) -> None:
    open_ticket(testdesk, runtime)
    drain(runtime)
    # The reply (at 14:00, due 13:00) and the breach timer wake the ticket together: the
    # engine never sees it unanswered and overdue, and decides no breach alert.
    reply(testdesk, runtime, START + timedelta(hours=5))
    clock.set(START + timedelta(hours=5))
    drain(runtime)
    assert counted(runtime, "first_response") == {"breaches": 1, "met": 0}
    kinds = [d.kind for d in runtime.store.decisions(testdesk.db.ticket("1").ref)]
    assert "sla.first_response.breach" not in kinds


def test_an_answer_in_time_is_met_once(testdesk: Any, runtime: Runtime,
                                       clock: FixedClock) -> None:
    open_ticket(testdesk, runtime)
    drain(runtime)
    reply(testdesk, runtime, START + timedelta(hours=1))
    clock.set(START + timedelta(hours=1))
    drain(runtime)
    poke(runtime, testdesk, "echo")
    clock.set(START + timedelta(hours=2))
    drain(runtime)
    assert counted(runtime, "first_response") == {"breaches": 0, "met": 1}


def test_each_next_update_period_is_settled_once_by_the_reply_that_ends_it(
        testdesk: Any, runtime: Runtime, clock: FixedClock) -> None:
    open_ticket(testdesk, runtime)
    drain(runtime)

    def at(hours: int) -> datetime:
        clock.set(START + timedelta(hours=hours))
        return START + timedelta(hours=hours)

    for hours in (1, 5):  # the first response at 10:00, an update at 14:00 (8 h allowed)
        reply(testdesk, runtime, at(hours))
        drain(runtime)
    assert counted(runtime, "first_response") == {"breaches": 0, "met": 1}
    assert counted(runtime, "next_update") == {"breaches": 0, "met": 1}
    at(14)  # 23:00: the period from 14:00 was due at 22:00, its breach timer fires
    drain(runtime)
    assert counted(runtime, "next_update") == {"breaches": 1, "met": 1}
    reply(testdesk, runtime, at(15))  # ends the breached period: not counted again
    drain(runtime)
    assert counted(runtime, "next_update") == {"breaches": 1, "met": 1}
    # The next update comes 20 h later, woken with the breach timer it missed: late too.
    reply(testdesk, runtime, at(35))
    drain(runtime)
    assert counted(runtime, "next_update") == {"breaches": 2, "met": 1}
    assert counted(runtime, "first_response") == {"breaches": 0, "met": 1}
