"""The SOAP 1.1 ``notifications`` envelope of an Outbound Message, and judging the answer.

The shape is the generated WSDL's (namespace ``http://soap.sforce.com/2005/09/outbound``:
``OrganizationId``, ``ActionId``, ``SessionId`` (nillable), ``EnterpriseUrl``,
``PartnerUrl``, then up to 100 ``Notification`` of ``Id`` + ``sObject``, whose fields are in
``urn:sobject.enterprise.soap.sforce.com``); the listener must answer
``notificationsResponse`` with ``Ack`` true, anything else is a failed delivery
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm,
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_listener.htm).
Null fields are left out [inferred]; the fields follow ``Id`` in name order, as the generated
WSDL's sObject types list them (a ``sequence``) [inferred from generated WSDLs].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree  # type: ignore[import-untyped]

from ._values import to_soap

OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOBJECT_NS = "urn:sobject.enterprise.soap.sforce.com"
#: Most notifications one message carries.
MAX_NOTIFICATIONS = 100


@dataclass(frozen=True)
class Item:
    """One notification: its id, the object, and the record's fields (``None``: the record
    was deleted, the notification carries no data)."""

    notification_id: str
    object_name: str
    record_id: str
    fields: Mapping[str, Any] | None


def envelope(*, organization_id: str, action_id: str, session_id: str | None,
             enterprise_url: str, partner_url: str, items: Iterable[Item]) -> bytes:
    """The whole SOAP message, UTF-8."""
    notes = []
    for item in items:
        values = item.fields if item.fields is not None else {"Id": item.record_id}
        # The generated WSDL's sObject type: Id first, then the fields in name order.
        names = sorted(values, key=lambda name: (name != "Id", name))
        inner = "".join(f"\n     <sf:{name}>{escape(to_soap(values[name]))}</sf:{name}>"
                        for name in names if values[name] is not None)
        notes.append(
            f"\n   <Notification>\n    <Id>{item.notification_id}</Id>"
            f'\n    <sObject xsi:type="sf:{item.object_name}" xmlns:sf="{SOBJECT_NS}">'
            f"{inner}\n    </sObject>\n   </Notification>")
    session = (f"<SessionId>{escape(session_id)}</SessionId>" if session_id
               else '<SessionId xsi:nil="true"/>')
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}"'
        ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n <soapenv:Body>\n'
        f'  <notifications xmlns="{OUTBOUND_NS}">\n'
        f"   <OrganizationId>{organization_id}</OrganizationId>\n"
        f"   <ActionId>{action_id}</ActionId>\n   {session}\n"
        f"   <EnterpriseUrl>{escape(enterprise_url)}</EnterpriseUrl>\n"
        f"   <PartnerUrl>{escape(partner_url)}</PartnerUrl>{''.join(notes)}\n"
        "  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>\n")
    return text.encode()


def is_ack(status: int, body: bytes) -> bool:
    """Whether an answer acknowledges the message: HTTP 200 and a SOAP envelope whose body
    is ``notificationsResponse`` with ``Ack`` true (``true`` or ``1``, as ``xsd:boolean``)."""
    if status != 200:
        return False
    try:
        root = ElementTree.fromstring(body)
    except Exception:  # not XML, or XML defusedxml refuses
        return False
    if root.tag != f"{{{SOAP_ENV_NS}}}Envelope":
        return False
    soap_body = root.find(f"{{{SOAP_ENV_NS}}}Body")
    response = None if soap_body is None else soap_body.find(
        f"{{{OUTBOUND_NS}}}notificationsResponse")
    ack = None if response is None else response.find(f"{{{OUTBOUND_NS}}}Ack")
    return ack is not None and (ack.text or "").strip() in ("true", "1")
