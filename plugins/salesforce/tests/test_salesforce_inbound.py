"""Outbound Messages and Flow callouts as the platform parses them: one event per notification,
the org id checked, hostile XML refused before anything is expanded, the Ack envelope."""

from __future__ import annotations

import json

import pytest
from defusedxml.ElementTree import fromstring
from salesforce_testing import (
    FLOW_SECRET,
    ORG_ID,
    case_notification,
    envelope,
    offline_settings,
    soap_request,
)

from sla_bridge.platforms import BadPayload, Unauthorized, WebhookRequest
from sla_bridge.testing import VirtualClock
from sla_bridge_salesforce.inbound import FLOW_HEADER, flow_body
from sla_bridge_salesforce.outbound import OUTBOUND, SOAP_ENV
from sla_bridge_salesforce.platform import SalesforcePlatform

CASE = "5005g00000AbCdEAAV"
OTHER_CASE = "5005g00000AbCdFAAV"
BRIDGE_USER = "0055g00000Brdg3AAC"


@pytest.fixture
def platform(clock: VirtualClock) -> SalesforcePlatform:
    """The platform of an org nobody calls (parsing never calls Salesforce)."""
    return SalesforcePlatform(offline_settings(bridge_user_id=BRIDGE_USER), clock)


def test_each_notification_is_an_event_keyed_by_its_notification_id(
        platform: SalesforcePlatform, clock: VirtualClock) -> None:
    body = envelope(ORG_ID, [
        case_notification("04l5g00000CcIFIAA3", CASE, Priority="High"),
        case_notification("04l5g00000CcIFJAA3", OTHER_CASE, LastModifiedById=BRIDGE_USER),
        ("04l5g00000CcIFKAA3", "CaseComment", {"Id": "00a5g00000CoMmEAAV", "ParentId": CASE,
                                                "IsPublished": True}),
        ("04l5g00000CcIFLAA3", "EmailMessage", {"Id": "02s5g00000EmAilAAC",
                                                 "ParentId": OTHER_CASE, "Incoming": True,
                                                 "ClosedDate": None}),
    ])
    events = platform.parse_webhook(soap_request(body, clock.now()))
    assert [(e.delivery_id, e.ref.ticket_id, e.event_type) for e in events] == [
        ("04l5g00000CcIFIAA3", CASE, "case.updated"),
        ("04l5g00000CcIFJAA3", OTHER_CASE, "case.updated"),
        ("04l5g00000CcIFKAA3", CASE, "case.commented"),
        ("04l5g00000CcIFLAA3", OTHER_CASE, "case.email")]
    assert [e.by_bridge for e in events] == [False, True, False, False]
    assert events[0].payload["Priority"] == "High"
    assert events[0].payload["IsClosed"] is False
    assert events[0].occurred_at is not None
    assert events[0].occurred_at.isoformat() == (
        "2026-11-23T14:00:00+00:00")
    assert events[2].payload["IsPublished"] is True


def test_a_message_with_a_15_character_org_id_matches_the_18_character_setting(
        platform: SalesforcePlatform, clock: VirtualClock) -> None:
    body = envelope(ORG_ID[:15], [case_notification("04l5g00000CcIFIAA3", CASE)])
    assert len(platform.parse_webhook(soap_request(body, clock.now()))) == 1


@pytest.mark.parametrize("org_id", ["00D5g000009ZzZzEAK", ORG_ID[:3] + ORG_ID[3:].swapcase()])
def test_a_message_from_another_org_is_unauthorized(platform: SalesforcePlatform,
                                                    clock: VirtualClock, org_id: str) -> None:
    body = envelope(org_id, [case_notification("04l5g00000CcIFIAA3", CASE)])
    with pytest.raises(Unauthorized) as refused:
        platform.parse_webhook(soap_request(body, clock.now()))
    assert org_id in refused.value.detail
    assert "SLA_BRIDGE_SALESFORCE__ORGANIZATION_ID" in refused.value.detail


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>&lol9;</OrganizationId></notifications></soapenv:Body></soapenv:Envelope>"""
XXE = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       + envelope(ORG_ID, [case_notification("04l5g00000CcIFIAA3", CASE,
                                             Subject="&xxe;")]).split(b"?>", 1)[1]
       .replace(b"&amp;xxe;", b"&xxe;"))
DTD_ONLY = (b'<?xml version="1.0"?><!DOCTYPE soapenv:Envelope SYSTEM "http://evil.test/x.dtd">'
            + envelope(ORG_ID, [case_notification("04l5g00000CcIFIAA3", CASE)])
            .split(b"?>", 1)[1])


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, DTD_ONLY],
                         ids=["billion laughs", "external entity", "external DTD"])
def test_dtds_and_entities_are_refused_before_anything_is_expanded(
        platform: SalesforcePlatform, clock: VirtualClock, body: bytes) -> None:
    with pytest.raises(BadPayload) as refused:
        platform.parse_webhook(soap_request(body, clock.now()))
    assert "DTD" in refused.value.public
    assert "passwd" not in refused.value.public


def test_a_hundred_notifications_are_a_hundred_events_and_more_are_refused(
        platform: SalesforcePlatform, clock: VirtualClock) -> None:
    notes = [case_notification(f"04l5g00000C{i:04d}AA3", CASE) for i in range(101)]
    events = platform.parse_webhook(soap_request(envelope(ORG_ID, notes[:100]), clock.now()))
    assert len({e.delivery_id for e in events}) == 100
    with pytest.raises(BadPayload) as refused:
        platform.parse_webhook(soap_request(envelope(ORG_ID, notes), clock.now()))
    assert "101 notifications" in refused.value.public


def test_a_notification_repeated_in_one_message_is_one_event(platform: SalesforcePlatform,
                                                            clock: VirtualClock) -> None:
    note = case_notification("04l5g00000CcIFIAA3", CASE)
    events = platform.parse_webhook(soap_request(envelope(ORG_ID, [note, note]), clock.now()))
    assert [e.delivery_id for e in events] == ["04l5g00000CcIFIAA3"]


@pytest.mark.parametrize(("body", "says"), [
    (b"", "empty"),
    (b'{"caseId": "500"}', "not well-formed XML"),
    (b"<Envelope/>", "not a SOAP 1.1 Envelope"),
    (f'<e:Envelope xmlns:e="{SOAP_ENV}"><e:Body><login/></e:Body></e:Envelope>'.encode(),
     "holds login"),
    (f'<e:Envelope xmlns:e="{SOAP_ENV}"><e:Body><notifications xmlns="{OUTBOUND}">'
     "<OrganizationId>00D5g000004XyZaEAK</OrganizationId></notifications></e:Body>"
     "</e:Envelope>".encode(), "no Notification"),
    (envelope(ORG_ID, [("04l5g00000CcIFIAA3", "Case", {"Subject": "no id"})]),
     "Id is missing"),
    (envelope(ORG_ID, [("04l5g00000CcIFIAA3", "CaseComment",
                        {"Id": "00a5g00000CoMmEAAV", "ParentId": "0015g00000AbCdEAAV"})]),
     "not a Case id"),
    (envelope("not-an-id", [case_notification("04l5g00000CcIFIAA3", CASE)]),
     "OrganizationId"),
])
def test_a_body_that_is_not_what_salesforce_sends_is_refused_naming_what_is_wrong(
        platform: SalesforcePlatform, clock: VirtualClock, body: bytes, says: str) -> None:
    with pytest.raises(BadPayload) as refused:
        platform.parse_webhook(soap_request(body, clock.now()))
    assert says in refused.value.public


def test_an_endpoint_secret_is_required_when_configured(clock: VirtualClock) -> None:
    platform = SalesforcePlatform(offline_settings(endpoint_secret="url-s3cret"), clock)
    body = envelope(ORG_ID, [case_notification("04l5g00000CcIFIAA3", CASE)])
    for query in ({}, {"secret": "guess"}):
        with pytest.raises(Unauthorized) as refused:
            platform.parse_webhook(soap_request(body, clock.now(), query=query))
        assert "url-s3cret" not in refused.value.detail
    events = platform.parse_webhook(soap_request(body, clock.now(),
                                                 query={"secret": "url-s3cret"}))
    assert len(events) == 1


def test_the_acknowledgement_is_the_notifications_response_envelope(
        platform: SalesforcePlatform, clock: VirtualClock) -> None:
    body = envelope(ORG_ID, [case_notification("04l5g00000CcIFIAA3", CASE)])
    reply = platform.acknowledge(platform.parse_webhook(soap_request(body, clock.now())))
    assert reply.status == 200
    assert reply.media_type.startswith("text/xml")
    ack = fromstring(reply.body).find(
        f"{{{SOAP_ENV}}}Body/{{{OUTBOUND}}}notificationsResponse/{{{OUTBOUND}}}Ack")
    assert ack is not None
    assert ack.text == "true"


def flow_request(body: bytes, clock: VirtualClock, secret: str | None = FLOW_SECRET,
                 ) -> WebhookRequest:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[FLOW_HEADER] = secret
    return WebhookRequest(headers=headers, body=body, received_at=clock.now())


def test_a_flow_callout_with_the_secret_is_an_event_with_a_derived_delivery_id(
        platform: SalesforcePlatform, clock: VirtualClock) -> None:
    body = flow_body(ORG_ID, {"Id": CASE, "Status": "Working",
                              "LastModifiedDate": "2026-11-23T14:00:00.000Z"},
                     modified_by=BRIDGE_USER, changed_fields=["Status"])
    [event] = platform.parse_webhook(flow_request(body, clock))
    [again] = platform.parse_webhook(flow_request(body, clock))
    [other] = platform.parse_webhook(flow_request(body.replace(b"Working", b"New"), clock))
    assert event.ref.ticket_id == CASE
    assert event.by_bridge
    assert event.delivery_id == again.delivery_id != other.delivery_id
    assert json.loads(platform.acknowledge([event]).body)["status"] == "accepted"
    reply = flow_body(ORG_ID, {"Id": "02s5g00000EmAilAAC", "ParentId": OTHER_CASE},
                      object_type="EmailMessage", change_type="created")
    [email] = platform.parse_webhook(flow_request(reply, clock))
    assert (email.ref.ticket_id, email.event_type) == (OTHER_CASE, "case.email.created")


@pytest.mark.parametrize("secret", [None, "a-guessed-secret", "\u00e9" + FLOW_SECRET[1:]])
def test_a_flow_callout_without_the_secret_is_unauthorized(
        platform: SalesforcePlatform, clock: VirtualClock, secret: str | None) -> None:
    body = flow_body(ORG_ID, {"Id": CASE})
    request = flow_request(body, clock, secret)
    with pytest.raises((Unauthorized, BadPayload)) as refused:
        platform.parse_webhook(request)
    if secret is not None:
        assert isinstance(refused.value, Unauthorized)
        assert FLOW_SECRET not in refused.value.detail


def test_flow_callouts_are_refused_while_no_flow_secret_is_configured(
        clock: VirtualClock) -> None:
    platform = SalesforcePlatform(offline_settings(flow_secret=""), clock)
    with pytest.raises(Unauthorized) as refused:
        platform.parse_webhook(flow_request(flow_body(ORG_ID, {"Id": CASE}), clock, "x"))
    assert "SLA_BRIDGE_SALESFORCE__FLOW_SECRET is not set" in refused.value.detail


@pytest.mark.parametrize(("body", "error", "says"), [
    (b"[]", BadPayload, "JSON object"),
    (json.dumps({"organizationId": ORG_ID}).encode(), BadPayload, "no record"),
    (json.dumps({"record": {"Id": 42}}).encode(), BadPayload, "record.Id must be a string"),
    (json.dumps({"record": {"Id": "0015g00000AbCdEAAV"}}).encode(), BadPayload,
     "not a Case id"),
    (json.dumps({"objectType": "CaseComment", "record": {"Id": "00a5g00000CoMmEAAV"}})
     .encode(), BadPayload, "no record.ParentId"),
    (json.dumps({"record": {"Id": CASE, "LastModifiedDate": "yesterday"}}).encode(),
     BadPayload, "ISO 8601"),
    (flow_body("00D5g000009ZzZzEAK", {"Id": CASE}), Unauthorized, "00D5g000009ZzZzEAK"),
])
def test_a_flow_body_that_is_not_what_the_flow_sends_is_refused(
        platform: SalesforcePlatform, clock: VirtualClock, body: bytes,
        error: type[Exception], says: str) -> None:
    with pytest.raises(error) as refused:
        platform.parse_webhook(flow_request(body, clock))
    assert isinstance(refused.value, BadPayload | Unauthorized)
    assert says in refused.value.detail
