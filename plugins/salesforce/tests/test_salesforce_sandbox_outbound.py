"""The sandbox's Outbound Message sender against a real HTTP listener (uvicorn): the SOAP
envelopes, batching, the acknowledgement rule, retries on the clock, expiry, out-of-order,
duplicate and lost deliveries, a foreign org, echoes of the bridge's writes; and the Flow
HTTP callout.

Salesforce's rules, cited per test: "Understanding the Outbound Messaging WSDL"
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm),
"Understanding Outbound Messaging" and its notifications page
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm,
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_notifications.htm).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge.clock import FixedClock
from sla_bridge.sandbox import ThreadedServer
from sla_bridge_salesforce.sandbox import Sandbox

SPECS = Path(__file__).resolve().parents[1] / "specs" / "outbound-messaging"
NS = {"soapenv": "http://schemas.xmlsoap.org/soap/envelope/",
      "om": "http://soap.sforce.com/2005/09/outbound",
      "sf": "urn:sobject.enterprise.soap.sforce.com",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
ACK = (b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
       b'"http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse'
       b' xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>'
       b'</notificationsResponse></soapenv:Body></soapenv:Envelope>')
NACK = ACK.replace(b"<Ack>true</Ack>", b"<Ack>false</Ack>")
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Listener:
    """A real endpoint standing in for the bridge: it records every POST and answers with
    the planned answers (status, body, seconds to wait), then with the ack."""

    plan: list[tuple[int, bytes, float]] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            self.received.append((dict(request.headers), await request.body()))
            status, body, wait = self.plan.pop(0) if self.plan else (200, ACK, 0.0)
            if wait:
                await asyncio.sleep(wait)
            return Response(body, status, media_type="text/xml")

        return Starlette(routes=[Route("/webhooks/salesforce", receive, methods=["POST"]),
                                 Route("/flow", receive, methods=["POST"])])

    def envelopes(self) -> list[etree._Element]:
        """What arrived, parsed."""
        return [etree.fromstring(body) for _, body in self.received]


@pytest.fixture
def listener() -> Iterator[Listener]:
    endpoint = Listener()
    with ThreadedServer(endpoint.app(), name="bridge-stand-in") as server:
        endpoint.url = f"{server.url}/webhooks/salesforce"
        yield endpoint


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def org(clock: FixedClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock, autosend=False, outbound_timeout=2.0) as sandbox:
        yield sandbox


@pytest.fixture
def contact(org: Sandbox) -> dict[str, Any]:
    acme = org.add_account("Acme", SLA_Support_Plan__c="gold")
    return org.add_contact("Alice Doe", "alice@acme.test", acme["Id"])


@pytest.fixture(scope="module")
def notifications_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SPECS / "notifications.xsd")))


def notifications(envelope: etree._Element) -> etree._Element:
    """The ``notifications`` element of a SOAP envelope (checking the envelope around it)."""
    assert envelope.tag == f"{{{NS['soapenv']}}}Envelope"
    found = envelope.find("soapenv:Body/om:notifications", NS)
    assert found is not None
    return found


def notes(envelope: etree._Element) -> list[tuple[str, dict[str, str]]]:
    """Each notification's Id and its sObject's fields."""
    return [(n.findtext("om:Id", namespaces=NS) or "",
             {etree.QName(f).localname: f.text or "" for f in n.find("om:sObject", NS)})
            for n in notifications(envelope).findall("om:Notification", NS)]


def test_the_envelope_is_the_documented_notifications_call(
        org: Sandbox, listener: Listener, contact: dict[str, Any],
        notifications_schema: etree.XMLSchema) -> None:
    """A SOAP 1.1 POST (``text/xml``) whose ``notifications`` validates against the WSDL's
    schema: OrganizationId, ActionId, nil SessionId, EnterpriseUrl, PartnerUrl, then each
    Notification's Id and an ``sf:Case`` sObject with the selected fields only, null ones
    left out (WSDL page, see the module docstring)."""
    action = org.add_outbound_message(listener.url, fields=("CaseNumber", "Status", "IsClosed",
                                                            "ParentId", "LastModifiedById"))
    case = org.open_case(contact["Id"], "Restore fails", "It fails.", Priority="High")
    assert org.deliver_outbound() == 1
    (headers, _), = listener.received
    assert headers["content-type"] == "text/xml; charset=utf-8"
    envelope, = listener.envelopes()
    body = notifications(envelope)
    notifications_schema.assertValid(etree.ElementTree(copy.deepcopy(body)))
    assert body.findtext("om:OrganizationId", namespaces=NS) == org.organization_id
    assert body.findtext("om:ActionId", namespaces=NS) == action.action_id
    assert action.action_id.startswith("04k")
    session = body.find("om:SessionId", NS)
    assert session is not None
    assert session.get(f"{{{NS['xsi']}}}nil") == "true"
    org15 = org.organization_id[:15]
    assert body.findtext("om:EnterpriseUrl", namespaces=NS) == \
        f"{org.instance_url}/services/Soap/c/62.0/{org15}"
    assert body.findtext("om:PartnerUrl", namespaces=NS) == \
        f"{org.instance_url}/services/Soap/u/62.0/{org15}"
    sobject = body.find("om:Notification/om:sObject", NS)
    assert sobject is not None
    assert sobject.get(f"{{{NS['xsi']}}}type") == "sf:Case"
    (note_id, fields), = notes(envelope)
    assert note_id.startswith("04l")
    assert len(note_id) == 18
    assert fields == {"Id": case["Id"], "CaseNumber": case["CaseNumber"], "IsClosed": "false",
                      "LastModifiedById": case["LastModifiedById"], "Status": "New"}


def test_a_message_holds_at_most_100_notifications(
        org: Sandbox, listener: Listener, contact: dict[str, Any],
        notifications_schema: etree.XMLSchema) -> None:
    """Up to 100 notifications per SOAP message; more changes go in further messages
    (notifications page)."""
    org.add_outbound_message(listener.url)
    cases = [org.open_case(contact["Id"], f"case {n}") for n in range(150)]
    org.deliver_outbound()
    sizes = [len(notes(e)) for e in listener.envelopes()]
    assert sizes == [100, 50]
    for envelope in listener.envelopes():
        notifications_schema.assertValid(etree.ElementTree(copy.deepcopy(
            notifications(envelope))))
    sent = [fields["Id"] for e in listener.envelopes() for _, fields in notes(e)]
    assert sorted(sent) == sorted(c["Id"] for c in cases)


@pytest.mark.parametrize(("status", "answer"), [
    (500, ACK), (200, NACK), (200, b"OK"), (200, b"<notificationsResponse/>"),
    (200, ACK.replace(b"notificationsResponse", b"notificationResponse")),
])
def test_only_a_notifications_response_with_ack_true_counts(
        org: Sandbox, clock: FixedClock, listener: Listener, contact: dict[str, Any],
        status: int, answer: bytes) -> None:
    """Anything but HTTP 200 with ``notificationsResponse``/``Ack`` true is a failed
    delivery, retried (WSDL page: the listener must answer the ack)."""
    org.add_outbound_message(listener.url)
    org.open_case(contact["Id"], "ack me")
    listener.plan.append((status, answer, 0.0))
    org.deliver_outbound()
    message, = org.outbound_messages
    assert message.status == "retrying"
    clock.advance(timedelta(seconds=30))
    org.deliver_outbound()
    assert message.status == "delivered"
    first, second = (notes(e) for e in listener.envelopes())
    assert first == second  # the whole message again, same notification ids


def test_no_answer_in_time_is_a_failed_attempt(
        clock: FixedClock, listener: Listener) -> None:
    """An endpoint that does not answer within the timeout (60 s at Salesforce; 0.3 s here)
    has not acknowledged the message."""
    with Sandbox(clock=clock, autosend=False, outbound_timeout=0.3) as org:
        contact = org.add_contact("Bo Bee", "bo@bee.test")
        org.add_outbound_message(listener.url)
        org.open_case(contact["Id"], "slow bridge")
        listener.plan.append((200, ACK, 1.0))
        org.deliver_outbound()
        message, = org.outbound_messages
        assert message.status == "retrying"
        assert message.attempts[0]["status"] is None


def test_retries_send_the_latest_data_with_growing_intervals(
        org: Sandbox, clock: FixedClock, listener: Listener, contact: dict[str, Any]) -> None:
    """Changes waiting to be sent are folded into one notification, and every retry carries
    the record's latest data, not the data at the change; the intervals grow exponentially
    up to 2 hours (the 30-second start is third-party; understanding page for the rest)."""
    org.add_outbound_message(listener.url)
    case = org.open_case(contact["Id"], "retry me")
    agent = org.add_agent("Ada Agent", "ada@vendor.test")
    org.update_case(case["Id"], agent["Id"], Status="Escalated")
    listener.plan.extend([(503, b"", 0.0)] * 100)
    org.deliver_outbound()
    message, = org.outbound_messages
    assert [fields["Status"] for _, fields in notes(etree.fromstring(message.bodies[0]))] == [
        "Escalated"]
    org.update_case(case["Id"], agent["Id"], Status="Working")
    intervals = []
    for _ in range(12):
        waited = message.next_at - clock.now()
        intervals.append(waited)
        clock.advance(waited)
        org.deliver_outbound()
    assert intervals[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(intervals) == timedelta(hours=2) == intervals[-1]
    retried = {notes(etree.fromstring(body))[0][1]["Status"] for body in message.bodies[1:]}
    assert retried == {"Working"}


def test_a_message_not_acknowledged_in_24_hours_is_dropped(
        org: Sandbox, clock: FixedClock, listener: Listener, contact: dict[str, Any]) -> None:
    """Messages are retried until acknowledged or 24 hours old, then dropped (understanding
    page)."""
    org.add_outbound_message(listener.url)
    org.open_case(contact["Id"], "never acked")
    listener.plan.extend([(500, b"", 0.0)] * 100)
    org.deliver_outbound()
    message = org.outbound_messages[0]
    while message.status == "retrying":
        clock.advance(message.next_at - clock.now())
        org.deliver_outbound()
    assert message.status == "expired"
    last_attempt = message.attempts[-1]["at"]
    assert last_attempt - START < timedelta(hours=24)
    attempts = len(listener.received)
    clock.advance(timedelta(hours=5))
    org.deliver_outbound()
    assert len(listener.received) == attempts


def test_retries_arrive_out_of_order(org: Sandbox, clock: FixedClock, listener: Listener,
                                     contact: dict[str, Any]) -> None:
    """A retried message is sent independently of newer ones, so a later change can arrive
    first (notifications page: the listener must not rely on the order)."""
    org.add_outbound_message(listener.url)
    first = org.open_case(contact["Id"], "first")
    listener.plan.append((503, b"", 0.0))
    org.deliver_outbound()
    second = org.open_case(contact["Id"], "second")
    org.deliver_outbound()
    clock.advance(timedelta(seconds=30))
    org.deliver_outbound()
    arrived = [notes(e)[0][1]["Id"] for e in listener.envelopes()]
    assert arrived == [first["Id"], second["Id"], first["Id"]]
    acked = [m for m in org.outbound_messages if m.status == "delivered"]
    assert [m.notifications[0][1] for m in acked] == [first["Id"], second["Id"]]
    assert acked[1].attempts[0]["at"] < acked[0].attempts[-1]["at"]


def test_duplicate_and_lost_deliveries(org: Sandbox, listener: Listener,
                                       contact: dict[str, Any]) -> None:
    """A message may be delivered more than once (the listener checks notification ids), or
    never (notifications page)."""
    org.add_outbound_message(listener.url)
    org.duplicate_outbound(1)
    org.open_case(contact["Id"], "twice")
    org.deliver_outbound()
    assert len(listener.received) == 2
    assert notes(listener.envelopes()[0]) == notes(listener.envelopes()[1])
    org.lose_outbound(1)
    org.open_case(contact["Id"], "never")
    org.deliver_outbound()
    assert len(listener.received) == 2
    assert org.outbound_messages[-1].status == "lost"


def test_a_foreign_org_id(org: Sandbox, listener: Listener, contact: dict[str, Any]) -> None:
    """The only identity a message carries is its OrganizationId (no signature); the foreign
    mode sends another org's (security page:
    https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_security.htm)."""
    org.add_outbound_message(listener.url)
    org.foreign_org_id = "00D000000000001AAA"
    org.open_case(contact["Id"], "spoofed")
    org.deliver_outbound()
    sent = notifications(listener.envelopes()[0]).findtext("om:OrganizationId",
                                                           namespaces=NS)
    assert sent == "00D000000000001AAA" != org.organization_id


def test_the_bridges_own_writes_come_back_with_its_user(
        org: Sandbox, listener: Listener, contact: dict[str, Any]) -> None:
    """An update through the API fires the message again with ``LastModifiedById`` = the
    writer, unless "Send Outbound Messages" is off for that user (setting-up page:
    https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_setting_up.htm)."""
    org.add_outbound_message(listener.url)
    case = org.open_case(contact["Id"], "echo")
    org.deliver_outbound()
    org.client().Case.update(case["Id"], {"Status": "Working"})
    org.deliver_outbound()
    echoed = notes(listener.envelopes()[-1])[0][1]
    assert echoed["LastModifiedById"] == org.bridge_user_id
    assert echoed["Status"] == "Working"
    with Sandbox(autosend=False) as quiet:
        quiet.add_outbound_message(listener.url, silent_user_ids=[quiet.bridge_user_id])
        other = quiet.add_contact("Cy Sea", "cy@sea.test")
        quiet_case = quiet.open_case(other["Id"], "no echo")
        quiet.deliver_outbound()
        before = len(listener.received)
        quiet.client().Case.update(quiet_case["Id"], {"Status": "Working"})
        quiet.deliver_outbound()
        assert len(listener.received) == before


def test_a_deleted_record_sends_a_notification_without_data(
        org: Sandbox, listener: Listener, contact: dict[str, Any]) -> None:
    """A record deleted before delivery: the notification carries no data (notifications
    page); here its sObject has the Id alone."""
    org.add_outbound_message(listener.url)
    case = org.open_case(contact["Id"], "deleted soon")
    org.client().Case.delete(case["Id"])
    org.deliver_outbound()
    (_, fields), = notes(listener.envelopes()[0])
    assert fields == {"Id": case["Id"]}


def test_the_session_id_lets_the_listener_call_back(
        org: Sandbox, listener: Listener, contact: dict[str, Any]) -> None:
    """With "Send Session ID" the message carries a session of the sending user, usable with
    the REST API (WSDL page: SessionId)."""
    org.add_outbound_message(listener.url, send_session_id=True)
    case = org.open_case(contact["Id"], "call me back")
    org.deliver_outbound()
    session = notifications(listener.envelopes()[0]).findtext("om:SessionId", namespaces=NS)
    assert session
    assert org.client(token=session).Case.get(case["Id"])["Subject"] == "call me back"


def test_a_reply_to_a_closed_case_is_an_email_message_and_it_stays_closed(
        org: Sandbox, listener: Listener, contact: dict[str, Any],
        notifications_schema: etree.XMLSchema) -> None:
    """A customer's e-mail reply threads onto its case as an incoming EmailMessage; a closed
    case is not reopened (Email-to-Case:
    https://help.salesforce.com/s/articleView?id=sf.customizesupport_email.htm&type=5); an
    Outbound Message on EmailMessage names the case in ParentId."""
    org.add_outbound_message(listener.url, object_name="EmailMessage", name="Replies",
                             fields=("ParentId", "Incoming", "FromAddress", "TextBody"))
    case = org.open_case(contact["Id"], "done", origin="Web")
    agent = org.add_agent("Ada Agent", "ada@vendor.test")
    org.update_case(case["Id"], agent["Id"], Status="Closed")
    org.customer_reply(case["Id"], "It broke again.")
    after = org.case(case["Id"])
    assert after["IsClosed"] is True
    assert after["Status"] == "Closed"
    assert [(e["Incoming"], e["TextBody"]) for e in after["emails"]] == [
        (True, "It broke again.")]
    org.deliver_outbound()
    envelope, = listener.envelopes()
    (_, fields), = notes(envelope)
    assert (fields["ParentId"], fields["Incoming"]) == (case["Id"], "true")
    sobject = notifications(envelope).find("om:Notification/om:sObject", NS)
    assert sobject is not None
    assert sobject.get(f"{{{NS['xsi']}}}type") == "sf:EmailMessage"


def test_the_background_sender_delivers_by_itself(clock: FixedClock,
                                                  listener: Listener) -> None:
    """Without ``autosend=False`` a thread sends what is due, as Salesforce's queue does."""
    with Sandbox(clock=clock) as org:
        org.add_outbound_message(listener.url)
        contact = org.add_contact("Di Dee", "di@dee.test")
        case = org.open_case(contact["Id"], "by itself")
        assert org.flush_outbound()
        assert notes(listener.envelopes()[0])[0][1]["Id"] == case["Id"]


def test_a_flow_callout_posts_json_with_the_secret_header(
        org: Sandbox, listener: Listener, contact: dict[str, Any]) -> None:
    """A record-triggered Flow's HTTP callout posts JSON with the Named Credential's custom
    header (https://help.salesforce.com/s/articleView?id=platform.flow_http_callout_guidelines_authenticating.htm&type=5);
    the body is the one setup generates the Flow for."""
    flow_url = listener.url.replace("/webhooks/salesforce", "/flow")
    org.add_flow_callout(flow_url, "s3cret", fields=("Status", "LastModifiedById"))
    case = org.open_case(contact["Id"], "via flow")
    assert org.flush()
    (headers, body), = listener.received
    assert headers["content-type"] == "application/json"
    assert headers["x-sla-bridge-secret"] == "s3cret"
    sent = json.loads(body)
    assert sent == {"organizationId": org.organization_id, "flow": "SLA_Bridge_Callout",
                    "objectType": "Case", "changeType": "created",
                    "changedFields": sent["changedFields"], "modifiedById": org.org.system_user,
                    "record": {"Id": case["Id"], "Status": "New",
                               "LastModifiedById": org.org.system_user}}
    assert "Subject" in sent["changedFields"]
    assert org.plugin_env()["SLA_BRIDGE_SALESFORCE__FLOW_SECRET"] == "s3cret"
