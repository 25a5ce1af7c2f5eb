"""End to end, what only Salesforce does with the case's life: the customer's e-mail to a
closed case opens one follow-up case (its child, upserted on the follow-up key) however the
org repeats the EmailMessage's Outbound Message and even when the upsert's answer is lost; an
Outbound Message the bridge did not acknowledge is sent again later with the case's latest
data (Salesforce retries for 24 hours at intervals growing up to 2 hours:
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm;
the first interval is the sandbox's choice, read from the message). The real bridge under
uvicorn, simple-salesforce over HTTPS, a virtual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sla_bridge.testing.conformance import at
from sla_bridge_salesforce.loop import RESOLVED, BridgeOnSandbox
from sla_bridge_salesforce.sandbox import Sandbox

BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")
OTHER_ORG = "00D5g000009ZzZzEAK"


class People:
    """Ivy of Initech (small business) and Avery, the agent."""

    ivy = avery = ""

    def seed(self, org: Sandbox) -> None:
        initech = org.add_account("Initech", SLA_Support_Plan__c="small-business")
        self.ivy = org.add_contact("Ivy Initech", "ivy@initech.test", initech["Id"])["Id"]
        self.avery = org.add_agent("Avery", "avery@vendor.test")["Id"]


@pytest.fixture
def people() -> People:
    return People()


@pytest.fixture
def world(tmp_path: Path, people: People) -> Iterator[BridgeOnSandbox]:
    """The bridge on the org under crashplan-small-business from Mon 30 Nov 2026 09:00 CST."""
    with BridgeOnSandbox(tmp_path, start=at("2026-11-30 09:00"),
                         policies=["crashplan-small-business"], seed=people.seed) as running:
        yield running


def closed_case(world: BridgeOnSandbox, people: People) -> str:
    """Ivy's case, resolved by Avery on Monday and closed by the bridge two days later."""
    org = world.sandbox
    case = str(world.step(at("2026-11-30 09:00"), "Ivy opens a case", lambda: org.open_case(
        people.ivy, "Backups stopped", BACKUPS)["Id"]))
    world.step(at("2026-11-30 10:00"), "Avery answers and resolves", lambda: (
        org.comment(case, people.avery, "Update to 11.2.1.", public=True),
        org.update_case(case, people.avery, Status=RESOLVED)))
    world.advance(at("2026-12-03 12:00"))
    assert org.case(case)["IsClosed"] is True
    return case


def test_a_reply_to_a_closed_case_opens_one_child_case_whatever_the_org_repeats(
        world: BridgeOnSandbox, people: People) -> None:
    org = world.sandbox
    case = closed_case(world, people)
    # The upsert lands but its answer is lost; the e-mail's notification comes twice.
    org.drop_next(1, after_processing=True, method="PATCH", path="SLA_Bridge_Key__c")
    org.duplicate_outbound(2)
    world.step(at("2026-12-04 09:00"), "Ivy e-mails the closed case",
               lambda: org.customer_reply(case, "It stalls again since yesterday."))
    [child] = org.store.find("Case", ParentId=case)
    assert child["Description"] == "It stalls again since yesterday."
    assert (child["ContactId"], child["AccountId"]) == (org.case(case)["ContactId"],
                                                       org.case(case)["AccountId"])
    assert child["SLA_Bridge_Key__c"]
    assert org.case(case)["IsClosed"] is True  # the closed case stays closed
    assert "drop_after" in [str(r["fault"]) for r in org.request_log() if r["fault"]]
    assert not world.runtime.store.dead_letters()
    assert world.look_again(case) == []


def test_an_unacknowledged_outbound_message_is_sent_again_with_the_latest_data(
        world: BridgeOnSandbox, people: People) -> None:
    org = world.sandbox
    org.foreign_org_id = OTHER_ORG  # the bridge refuses (401) and does not acknowledge
    case = str(world.step(at("2026-11-30 09:00"), "Ivy opens a case", lambda: org.open_case(
        people.ivy, "Backups stopped", BACKUPS)["Id"]))
    [message] = [m for m in org.outbound_messages if m.action.object_name == "Case"]
    assert [a["status"] for a in message.attempts] == [401]
    assert not org.case(case)["SLA_First_Response_Due__c"]
    org.foreign_org_id = None
    assert message.next_at > at("2026-11-30 09:00")
    world.step(message.next_at, "Salesforce retries", lambda: None)
    assert [a["status"] for a in message.attempts] == [401, 200]
    assert message.status == "delivered"
    assert org.case(case)["SLA_First_Response_Due__c"]
