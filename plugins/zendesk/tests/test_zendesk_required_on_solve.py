"""Fields required on solve: Zendesk refuses to solve a ticket while a ticket field whose
``required`` is set is empty ("If true, agents must enter a value in the field to change the
ticket status to solved": Ticket Fields API,
https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/). The sandbox
refuses it with a 422; the bridge then tells the customer nothing that did not happen, and
the agents which field blocks the solve."""

from __future__ import annotations

import pytest
import requests
from zendesk_driver import ZendeskDriver
from zendesk_testing import Account, ref

from sla_bridge.actions import AddComment, Assign, SetFields, SetStatus
from sla_bridge.platforms import VendorError
from sla_bridge.testing.conformance import BRIDGE, AgentUpdate, at, initech_scene
from sla_bridge.tickets import Status
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox

BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")


def test_the_sandbox_refuses_to_solve_while_a_required_field_is_empty(
        sandbox: Sandbox) -> None:
    agent = sandbox.add_agent("Avery Agent", "avery@vendor.test")
    customer = sandbox.add_user("Ivy", "ivy@initech.test")
    cause = sandbox.add_ticket_field("Root cause", required=True)
    ticket = sandbox.open_ticket(customer["id"], "Backups stopped", BACKUPS)
    url = f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json"
    auth = (f"{sandbox.api_email}/token", sandbox.api_token)
    solve = {"status": "solved", "assignee_id": agent["id"],
             "comment": {"body": "We are marking this ticket solved.", "public": True}}
    refused = requests.put(url, json={"ticket": solve}, auth=auth, timeout=10)
    assert refused.status_code == 422
    [problem] = refused.json()["details"]["base"]
    assert problem["description"] == "Root cause: is required when solving a ticket"
    assert sandbox.ticket(ticket["id"])["status"] == "new"
    assert len(sandbox.comments(ticket["id"])) == 1  # the refused update left no comment
    # Filled in the same update, it solves.
    filled = {**solve, "custom_fields": [{"id": cause["id"], "value": "disk full"}]}
    solved = requests.put(url, json={"ticket": filled}, auth=auth, timeout=10)
    assert solved.status_code == 200, solved.text
    assert solved.json()["ticket"]["status"] == "solved"


def test_a_refused_auto_solve_announces_nothing_and_notes_the_blocking_field(
        zendesk: ZendeskDriver) -> None:
    """small-business solves a pending ticket after 4 days with a public "we are marking
    this ticket solved"; the account requires "Root cause" on solve and nobody filled it."""
    zendesk.begin(initech_scene("crashplan-small-business", "small-business"))
    zendesk.sandbox.add_ticket_field("Root cause", required=True)
    ticket = zendesk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity="Normal",
                                 at=at("2026-11-30 09:00"))
    zendesk.agent_update(ticket, "Avery", AgentUpdate(comment="Can you send the logs?",
                                                      status="pending", assignee="Avery"),
                         at=at("2026-11-30 10:00"))
    zendesk.advance(at("2026-12-05 12:00"))  # past Fri 4 Dec 10:00, the solving time
    view = zendesk.view(ticket)
    assert view.status == "pending"
    assert [c.value for c in view.status_changes(by=BRIDGE)] == []
    assert view.by_bridge(public=True) == []  # the customer is not told "solved"
    notes = [c.body for c in view.by_bridge(public=False)]
    blocking = [n for n in notes if "Root cause" in n]
    assert len(blocking) == 1, notes
    assert blocking[0].startswith("sla-bridge did not mark this ticket solved")
    assert "Fill it in, then solve the ticket." in blocking[0]
    # Looking at the ticket again tries nothing new and notes nothing twice.
    zendesk.look_again(ticket)
    again = zendesk.view(ticket)
    assert again.by_bridge(public=True) == []
    assert [c.body for c in again.by_bridge(public=False)] == notes


def require(sandbox: Sandbox, field_id: int) -> None:
    """An admin makes a ticket field required on solve (``PUT /ticket_fields/{id}``)."""
    answer = requests.put(f"{sandbox.base_url}/api/v2/ticket_fields/{field_id}.json",
                          json={"ticket_field": {"required": True}},
                          auth=(f"{sandbox.api_email}/token", sandbox.api_token), timeout=10)
    answer.raise_for_status()


def test_a_close_that_fills_the_required_field_solves_and_closes(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    """The field the close writes counts: it is sent with the solve that comes first."""
    require(sandbox, account.fields["SLA first response due"])
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", BACKUPS)
    at = ref(ticket)
    platform.apply_batch([
        SetFields(ref=at, key="due", fields={"sla_first_response_due":
                                             "2026-11-30T11:00:00-06:00"}),
        Assign(ref=at, key="assign", assignee_id=str(account.agent["id"])),
        AddComment(ref=at, key="notice", body="This ticket has been closed.", public=True),
        SetStatus(ref=at, key="close", status=Status.CLOSED)])
    assert sandbox.ticket(ticket["id"])["status"] == "closed"


def test_a_close_the_required_field_blocks_writes_nothing_but_the_note(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    require(sandbox, account.fields["SLA first response due"])
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", BACKUPS)
    at = ref(ticket)
    batch = [Assign(ref=at, key="assign", assignee_id=str(account.agent["id"])),
             AddComment(ref=at, key="notice", body="This ticket has been closed.",
                        public=True),
             SetStatus(ref=at, key="close", status=Status.CLOSED, reason="solved for 2 days")]
    with pytest.raises(VendorError) as refused:
        platform.apply_batch(batch)
    assert not refused.value.retryable
    assert "'SLA first response due'" in str(refused.value)
    seen = sandbox.ticket(ticket["id"])
    assert seen["status"] == "new"
    [_description, note] = sandbox.comments(ticket["id"])
    assert note["public"] is False
    assert note["body"].startswith("sla-bridge did not mark this ticket solved (solved for 2 "
                                   "days): Zendesk requires the field 'SLA first response due'")
