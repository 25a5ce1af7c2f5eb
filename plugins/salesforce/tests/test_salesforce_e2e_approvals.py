"""End to end, what only Salesforce does with an escalation: with ``APPROVAL_PROCESS`` set the
bridge submits the case to the org's approval process (``/process/approvals/``) naming the
policy group's approvers; the case is locked while pending; the manager approves in
Salesforce and the bridge reads the decision from the case's ProcessInstance, then re-assigns
and tells the customer. The real bridge under uvicorn, simple-salesforce over HTTPS, the org's
Outbound Messages, a virtual clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sla_bridge.testing.conformance import at
from sla_bridge_salesforce.loop import REGISTERED_ADMIN_FIELD, SEVERITY_FIELD, BridgeOnSandbox
from sla_bridge_salesforce.sandbox import Sandbox
from sla_bridge_salesforce.settings import ENV_PREFIX

MANAGERS = "Customer Champion managers"
SENIORS = "Senior Customer Champions"
RESTORES = ("Restores fail from many devices since the upgrade. Product: Code42 app 11.2 on "
            "Windows 11. GUID 987654321098765432, user dana@acme.test, logs attached, "
            "screenshot attached, cloud destination: Code42 cloud.")
DECLINED = "decided not to escalate this ticket"
ESCALATE = ("Please escalate: restores from many devices have failed for five days and our "
            "audit is on Wednesday. We expect severity 1. Call me at +1 612 555 0100.")


class People:
    """Dana of Acme (Gold, USA; its registered admin), Avery the agent, Morgan the manager,
    the queues."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def seed(self, org: Sandbox) -> dict[str, str]:
        """The org's people, and its approval process for escalations (on approval it marks
        the case escalated: a field update, which sends the case's Outbound Message)."""
        acme = org.add_account("Acme", SLA_Support_Plan__c="gold", SLA_Support_Location__c="usa")
        self.ids["dana"] = org.add_contact("Dana Acme", "dana@acme.test", acme["Id"],
                                           **{REGISTERED_ADMIN_FIELD: True})["Id"]
        self.ids["avery"] = org.add_agent("Avery", "avery@vendor.test")["Id"]
        self.ids["morgan"] = org.add_agent("Morgan", "morgan@vendor.test")["Id"]
        for queue in ("Customer Champions", MANAGERS, SENIORS):
            self.ids[queue] = org.add_queue(queue, queue.replace(" ", "_"))["Id"]
        org.add_approval_process("SLA_Escalation", [self.ids["morgan"]],
                                 on_approve={"IsEscalated": True})
        return {f"{ENV_PREFIX}APPROVAL_PROCESS": "SLA_Escalation",
                f"{ENV_PREFIX}APPROVERS": json.dumps({MANAGERS: [self.ids["morgan"]]})}


@pytest.fixture
def people() -> People:
    return People()


@pytest.fixture
def world(tmp_path: Path, people: People) -> Iterator[BridgeOnSandbox]:
    """The bridge on the org under code42-enterprise from Mon 30 Nov 2026 09:00 CST."""
    with BridgeOnSandbox(tmp_path, start=at("2026-11-30 09:00"), seed=people.seed) as running:
        yield running


def escalated_case(world: BridgeOnSandbox, people: People) -> str:
    """Dana's Gold Severity 2, answered by Avery, then her e-mail asking to escalate."""
    org = world.sandbox
    case = world.step(at("2026-11-30 09:00"), "Dana opens a Severity 2", lambda: org.open_case(
        people.ids["dana"], "Restores fail", RESTORES, **{SEVERITY_FIELD: "2"})["Id"])
    world.step(at("2026-11-30 09:30"), "Avery answers", lambda: org.comment(
        case, people.ids["avery"], "We are on it.", public=True))
    world.step(at("2026-11-30 10:00"), "Dana asks to escalate",
               lambda: org.customer_reply(case, ESCALATE))
    return str(case)


def bridge_replies(case: dict[str, Any], org: Sandbox) -> list[str]:
    return [c["CommentBody"] for c in case["comments"]
            if c["CreatedById"] == org.bridge_user_id and c["IsPublished"]]


def test_the_escalation_is_submitted_to_the_approval_process_and_its_approval_acted_on(
        world: BridgeOnSandbox, people: People) -> None:
    org = world.sandbox
    case_id = escalated_case(world, people)
    case = org.case(case_id)
    # Submitted once, to Morgan, with what to decide; the case is locked while pending.
    [instance] = case["approvals"]
    assert instance["Status"] == "Pending"
    workitems = org.store.find("ProcessInstanceWorkitem", ProcessInstanceId=instance["Id"])
    assert [w["ActorId"] for w in workitems] == [people.ids["morgan"]]
    assert case["locked"] is True
    # The process is the request: no fallback note, no approval flag.
    assert not [c for c in case["comments"] if c["CreatedById"] == org.bridge_user_id
                and "Escalation requested" in c["CommentBody"]]
    assert case["SLA_Approval_Requested__c"] is not True

    world.step(at("2026-11-30 11:00"), "Morgan approves in Salesforce",
               lambda: org.approve(case_id, people.ids["morgan"], "Agreed."))
    case = org.case(case_id)
    assert [i["Status"] for i in case["approvals"]] == ["Approved"]
    assert case["locked"] is False
    assert case["OwnerId"] == people.ids[SENIORS]
    [approved] = [r for r in bridge_replies(case, org) if "approved your escalation" in r]
    assert f"{SENIORS} will take it from here" in approved
    # Nothing was given up on while the case was locked; once settled, a look writes nothing.
    assert not world.runtime.store.dead_letters()
    assert world.look_again(case_id) == []


def test_a_rejection_that_changes_nothing_on_the_case_is_read_at_the_reminder(
        world: BridgeOnSandbox, people: People) -> None:
    """The process updates no field on rejection: the case does not change, so no Outbound
    Message tells the bridge; its reminder timer reads the decision (Salesforce's record-
    triggered Flows run on record changes only)."""
    org = world.sandbox
    case_id = escalated_case(world, people)
    sent = len(org.outbound_messages)
    world.step(at("2026-11-30 11:00"), "Morgan rejects in Salesforce",
               lambda: org.reject(case_id, people.ids["morgan"], "Not a Severity 1."))
    assert len(org.outbound_messages) == sent
    assert not [r for r in bridge_replies(org.case(case_id), org) if DECLINED in r]
    world.advance(at("2026-12-01 12:00"))
    case = org.case(case_id)
    assert [i["Status"] for i in case["approvals"]] == ["Rejected"]
    assert case["OwnerId"] != people.ids[SENIORS]
    assert [r for r in bridge_replies(case, org) if DECLINED in r]
    assert not world.runtime.store.dead_letters()
