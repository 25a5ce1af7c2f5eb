"""End to end, SLA clocks: the real bridge under uvicorn, real zenpy, the sandbox over HTTP,
signed webhooks, a virtual clock (:mod:`sla_bridge_zendesk.loop`).

Customers, agents and managers act on the sandbox; the assertions read what a Zendesk
agent sees on the ticket. Every expected instant is worked out by hand from the policy in
the comment next to it. The other workflows of the policy issue are in
``test_zendesk_e2e_*.py``; the faults in ``test_zendesk_e2e_faults.py``.

code42-enterprise: contact hours Mon-Fri 08:00-17:00 in the customer's location's zone
(USA: US Central), one business day = 9 business hours, US holidays whole days in US
Central (Thanksgiving Thu 26 Nov 2026 and the day after); Gold Severity 1 is 1 calendar
hour round the clock, Gold Severity 2 four business hours, Severity 3 one business day,
Severity 4 three; Silver 1/1/1/3 business days; warning at 75 %; clocks pause while
pending.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from zendesk_e2e import COMPLETE, People, at, seen

from sla_bridge_zendesk.loop import BridgeOnSandbox

EASTERN = ZoneInfo("America/New_York")
FIRST = "SLA first response due"
NEXT = "SLA next update due"
RESTORES = ("Restores fail from many devices since Monday's upgrade; we can still restore "
            "from a few. " + COMPLETE)
OUTAGE = "Nobody in the company can restore anything since last night. " + COMPLETE
REPORTS = ("A problem with backup reports for a single user: the weekly report shows the wrong "
           "size. " + COMPLETE)


def sla_notes(world: BridgeOnSandbox, ticket_id: int) -> list[tuple[str, str, bool]]:
    """The bridge's SLA notes on the ticket: (when, text, public)."""
    return [(f"{c.at:%a %H:%M}", c.body, c.public)
            for c in seen(world.sandbox, ticket_id).starting("SLA ")]


def tag_added(world: BridgeOnSandbox, ticket_id: int, tag: str) -> list[str]:
    """When (and by whom) ``tag`` was added, from the audits."""
    found = []
    for audit in world.sandbox.audits(ticket_id):
        for event in audit["events"]:
            if (event.get("field_name") == "tags" and tag in event["value"]
                    and tag not in (event.get("previous_value") or [])):
                found.append(audit["created_at"])
    return found


def test_first_response_due_is_written_to_the_ticket_across_thanksgiving(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    open_ = world.sandbox.open_ticket
    # Lisboa (Gold, Europe: Lisbon, WET = UTC) opens a Severity 3 at 16:00 Lisbon on the
    # Wednesday: 1 h that day; Thanksgiving and the day after are US Central holidays,
    # 06:00 Thu - 06:00 Sat in Lisbon, so Lisbon's Thursday and Friday hours are skipped;
    # weekend; 8 h on Monday 08:00-16:00 Lisbon.
    lisboa = world.step(at("2026-11-25 10:00"), "Lisboa: Severity 3",
                        lambda: open_(people["Ines"], "Backup report wrong", REPORTS,
                                      priority="normal"))
    # Acme (Gold, USA) opens a Severity 2 at 16:00 on the Wednesday before Thanksgiving:
    # 1 h on Wednesday, Thursday and Friday are holidays, weekend, 3 h on Monday.
    acme = world.step(at("2026-11-25 16:00"), "Acme: Severity 2",
                      lambda: open_(people["Dana"], "Restores fail", RESTORES, priority="high"))
    # On Thanksgiving at 03:00: Silver Severity 1 waits for Monday (9 h, 08:00-17:00) ...
    globex = world.step(at("2026-11-26 03:00"), "Globex: Severity 1",
                        lambda: open_(people["Gil"], "Cannot restore", OUTAGE,
                                      priority="urgent"))
    # ... Gold Severity 1 is 1 calendar hour, 24x7, holidays included.
    gold_one = world.step(at("2026-11-26 03:00"), "Acme: Severity 1",
                          lambda: open_(people["Dana"], "Cannot restore", OUTAGE,
                                        priority="urgent"))

    assert seen(world.sandbox, lisboa["id"]).fields[FIRST] == "2026-11-30T16:00:00+00:00"
    assert seen(world.sandbox, acme["id"]).fields[FIRST] == "2026-11-30T11:00:00-06:00"
    assert seen(world.sandbox, globex["id"]).fields[FIRST] == "2026-11-30T17:00:00-06:00"
    assert seen(world.sandbox, gold_one["id"]).fields[FIRST] == "2026-11-26T04:00:00-06:00"
    # The field is written once, by the bridge's API user, with its key in the audit.
    writes = [(a["author_id"], a["metadata"]["custom"].get("sla_bridge_key"))
              for a in world.sandbox.audits(acme["id"])
              if any(e.get("field_name") == str(world.sandbox.field_id(FIRST))
                     for e in a["events"])]
    assert writes == [(world.sandbox.api_user["id"],
                       f"zendesk:{acme['id']}:set_fields:sla:first_response:due")]
    # Why: on the bridge's audit trail.
    assert [d.summary for d in world.decisions(acme["id"]) if d.kind == "sla.first_response"
            ] == ["first response due Mon 30 Nov 11:00 CST: 1 h on Wed 25 Nov, Thu 26 Nov "
                  "skipped (Thanksgiving Day), Fri 27 Nov skipped (Day after Thanksgiving Day), "
                  "Sat 28 Nov-Sun 29 Nov skipped (weekend), 3 h on Mon 30 Nov"]


def test_warning_then_breach_leave_internal_notes_and_tags(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    open_ = world.sandbox.open_ticket
    globex = world.step(at("2026-11-26 03:00"), "Globex: Severity 1 on Thanksgiving",
                        lambda: open_(people["Gil"], "Cannot restore", OUTAGE,
                                      priority="urgent"))
    gold_one = world.step(at("2026-11-26 03:00"), "Acme: Severity 1 on Thanksgiving",
                          lambda: open_(people["Dana"], "Cannot restore", OUTAGE,
                                        priority="urgent"))
    world.advance(at("2026-12-01 12:00"))

    # Silver Severity 1: due Mon 17:00 (9 business hours from Mon 08:00); warning at 75 %,
    # 6 h 45 min into Monday: 14:45.
    assert sla_notes(world, globex["id"]) == [
        ("Mon 14:45", "SLA warning: the first response (1 business day, severity 1, plan "
                      "silver) is due Mon 30 Nov 17:00 CST.", False),
        ("Mon 17:00", "SLA breach: the first response (1 business day, severity 1, plan "
                      "silver) was due Mon 30 Nov 17:00 CST.", False)]
    # Gold Severity 1: 1 calendar hour on the holiday, warning after 45 minutes.
    assert sla_notes(world, gold_one["id"]) == [
        ("Thu 03:45", "SLA warning: the first response (1 calendar hour, severity 1, plan "
                      "gold) is due Thu 26 Nov 04:00 CST.", False),
        ("Thu 04:00", "SLA breach: the first response (1 calendar hour, severity 1, plan "
                      "gold) was due Thu 26 Nov 04:00 CST.", False)]
    ticket = seen(world.sandbox, globex["id"])
    assert {"sla_warning", "sla_breached"} <= set(ticket.tags)
    assert tag_added(world, globex["id"], "sla_warning") == ["2026-11-30T20:45:00Z"]
    assert tag_added(world, globex["id"], "sla_breached") == ["2026-11-30T23:00:00Z"]
    assert ticket.priority == "urgent"  # the policy does not raise the priority
    assert ticket.by_bridge(public=True) == []  # the customer sees none of it
    # Answering late changes nothing that was written.
    world.step(at("2026-12-01 13:00"), "Avery answers Globex, late",
               lambda: world.sandbox.agent_update(globex["id"], people["Avery"],
                                                  comment="Looking now."))
    world.advance(at("2026-12-03 12:00"))
    assert len(sla_notes(world, globex["id"])) == 2
    assert seen(world.sandbox, globex["id"]).keys().most_common(1)[0][1] == 1


def test_pending_pauses_the_clock_and_the_due_instant_moves_by_the_paused_time(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    # Gold Severity 2 at 09:00 on Mon 30 Nov: 4 business hours, due 13:00 (warning 12:00).
    ticket = world.step(at("2026-11-30 09:00"), "Acme: Severity 2",
                        lambda: sandbox.open_ticket(people["Dana"], "Restores fail", RESTORES,
                                                    priority="high"))
    number = ticket["id"]
    assert seen(sandbox, number).fields[FIRST] == "2026-11-30T13:00:00-06:00"
    # 10:00: waiting on the customer (1 h used); no public reply, so the target is not met.
    world.step(at("2026-11-30 10:00"), "Avery sets it pending",
               lambda: sandbox.agent_update(number, people["Avery"], status="pending",
                                            comment="Waiting for Dana's change window.",
                                            public=False))
    world.advance(at("2026-11-30 13:30"))  # past the old warning and due instants
    assert sla_notes(world, number) == []
    assert [d.summary for d in world.decisions(number) if d.kind.endswith(".paused")] == [
        "first response clock paused while the ticket waits on the customer (1 h of 4 "
        "business hours used)"]
    # 14:00: Dana answers, Zendesk re-opens the ticket; 3 h are left: due 17:00, four hours
    # later than before (the paused 10:00-14:00); warning at 3 h used: 16:00.
    world.step(at("2026-11-30 14:00"), "Dana answers",
               lambda: sandbox.customer_reply(number, "The change window is now."))
    assert seen(sandbox, number).status == "open"
    assert seen(sandbox, number).fields[FIRST] == "2026-11-30T17:00:00-06:00"
    world.step(at("2026-11-30 16:30"), "Avery answers",
               lambda: sandbox.agent_update(number, people["Avery"], comment="Fixed."))
    world.advance(at("2026-12-01 12:00"))
    assert sla_notes(world, number) == [
        ("Mon 16:00", "SLA warning: the first response (4 business hours, severity 2, plan "
                      "gold) is due Mon 30 Nov 17:00 CST.", False)]
    assert "sla_breached" not in seen(sandbox, number).tags
    assert [(f"{when:%H:%M}", to, who) for when, to, who in seen(sandbox, number).status_changes
            ] == [("10:00", "pending", "Avery"), ("14:00", "open", "Dana")]


def test_the_reason_for_a_resumed_clock_counts_only_the_time_it_ran(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    number = world.step(at("2026-11-30 09:00"), "Acme: Severity 2", lambda: sandbox.open_ticket(
        people["Dana"], "Restores fail", RESTORES, priority="high"))["id"]
    world.step(at("2026-11-30 10:00"), "Avery sets it pending",
               lambda: sandbox.agent_update(number, people["Avery"], status="pending"))
    world.step(at("2026-11-30 14:00"), "Dana answers",
               lambda: sandbox.customer_reply(number, "The change window is now."))
    *_, reason = [d.summary for d in world.decisions(number) if d.kind == "sla.first_response"]
    # 1 h ran before the pause (09:00-10:00); the walk counts from the resume at 14:00.
    assert reason == ("first response due Mon 30 Nov 17:00 CST: 3 h on Mon 30 Nov (1 h used "
                      "before Mon 30 Nov 14:00 CST)")
    counted = sum(int(h) * 60 + int(m or 0) for h, m in
                  re.findall(r"(\d+) h(?: (\d+) min)? (?:on|used before) ", reason))
    assert counted == 4 * 60, reason


def test_a_severity_change_re_targets_the_clock_and_keeps_the_time_used(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox

    def opened(subject: str, text: str, priority: str) -> Callable[[], dict[str, Any]]:
        return lambda: sandbox.open_ticket(people["Dana"], subject, text, priority=priority)

    raised = world.step(at("2026-11-30 09:00"), "Severity 3", opened("Reports", REPORTS,
                                                                     "normal"))
    lowered = world.step(at("2026-11-30 09:00"), "Severity 2", opened("Restores", RESTORES,
                                                                      "high"))
    too_late = world.step(at("2026-11-30 09:00"), "Severity 3", opened("Reports 2", REPORTS,
                                                                       "normal"))
    # Severity 3 = 9 business hours from Mon 09:00: 8 h on Monday, 1 h on Tuesday.
    assert seen(sandbox, raised["id"]).fields[FIRST] == "2026-12-01T09:00:00-06:00"
    assert seen(sandbox, lowered["id"]).fields[FIRST] == "2026-11-30T13:00:00-06:00"

    # 10:00, Severity 2 -> 4 (3 business days = 27 h): 1 h used, 26 h left: 7 h Mon,
    # 9 h Tue, 9 h Wed, 1 h Thu -> Thu 3 Dec 09:00.
    world.step(at("2026-11-30 10:00"), "Avery lowers to Severity 4",
               lambda: sandbox.agent_update(lowered["id"], people["Avery"], priority="low"))
    assert seen(sandbox, lowered["id"]).fields[FIRST] == "2026-12-03T09:00:00-06:00"
    # 11:00, Severity 3 -> 2 (4 business hours): 2 h used, 2 h left -> 13:00; the warning
    # (3 h used) at 12:00.
    world.step(at("2026-11-30 11:00"), "Avery raises to Severity 2",
               lambda: sandbox.agent_update(raised["id"], people["Avery"], priority="high"))
    assert seen(sandbox, raised["id"]).fields[FIRST] == "2026-11-30T13:00:00-06:00"
    # 14:00, Severity 3 -> 2 after 5 h used: nothing is left, due at the change, breached
    world.step(at("2026-11-30 14:00"), "Avery raises to Severity 2, too late",
               lambda: sandbox.agent_update(too_late["id"], people["Avery"], priority="high"))
    due = seen(sandbox, too_late["id"]).fields[FIRST]
    assert datetime.fromisoformat(due) == at("2026-11-30 14:00")
    assert [(when, public) for when, _, public in sla_notes(world, too_late["id"])] == [
        ("Mon 14:00", False)]
    world.advance(at("2026-11-30 16:00"))

    assert sla_notes(world, raised["id"]) == [
        ("Mon 12:00", "SLA warning: the first response (4 business hours, severity 2, plan "
                      "gold) is due Mon 30 Nov 13:00 CST.", False),
        ("Mon 13:00", "SLA breach: the first response (4 business hours, severity 2, plan "
                      "gold) was due Mon 30 Nov 13:00 CST.", False)]
    assert sla_notes(world, lowered["id"]) == []
    # The customer's severity is kept: Zendesk's audit still shows the created priority.
    created = [e["value"] for e in world.sandbox.audits(raised["id"])[0]["events"]
               if e.get("field_name") == "priority"]
    assert created == ["normal"]
    assert seen(sandbox, raised["id"]).priority == "high"


def test_a_re_target_that_leaves_no_time_is_written_in_the_customers_zone(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    ticket = world.step(at("2026-11-30 09:00"), "Severity 3", lambda: sandbox.open_ticket(
        people["Dana"], "Reports", REPORTS, priority="normal"))
    world.step(at("2026-11-30 14:00"), "Avery raises to Severity 2 after 5 h",
               lambda: sandbox.agent_update(ticket["id"], people["Avery"], priority="high"))
    assert sla_notes(world, ticket["id"]) == [
        ("Mon 14:00", "SLA breach: the first response (4 business hours, severity 2, plan "
                      "gold) was due Mon 30 Nov 14:00 CST.", False)]
    assert seen(sandbox, ticket["id"]).fields[FIRST] == "2026-11-30T14:00:00-06:00"


def test_premier_high_next_update_every_two_hours_pauses_while_pending(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    # ownbackup Premier High: first response 1 calendar hour, subsequent updates every 2
    # calendar hours, 24x7; clocks pause while pending. The customer is in US Eastern.
    world = make_world(start=at("2026-11-30 07:00"), policies=["ownbackup"])
    org = world.sandbox.add_organization("Contoso", {"support_plan": "premier"})
    pat = world.sandbox.add_user("Pat", "pat@contoso.test", org["id"])["id"]
    avery = world.sandbox.add_agent("Avery", "avery@vendor.test")["id"]
    world.start()
    sandbox = world.sandbox

    def east(hhmm: str) -> datetime:
        return at(f"2026-11-30 {hhmm}", zone=EASTERN)

    ticket = world.step(east("09:00"), "Pat: production data loss", lambda: sandbox.open_ticket(
        pat, "Production records corrupted",
        "Real data loss in production: records were corrupted after last night's job and "
        "there is no workaround; the whole sales team is blocked.", priority="urgent"))
    number = ticket["id"]
    assert seen(sandbox, number).fields[FIRST] == "2026-11-30T10:00:00-05:00"
    # 09:30 first answer: the next update is due 2 h later.
    world.step(east("09:30"), "Avery answers",
               lambda: sandbox.agent_update(number, avery, comment="Investigating."))
    assert seen(sandbox, number).fields[NEXT] == "2026-11-30T11:30:00-05:00"
    # 10:45 an update, and pending: the new 2 h cycle waits for the customer.
    world.step(east("10:45"), "Avery answers and waits",
               lambda: sandbox.agent_update(number, avery, comment="Can you send the job id?",
                                            status="pending"))
    # 12:00 Pat answers (re-opened): the cycle runs from 12:00, due 14:00, warning 13:30.
    world.step(east("12:00"), "Pat answers",
               lambda: sandbox.customer_reply(number, "Job id 4711."))
    assert seen(sandbox, number).fields[NEXT] == "2026-11-30T14:00:00-05:00"
    world.advance(east("14:30"))
    assert [(f"{c.at.astimezone(EASTERN):%H:%M}", c.body)
            for c in seen(sandbox, number).starting("SLA ")] == [
        ("13:30", "SLA warning: the next update (2 calendar hours, severity High, plan premier) "
                  "is due Mon 30 Nov 14:00 EST."),
        ("14:00", "SLA breach: the next update (2 calendar hours, severity High, plan premier) "
                  "was due Mon 30 Nov 14:00 EST.")]
    world.step(east("14:30"), "Avery answers",
               lambda: sandbox.agent_update(number, avery, comment="Restored."))
    assert seen(sandbox, number).fields[NEXT] == "2026-11-30T16:30:00-05:00"
