"""End to end: the real bridge served by uvicorn; the sandbox org's Outbound Messages (and
messages posted by hand) answered with the Ack envelope only once their events are stored;
the case written back through simple-salesforce over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from defusedxml.ElementTree import fromstring
from salesforce_testing import (
    FLOW_SECRET,
    Org,
    SalesforceHelpdesk,
    case_notification,
    envelope,
)
from sqlalchemy import text
from test_salesforce_inbound import BILLION_LAUGHS

from sla_bridge.testing import BridgeHarness, VirtualClock
from sla_bridge_salesforce.outbound import OUTBOUND, SOAP_ENV
from sla_bridge_salesforce.sandbox import Sandbox

COMPLETE = ("Restores fail on every device since this morning, product Backup 7.2, error "
            "E-1234; impact: no restores possible.")
SOAP_HEADERS = {"content-type": "text/xml; charset=utf-8", "soapaction": '""'}


@pytest.fixture
def bridge(tmp_path: Path, sandbox: Sandbox, org: Org,
           clock: VirtualClock) -> Iterator[BridgeHarness]:
    """The bridge on the sandbox with the code42-enterprise policy, wired and serving."""
    with BridgeHarness(tmp_path, SalesforceHelpdesk(sandbox), clock=clock,
                       policies=["code42-enterprise"]) as harness:
        yield harness


def stored(bridge: BridgeHarness, delivery_id: str) -> bool:
    with bridge.runtime.store.transaction() as conn:
        return conn.execute(text("SELECT 1 FROM inbox WHERE platform = 'salesforce' AND "
                                 "delivery_id = :d"), {"d": delivery_id}).first() is not None


def is_ack(body: bytes) -> bool:
    ack = fromstring(body).find(
        f"{{{SOAP_ENV}}}Body/{{{OUTBOUND}}}notificationsResponse/{{{OUTBOUND}}}Ack")
    return ack is not None and ack.text == "true"


def test_a_new_case_is_delivered_acknowledged_and_written_back(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org, clock: VirtualClock) -> None:
    case_id = bridge.step(clock.now(), "Grace opens a case", lambda: sandbox.open_case(
        org.customer["Id"], "Restores fail", COMPLETE, Priority="High")["Id"])
    first = sandbox.outbound_messages[0]
    assert first.attempts
    assert first.attempts[0]["acked"]
    case = sandbox.case(case_id)
    assert case["SLA_First_Response_Due__c"]
    bridge_comments = [c for c in case["comments"]
                       if c["CreatedById"] == sandbox.bridge_user_id]
    assert bridge_comments
    # The bridge's own writes fired Outbound Messages too: they were acknowledged as echoes and
    # settled (no write loop).
    assert all(a["acked"] for m in sandbox.outbound_messages for a in m.attempts)


def test_a_message_posted_to_serve_is_acknowledged_after_its_events_are_stored(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org) -> None:
    url = f"{bridge.url}/webhooks/salesforce"
    case = sandbox.open_case(org.customer["Id"], "Restores fail", COMPLETE)
    body = envelope(sandbox.organization_id, [
        case_notification("04l5g00000CcIFIAA3", case["Id"]),
        case_notification("04l5g00000CcIFJAA3", case["Id"], Status="New")])
    answer = httpx.post(url, content=body, headers=SOAP_HEADERS)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert is_ack(answer.content)
    assert stored(bridge, "04l5g00000CcIFIAA3")
    assert stored(bridge, "04l5g00000CcIFJAA3")
    again = httpx.post(url, content=body, headers=SOAP_HEADERS)
    assert again.status_code == 200
    assert is_ack(again.content)


def test_another_orgs_message_is_401_and_hostile_xml_is_400_and_nothing_is_stored(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org) -> None:
    url = f"{bridge.url}/webhooks/salesforce"
    waiting = bridge.runtime.store.inbox_depth()[0]
    foreign = envelope("00D5g000009ZzZzEAK", [
        case_notification("04l5g00000CcIFIAA3", "5005g00000AbCdEAAV")])
    refused = httpx.post(url, content=foreign, headers=SOAP_HEADERS)
    laughs = httpx.post(url, content=BILLION_LAUGHS, headers=SOAP_HEADERS)
    assert (refused.status_code, laughs.status_code) == (401, 400)
    assert b"Ack" not in refused.content + laughs.content
    assert "DTD" in laughs.json()["reason"]
    assert bridge.runtime.store.inbox_depth()[0] == waiting


def test_a_flow_callout_to_serve_is_stored_when_it_carries_the_secret(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org) -> None:
    url = f"{bridge.url}/webhooks/salesforce"
    sandbox.add_flow_callout(url, FLOW_SECRET)
    sandbox.add_flow_callout(url, "a-guessed-secret", name="Impostor")
    case = sandbox.open_case(org.customer["Id"], "Restores fail", COMPLETE)
    assert sandbox.flush()
    by_flow = {d.webhook_id: d for d in sandbox.deliveries if case["Id"].encode() in d.body}
    assert (by_flow["SLA_Bridge_Callout"].status, by_flow["Impostor"].status) == (
        "success", "client error")
    bridge.settle()
    assert sandbox.case(case["Id"])["SLA_First_Response_Due__c"]


def test_a_reply_to_a_closed_case_opens_one_follow_up_case(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org, clock: VirtualClock) -> None:
    case_id = bridge.step(clock.now(), "Grace opens a case", lambda: sandbox.open_case(
        org.customer["Id"], "Restores fail", COMPLETE, Priority="High")["Id"])
    bridge.step(clock.now() + timedelta(hours=1), "Ada answers and closes", lambda: (
        sandbox.comment(case_id, org.agent["Id"], "Fixed in 7.3", public=True),
        sandbox.update_case(case_id, org.agent["Id"], Status="Closed")))
    bridge.step(clock.now() + timedelta(days=1), "Grace replies to the closed case",
                lambda: sandbox.customer_reply(case_id, "It fails again after the update"))
    sandbox.duplicate_outbound(1)
    bridge.settle()
    [follow_up] = sandbox.store.find("Case", ParentId=case_id)
    number = sandbox.case(case_id)["CaseNumber"]
    # Named by its CaseNumber, as agents know it, not by the 18-character Id.
    assert follow_up["Subject"] == f"Follow-up to ticket {number}: Restores fail"
    assert follow_up["Description"] == "It fails again after the update"
    assert follow_up["AccountId"] == org.account["Id"]
    assert sandbox.case(case_id)["IsClosed"] is True


def bridge_comments(sandbox: Sandbox, case_id: str) -> list[tuple[bool, str]]:
    return [(c["IsPublished"], c["CommentBody"]) for c in sandbox.case(case_id)["comments"]
            if c["CreatedById"] == sandbox.bridge_user_id]


def test_a_contact_who_is_not_a_registered_admin_gets_the_entitlement_note_and_reply(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org, clock: VirtualClock) -> None:
    carl = sandbox.add_contact("Carl Colleague", "carl@gold.test", org.account["Id"])
    carls = bridge.step(clock.now(), "Carl (not registered) opens a case",
                        lambda: sandbox.open_case(carl["Id"], "Restores fail", COMPLETE,
                                                  Priority="High")["Id"])
    graces = bridge.step(clock.now(), "Grace (the admin) opens a case",
                         lambda: sandbox.open_case(org.customer["Id"], "Restores fail",
                                                   COMPLETE, Priority="High")["Id"])
    note = (f"Entitlement: requester {carl['Id']} is not one of the first 4 registered admins "
            "of the organization (Code42 Gold Support allows 4 administrators).")
    assert (False, note) in bridge_comments(sandbox, carls)
    assert any(public and "ask a registered administrator" in body
               for public, body in bridge_comments(sandbox, carls))
    assert not any("Entitlement" in body for _, body in bridge_comments(sandbox, graces))


def test_the_orgs_api_limit_is_waited_out_and_the_write_lands_once(
        bridge: BridgeHarness, sandbox: Sandbox, org: Org, clock: VirtualClock) -> None:
    sandbox.limit_exceeded_next(1, method="PATCH")
    case_id = bridge.step(clock.now(), "Grace opens a case while the org is over its limit",
                          lambda: sandbox.open_case(org.customer["Id"], "Restores fail",
                                                    COMPLETE, Priority="High")["Id"])
    limit_backoff = bridge.runtime.platforms["salesforce"].settings.limit_backoff_seconds
    assert limit_backoff in bridge.retry_waits
    assert sandbox.case(case_id)["SLA_First_Response_Due__c"]
    refused = [e for e in sandbox.request_log() if e["status"] == 403]
    assert len(refused) == 1
