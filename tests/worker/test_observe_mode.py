"""Observe mode (``SLA_BRIDGE_MODE=observe``): everything is decided and recorded, nothing is
written; switching to enforce applies what is still due, never a backlog of stale notes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.settings import SettingsError, load_settings
from sla_bridge.worker import drain

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
BREACHED = START + timedelta(days=5)  # Mon 30 Nov 16:00 CST: past the 11:00 due time


def open_ticket(testdesk, runtime: Runtime, ticket_id: str = "1") -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(ticket_id, START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id=f"created-{ticket_id}")])


def wake(runtime: Runtime, delivery_id: str, ticket_id: str = "1") -> None:
    runtime.store.accept([InboundEvent(ref=new_ticket(ticket_id, START).ref,
                                       delivery_id=delivery_id)])


def ledger(runtime: Runtime, ticket_id: str = "1") -> list[tuple[str, str]]:
    ref = new_ticket(ticket_id, START).ref
    return [(e.kind, e.status) for e in runtime.store.ledger(ref)]


def writes(testdesk) -> list[str]:  # type: ignore[no-untyped-def]
    """What the bridge wrote to the helpdesk, by action kind."""
    return [a["kind"] for a in testdesk.db.applied("1")]


def test_observe_mode_records_and_logs_what_it_would_write_and_writes_nothing(
        testdesk, bridges: dict[str, Runtime], clock: FixedClock,  # type: ignore[no-untyped-def]
        caplog: pytest.LogCaptureFixture) -> None:
    observe = bridges["observe"]
    open_ticket(testdesk, observe)
    with caplog.at_level(logging.INFO, logger="sla_bridge.worker"):
        drain(observe)
        clock.set(BREACHED)
        report = drain(observe)
    assert {t.kind for t in report.fired} == {"first_response:warning",
                                              "first_response:breach"}
    assert writes(testdesk) == []
    ticket = testdesk.db.ticket("1")
    assert ticket is not None
    assert not ticket.tags
    assert "sla_first_response_due" not in ticket.fields
    assert not ticket.comments
    assert ledger(observe) == [("set_fields", "observed"), ("add_comment", "observed"),
                               ("change_tags", "observed")]
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("would")]
    assert len(lines) == 3
    assert lines[1].startswith("would write add_comment on testdesk 1: ")
    assert "[key " in lines[1]
    assert not [r for r in caplog.records if r.getMessage().startswith("wrote ")]
    trail = [d for d in observe.store.decisions(new_ticket("1", START).ref)
             if d.kind == "action.observed"]
    assert len(trail) == 3
    assert all(d.summary.startswith("would write (observe mode) ") for d in trail)
    # The decisions themselves are made as in enforce mode: the breach is on record.
    record = observe.store.ticket(new_ticket("1", START).ref)
    assert record is not None
    assert record.clocks[0].breached


def test_observing_settles_a_second_reconcile_records_nothing_new(
        testdesk, bridges: dict[str, Runtime], clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    observe = bridges["observe"]
    ref = new_ticket("1", START).ref
    open_ticket(testdesk, observe)
    drain(observe)
    clock.set(BREACHED)
    drain(observe)
    before = (ledger(observe), len(observe.store.decisions(ref)))
    wake(observe, "echo-1")
    wake(observe, "echo-2")
    report = drain(observe)
    assert [r.outcome for r in report.reconciled] == ["done"]
    assert all(a.outcome == "already" for r in report.reconciled for a in r.applied)
    assert (ledger(observe), len(observe.store.decisions(ref))) == before
    assert writes(testdesk) == []


def test_switching_to_enforce_applies_what_holds_now_and_not_the_stale_breach_note(
        testdesk, bridges: dict[str, Runtime], clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    observe, enforce = bridges["observe"], bridges["enforce"]
    open_ticket(testdesk, observe)
    drain(observe)
    clock.set(BREACHED)
    drain(observe)  # the breach note would have been posted now
    clock.set(BREACHED + timedelta(hours=2))
    wake(enforce, "after-the-switch")
    drain(enforce)
    assert writes(testdesk) == ["set_fields", "change_tags"]
    ticket = testdesk.db.ticket("1")
    assert ticket is not None
    assert ticket.fields["sla_first_response_due"] == "2026-11-30T11:00:00-06:00"
    assert ticket.tags  # the breach tag the policy wants now
    assert not [c for c in ticket.comments if c.body.startswith("SLA breach")]
    wake(enforce, "later")
    drain(enforce)
    assert writes(testdesk) == ["set_fields", "change_tags"]


def test_timers_scheduled_while_observing_fire_normally_after_the_switch(
        testdesk, bridges: dict[str, Runtime], clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    observe, enforce = bridges["observe"], bridges["enforce"]
    open_ticket(testdesk, observe)
    drain(observe)
    wake(enforce, "switched")
    drain(enforce)
    assert writes(testdesk) == ["set_fields"]
    clock.set(BREACHED)
    report = drain(enforce)
    assert {t.kind for t in report.fired} == {"first_response:warning",
                                              "first_response:breach"}
    assert writes(testdesk) == ["set_fields", "add_comment", "change_tags"]
    note = testdesk.db.applied("1")[1]["action"]
    assert note["body"].startswith("SLA breach: the first response")


def test_a_platform_override_wins_over_the_bridge_mode(
        testdesk, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLA_BRIDGE_MODE", "observe")
    monkeypatch.setenv("SLA_BRIDGE_TESTDESK__MODE", "enforce")
    settings = load_settings()
    assert settings.mode == "observe"
    assert settings.mode_for("testdesk") == "enforce"
    assert settings.mode_for("zendesk") == "observe"
    assert load_settings(environ={"SLA_BRIDGE_ZENDESK__MODE": "observe"}).mode_for(
        "zendesk") == "observe"


def test_a_bad_mode_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_MODE", "dry")
    with pytest.raises(SettingsError, match=r"SLA_BRIDGE_MODE: .*'enforce' or 'observe'"):
        load_settings()
    settings = load_settings(environ={"SLA_BRIDGE_TESTDESK__MODE": "dry"})
    with pytest.raises(SettingsError, match="SLA_BRIDGE_TESTDESK__MODE: "):
        settings.mode_for("testdesk")


def test_a_drifted_field_is_observed_not_corrected_after_a_switch_to_observe(
        testdesk, bridges: dict[str, Runtime]) -> None:  # type: ignore[no-untyped-def]
    observe, enforce = bridges["observe"], bridges["enforce"]
    open_ticket(testdesk, enforce)
    drain(enforce)
    assert ledger(enforce) == [("set_fields", "applied")]
    ticket = testdesk.db.ticket("1")
    assert ticket is not None
    testdesk.db.put_ticket(ticket.model_copy(update={"fields": {}}))  # an agent clears it
    wake(observe, "cleared")
    drain(observe)
    assert writes(testdesk) == ["set_fields"]  # the first write only
    assert ledger(observe) == [("set_fields", "observed")]
    wake(observe, "again")
    drain(observe)
    assert ledger(observe) == [("set_fields", "observed")]
    assert writes(testdesk) == ["set_fields"]
