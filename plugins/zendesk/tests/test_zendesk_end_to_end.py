"""End to end, what only Zendesk does with the bridge's fields and severities: the real
bridge under uvicorn, real zenpy, the sandbox over HTTP, signed webhooks, a virtual clock.

The workflow stories themselves (SLA clocks, auto-close, escalation, triage, faults) are the
platform kit's conformance suite, run on Zendesk in ``test_zendesk_conformance.py``; these
tests check how they look in Zendesk: custom fields holding text, the API user's audits with
the bridge's key in their metadata, the severity kept in the priority while the customer's
choice stays in the audit the ticket was created with.
"""

from __future__ import annotations

from datetime import datetime

from zendesk_driver import ZendeskDriver
from zendesk_e2e import COMPLETE, seen

from sla_bridge.testing.conformance import AgentUpdate, Customer, Organization, Scene, at
from sla_bridge.testing.conformance import code42_scene as code42

FIRST = "SLA first response due"


def created_priority(zendesk: ZendeskDriver, ticket: str) -> list[str]:
    """The priority in the audit the ticket was created with."""
    return [e["value"] for e in zendesk.sandbox.audits(int(ticket))[0]["events"]
            if e.get("field_name") == "priority"]


def test_the_due_field_is_text_in_the_customers_zone_written_once_by_the_api_user(
        zendesk: ZendeskDriver) -> None:
    zendesk.begin(code42())
    lisboa = zendesk.open_ticket("Ines", "Backup report wrong", "The weekly report shows the "
                                 "wrong size. " + COMPLETE, severity="3",
                                 at=at("2026-11-25 10:00"))
    acme = zendesk.open_ticket("Dana", "Restores fail", "Restores fail from many devices. "
                               + COMPLETE, severity="2", at=at("2026-11-25 16:00"))
    sandbox = zendesk.sandbox
    # The instant as the customer reads it: Lisbon (UTC in winter), US Central.
    assert seen(sandbox, int(lisboa)).fields[FIRST] == "2026-11-30T16:00:00+00:00"
    assert seen(sandbox, int(acme)).fields[FIRST] == "2026-11-30T11:00:00-06:00"
    # Written once, by the bridge's API user, with its key in the audit's metadata: one
    # update with the severity the same look decided (the batch's keys, in order).
    writes = [(a["author_id"], a["metadata"]["custom"].get("sla_bridge_keys"))
              for a in sandbox.audits(int(acme))
              if any(e.get("field_name") == str(sandbox.field_id(FIRST)) for e in a["events"])]
    assert writes == [(sandbox.api_user["id"],
                       [f"zendesk:{acme}:set_fields:classify:2",
                        f"zendesk:{acme}:set_fields:sla:first_response:due"])]


def test_the_severity_is_the_priority_and_the_customers_choice_stays_in_the_audit(
        zendesk: ZendeskDriver) -> None:
    zendesk.begin(code42())
    # code42: a "Severity 1" how-to is categorised severity 4: Zendesk's low.
    how_to = zendesk.open_ticket(
        "Dana", "URGENT: how do I exclude a folder?", "How do I exclude the Downloads folder "
        "from backup for one user? Just asking for information. " + COMPLETE, severity="1",
        at=at("2026-11-30 09:00"))
    # An agent raises a Severity 3 to 2: Zendesk's normal becomes high.
    raised = zendesk.open_ticket("Dana", "Reports", "A problem with backup reports for a "
                                 "single user: the weekly report shows the wrong size. "
                                 + COMPLETE, severity="3", at=at("2026-11-30 09:00"))
    zendesk.agent_update(raised, "Avery", AgentUpdate(severity="2"),
                         at=at("2026-11-30 11:00"))
    assert (seen(zendesk.sandbox, int(how_to)).priority, created_priority(zendesk, how_to)) == (
        "low", ["urgent"])
    assert (seen(zendesk.sandbox, int(raised)).priority, created_priority(zendesk, raised)) == (
        "high", ["normal"])


def test_ownbackup_recategorises_an_urgent_ticket_to_low(zendesk: ZendeskDriver) -> None:
    # ownbackup's High goes by "urgent" too: the customer's urgent stays in the audit.
    zendesk.begin(Scene(start=at("2026-11-30 00:00"), policies=("ownbackup",),
                        organizations=(Organization("Northwind", "standard",
                                                    "Europe/London"),),
                        customers=(Customer("Nora", "Northwind", admin=False),)))
    sandbox = zendesk.sandbox
    ticket = zendesk.harness.step(
        datetime.fromisoformat("2026-11-30T10:00:00+00:00"), "Nora opens an urgent ticket",
        lambda: sandbox.open_ticket(int(zendesk.person_id("Nora")),
                                    "Feature request: CSV export", "Feature request: it would "
                                    "be nice to export the backup report as CSV. Nothing is "
                                    "broken.", priority="urgent"))
    number = str(ticket["id"])
    assert (seen(sandbox, ticket["id"]).priority, created_priority(zendesk, number)) == (
        "low", ["urgent"])
    assert zendesk.view(number).due["first_response"] == datetime.fromisoformat(
        "2026-12-02T10:00:00+00:00")
