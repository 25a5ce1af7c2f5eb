"""Salesforce Outbound Messages: the SOAP 1.1 ``notifications`` call, parsed safely, and its ack.

An Outbound Message is a SOAP envelope whose body is one ``notifications`` element in
``http://soap.sforce.com/2005/09/outbound``: the sending org (``OrganizationId``), the action
that fired (``ActionId``), and up to 100 ``Notification`` elements, each with its own ``Id`` and
one ``sObject`` whose fields are in ``urn:sobject.enterprise.soap.sforce.com``, see
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm.
Salesforce may deliver a notification more than once, so each is an event keyed by its ``Id``
("your listener client should check the notification IDs"), see
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_notifications.htm.

The body is parsed with defusedxml, which refuses a DTD, entity declarations and external
references before expanding anything: a billion-laughs body or an XXE probe is a
:class:`~sla_bridge.platforms.BadPayload` (400) at once.

The answer Salesforce needs is :data:`ACK`; anything else (another status, a SOAP fault,
``<Ack>false</Ack>``) makes it send the whole message again, for up to 24 hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from sla_bridge.platforms import BadPayload

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND = "http://soap.sforce.com/2005/09/outbound"
SOBJECT = "urn:sobject.enterprise.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_NOTIFICATIONS = 100  # the WSDL's maxOccurs

ACK = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
       b'<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">'
       b"<Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>")
ACK_MEDIA_TYPE = "text/xml; charset=utf-8"

# Record ids: 15 or 18 letters and digits.
_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")


@dataclass(frozen=True)
class Notification:
    """One notification: its id, the object type (``Case``, ``CaseComment``...) and fields.

    ``fields`` maps each field element's local name to its text; a nil field is ``None``.
    """

    id: str
    object_type: str
    fields: dict[str, str | None]


@dataclass(frozen=True)
class OutboundMessage:
    """A parsed ``notifications`` call."""

    organization_id: str
    action_id: str
    notifications: tuple[Notification, ...]


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def parse_xml(body: bytes) -> Element:
    """The document's root; :class:`BadPayload` naming why for anything that is not plain XML
    (a DTD, an entity, an external reference, a syntax error)."""
    if not body.strip():
        raise BadPayload("the body is empty; an Outbound Message is a SOAP envelope")
    try:
        root: Element = fromstring(body, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
        return root
    except DefusedXmlException as exc:
        raise BadPayload("the XML declares a DTD, an entity or an external reference, which "
                         f"Salesforce never sends ({type(exc).__name__})") from None
    except ParseError as exc:
        raise BadPayload(f"the body is not well-formed XML ({exc})") from None


def parse_outbound_message(body: bytes) -> OutboundMessage:
    """The ``notifications`` call in a SOAP envelope; :class:`BadPayload` naming what is wrong."""
    root = parse_xml(body)
    if root.tag != _q(SOAP_ENV, "Envelope"):
        raise BadPayload(f"the root element is {_local(root.tag)!r}, not a SOAP 1.1 Envelope "
                         f"({SOAP_ENV})")
    soap_body = root.find(_q(SOAP_ENV, "Body"))
    if soap_body is None:
        raise BadPayload("the SOAP envelope has no Body")
    call = soap_body.find(_q(OUTBOUND, "notifications"))
    if call is None:
        found = ", ".join(_local(child.tag) for child in soap_body) or "nothing"
        raise BadPayload(f"the SOAP Body holds {found}, not a notifications element in "
                         f"{OUTBOUND}")
    organization_id = _id_text(call, "OrganizationId", "notifications")
    action_id = _text(call.find(_q(OUTBOUND, "ActionId"))) or ""
    elements = call.findall(_q(OUTBOUND, "Notification"))
    if not elements:
        raise BadPayload("the notifications element holds no Notification")
    if len(elements) > MAX_NOTIFICATIONS:
        raise BadPayload(f"{len(elements)} notifications in one message; Salesforce sends at "
                         f"most {MAX_NOTIFICATIONS}")
    notifications = tuple(_notification(element, index)
                          for index, element in enumerate(elements, start=1))
    return OutboundMessage(organization_id, action_id, notifications)


def _notification(element: Element, index: int) -> Notification:
    where = f"Notification {index}"
    notification_id = _id_text(element, "Id", where)
    sobject = element.find(_q(OUTBOUND, "sObject"))
    if sobject is None:
        raise BadPayload(f"{where} ({notification_id}) has no sObject")
    declared = sobject.get(_q(XSI, "type")) or ""
    object_type = declared.rpartition(":")[2]
    if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", object_type):
        raise BadPayload(f"{where} ({notification_id}): the sObject's xsi:type "
                         f"{declared[:60]!r} does not name an object such as sf:Case")
    fields: dict[str, str | None] = {}
    for child in sobject:
        if not child.tag.startswith(f"{{{SOBJECT}}}"):
            raise BadPayload(f"{where} ({notification_id}): the field {_local(child.tag)!r} "
                             f"is not in {SOBJECT}")
        nil = (child.get(_q(XSI, "nil")) or "").strip() == "true"
        fields[_local(child.tag)] = None if nil else (child.text or "").strip()
    return Notification(notification_id, object_type, fields)


def _id_text(parent: Element, name: str, where: str) -> str:
    value = _text(parent.find(_q(OUTBOUND, name)))
    if not value:
        raise BadPayload(f"{where} has no {name}")
    if not _ID.match(value):
        raise BadPayload(f"{where}: {name} {value[:40]!r} is not a Salesforce id (15 or 18 "
                         "letters and digits)")
    return value


def _text(element: Element | None) -> str | None:
    return None if element is None else (element.text or "").strip()


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


def boolean(value: str | None) -> bool | None:
    """An ``xsd:boolean`` (``true``/``false``/``1``/``0``), ``None`` when absent or nil."""
    if value is None or value == "":
        return None
    return value.strip().lower() in ("true", "1")


def instant(value: str | None) -> datetime | None:
    """An ``xsd:dateTime`` such as ``2024-06-01T10:00:00.000Z``; ``None`` when absent or
    unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
