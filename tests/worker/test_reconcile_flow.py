"""Level-triggered reconciliation: events and timers wake a ticket, only differences are written."""

from __future__ import annotations

from datetime import datetime, timedelta

from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.tickets import Comment, Status
from sla_bridge.worker import drain

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


def open_ticket(testdesk, runtime: Runtime, ticket_id: str = "1", **fields):  # type: ignore[no-untyped-def]
    ticket = new_ticket(ticket_id, START, plan="gold", customer_severity="2", **fields)
    testdesk.db.put_ticket(ticket)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id=f"created-{ticket_id}")])
    return ticket


def test_new_ticket_gets_its_due_time_and_timers(testdesk, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    ticket = open_ticket(testdesk, runtime)
    report = drain(runtime)
    assert [r.outcome for r in report.reconciled] == ["done"]
    applied = testdesk.db.applied("1")
    assert [(a["kind"], a["action"]["fields"]) for a in applied] == [
        ("set_fields", {"sla_first_response_due": "2026-11-30T11:00:00-06:00"})]
    timers = runtime.store.timers(ref=ticket.ref)
    assert [(t.kind, t.due_at.isoformat()) for t in timers] == [
        ("first_response:warning", "2026-11-30T16:00:00+00:00"),  # 3 of 4 h: Mon 10:00 CST
        ("first_response:breach", "2026-11-30T17:00:00+00:00"),
    ]
    record = runtime.store.ticket(ticket.ref)
    assert record is not None
    assert record.policy_id == "runtime-test"
    assert record.clocks[0].due_at is not None
    kinds = [d.kind for d in runtime.store.decisions(ticket.ref)]
    assert kinds == ["action.applied", "sla.first_response", "policy.selected"]
    assert runtime.store.decisions(ticket.ref)[1].summary == (
        "first response due Mon 30 Nov 11:00 CST: 1 h on Wed 25 Nov, Thu 26 Nov skipped "
        "(Thanksgiving Day), Fri 27 Nov skipped (Day after Thanksgiving Day), Sat 28 Nov-Sun "
        "29 Nov skipped (weekend), 3 h on Mon 30 Nov")


def test_reconciling_again_writes_nothing(testdesk, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    ticket = open_ticket(testdesk, runtime)
    drain(runtime)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="echo", by_bridge=True)])
    drain(runtime)
    assert len(testdesk.db.applied("1")) == 1


def test_duplicate_delivery_is_processed_once(testdesk, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    ticket = open_ticket(testdesk, runtime)
    assert runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="created-1")]) == 0
    assert len(drain(runtime).reconciled) == 1


def test_breach_timer_fires_and_alerts_once(testdesk, runtime: Runtime,  # type: ignore[no-untyped-def]
                                             clock: FixedClock) -> None:
    ticket = open_ticket(testdesk, runtime)
    drain(runtime)
    clock.set(START + timedelta(days=5))  # Mon Nov 30 16:00 CST: past the 11:00 due time
    report = drain(runtime)
    assert {t.kind for t in report.fired} == {"first_response:warning",
                                              "first_response:breach"}
    kinds = [a["kind"] for a in testdesk.db.applied("1")]
    assert kinds == ["set_fields", "add_comment", "change_tags"]
    note = testdesk.db.applied("1")[1]["action"]
    assert note["public"] is False
    assert note["body"].startswith("SLA breach: the first response (4 business hours, "
                                   "severity 2, plan gold) was due Mon 30 Nov 11:00 CST.")
    assert runtime.store.timers(ref=ticket.ref) == []
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="later")])
    drain(runtime)
    assert len(testdesk.db.applied("1")) == 3
    # Counted once on /metrics, by policy, plan, severity and metric.
    breaches = runtime.metrics.registry.get_sample_value(
        "sla_bridge_sla_breaches_total",
        {"policy": "runtime-test", "plan": "gold", "severity": "2", "metric": "first_response"})
    assert breaches == 1.0


def test_public_agent_reply_meets_the_target(testdesk, runtime: Runtime,  # type: ignore[no-untyped-def]
                                             clock: FixedClock) -> None:
    ticket = open_ticket(testdesk, runtime)
    drain(runtime)
    reply = Comment(id="a1", author_role="agent", public=True, body="On it",
                    created_at=START + timedelta(hours=1))
    testdesk.db.put_ticket(ticket.model_copy(update={"comments": (reply,),
                                                      "status": Status.OPEN}))
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="reply")])
    drain(runtime)
    assert runtime.store.timers(ref=ticket.ref) == []
    record = runtime.store.ticket(ticket.ref)
    assert record is not None
    assert record.clocks[0].met_at == reply.created_at
    assert not record.clocks[0].breached


def test_ticket_without_a_matching_policy_gets_one_note(testdesk, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket("9", START, plan="bronze")
    testdesk.db.put_ticket(ticket)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="n1")])
    drain(runtime)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="n2")])
    drain(runtime)
    [note] = testdesk.db.applied("9")
    assert "no support policy applies to this ticket (plan 'bronze'" in note["action"]["body"]
    assert "Policies: runtime-test." in note["action"]["body"]


def test_a_closed_ticket_still_gets_its_follow_up_when_it_refuses_the_other_writes(
        testdesk, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    from sla_bridge.actions import AddComment, CreateFollowUp
    from sla_bridge.worker import Applier

    ticket = new_ticket("7", START, plan="gold", customer_severity="2", status=Status.CLOSED)
    testdesk.db.put_ticket(ticket)
    platform = runtime.platforms["testdesk"]
    notice = AddComment(ref=ticket.ref, key="closed:notice", body="Closed.", public=True)
    follow_up = CreateFollowUp(ref=ticket.ref, key="follow_up:c1", subject="Again",
                               body="It broke again")
    after = AddComment(ref=ticket.ref, key="later", body="Not tried.", public=False)
    applier = Applier(runtime.store, runtime.metrics, runtime.settings.retry)
    results = applier.apply_all(platform, ticket, (notice, follow_up, after))
    assert [(r.action.key, r.outcome) for r in results] == [
        ("closed:notice", "closed"), ("follow_up:c1", "applied")]
    assert [a["kind"] for a in testdesk.db.applied("7")] == ["create_follow_up"]
