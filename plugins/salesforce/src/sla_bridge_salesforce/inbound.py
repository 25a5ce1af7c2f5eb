"""What arrives at ``POST /webhooks/salesforce``: Outbound Messages and Flow HTTP callouts.

**Outbound Messages** (SOAP, :mod:`.outbound`) carry no signature. Their checks, in order:

1. the optional ``ENDPOINT_SECRET``, carried in the endpoint URL as ``?secret=<value>``
   (compared in constant time; the only secret Salesforce will repeat);
2. the ``OrganizationId``: Salesforce's advice is that "your client application should verify
   that the messages contain your organization Id", see
   https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_security.htm;
   another org's message is refused with 401 (Salesforce retries it; that org is misconfigured
   or the message forged);
3. TLS (an https endpoint with a publicly trusted certificate), and, recommended, an
   allow-list of Salesforce's published IP ranges on the proxy in front of the bridge
   (help article 000384438, "Salesforce IP Addresses and Domains to Allow").

Each notification is one event whose delivery id is the notification ``Id``; a Case
notification is about that case, a CaseComment's or EmailMessage's about its ``ParentId``. An
update by the bridge's own integration user (``LastModifiedById``) is its echo.

**Flow HTTP callouts** are JSON a record-triggered Flow sends (:func:`flow_body` documents
it), with
``FLOW_SECRET`` in the header ``X-Sla-Bridge-Secret``. A Flow sends no id of its own, so the
delivery id is derived from the body: the same callout sent twice is one event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sla_bridge.platformkit import BridgeIdentity, delivery_id, json_object
from sla_bridge.platforms import BadPayload, InboundEvent, Unauthorized, WebhookRequest
from sla_bridge.tickets import TicketRef

from .mapping import same_id
from .outbound import Notification, boolean, instant, parse_outbound_message
from .settings import PLATFORM, SalesforceSettings

FLOW_HEADER = "x-sla-bridge-secret"
SECRET_PARAMETER = "secret"
CASE_PREFIX = "500"
# Objects whose notifications are about their parent case.
CHILD_OBJECTS = frozenset({"CaseComment", "EmailMessage"})
# Fields of a notification's sObject kept in the event's payload (the rest is read again).
PAYLOAD_FIELDS = ("Status", "IsClosed", "Priority", "OwnerId", "LastModifiedDate",
                  "LastModifiedById", "IsPublished", "Incoming", "CreatedById")


def check_endpoint_secret(request: WebhookRequest, settings: SalesforceSettings) -> None:
    """Refuse (401) an Outbound Message without the endpoint secret, when one is configured."""
    secret = settings.endpoint_secret.get_secret_value()
    if not secret:
        return
    given = request.query.get(SECRET_PARAMETER, "")
    if not hmac.compare_digest(hashlib.sha256(given.encode()).digest(),
                               hashlib.sha256(secret.encode()).digest()):
        raise Unauthorized("unauthorized", f"the endpoint URL's ?{SECRET_PARAMETER}= is "
                           f"{'missing' if not given else 'wrong'} "
                           f"({settings.variable('endpoint_secret')})")


def parse_outbound(request: WebhookRequest, settings: SalesforceSettings,
                   bridge: BridgeIdentity) -> list[InboundEvent]:
    """The events of an Outbound Message: one per notification, keyed by its ``Id``."""
    check_endpoint_secret(request, settings)
    message = parse_outbound_message(request.body)
    if not settings.same_org(message.organization_id):
        raise Unauthorized("unauthorized", f"the message is from org "
                           f"{message.organization_id}, not "
                           f"{settings.variable('organization_id')}")
    events: dict[str, InboundEvent] = {}
    for notification in message.notifications:
        event = _event(notification, message.action_id, bridge)
        events.setdefault(event.delivery_id, event)  # the same Id twice in one message
    return list(events.values())


def _event(notification: Notification, action_id: str, bridge: BridgeIdentity) -> InboundEvent:
    fields = notification.fields
    kind = notification.object_type
    case_id = fields.get("ParentId") if kind in CHILD_OBJECTS else fields.get("Id")
    if not case_id or not case_id.startswith(CASE_PREFIX):
        what = "ParentId" if kind in CHILD_OBJECTS else "Id"
        raise BadPayload(f"notification {notification.id}: the {kind}'s {what} "
                         f"{(case_id or 'is missing')[:40]} is not a Case id (500...)")
    actor = fields.get("LastModifiedById") or fields.get("CreatedById")
    event_type = {"Case": "case.updated", "CaseComment": "case.commented",
                  "EmailMessage": "case.email"}.get(kind, f"{kind.lower()}.changed")
    payload: dict[str, Any] = {"object": kind, "record_id": fields.get("Id"),
                               "action_id": action_id}
    payload.update({k: _plain(k, fields[k]) for k in PAYLOAD_FIELDS if k in fields})
    return InboundEvent(
        ref=TicketRef(platform=PLATFORM, ticket_id=case_id),
        delivery_id=notification.id, event_type=event_type,
        occurred_at=instant(fields.get("LastModifiedDate") or fields.get("CreatedDate")),
        by_bridge=bool(actor and bridge.user_id and same_id(actor, bridge.user_id)),
        payload=payload)


def _plain(name: str, value: str | None) -> Any:
    if name.startswith("Is") or name == "Incoming":
        return boolean(value)
    return value


def flow_body(organization_id: str, record: Mapping[str, Any], *, object_type: str = "Case",
              change_type: str = "updated", modified_by: str = "",
              changed_fields: Sequence[str] = (), flow: str = "SLA_Bridge_Callout") -> bytes:
    """The JSON body a Flow HTTP callout sends (the External Service's request schema that
    setup generates): ``organizationId`` (``$Organization.Id``), ``flow``, ``objectType``,
    ``changeType`` (created / updated), ``changedFields``, ``modifiedById`` and ``record`` (the
    record's fields: a Case's ``Id``, a CaseComment's or EmailMessage's ``ParentId``)."""
    return json.dumps({"organizationId": organization_id, "flow": flow,
                       "objectType": object_type, "changeType": change_type,
                       "changedFields": list(changed_fields), "modifiedById": modified_by,
                       "record": dict(record)}).encode()


def parse_flow(request: WebhookRequest, settings: SalesforceSettings,
               bridge: BridgeIdentity) -> list[InboundEvent]:
    """The event of a verified Flow callout; :class:`BadPayload` naming a wrong member."""
    body = json_object(request)
    organization = _string(body, "organizationId")
    if organization and not settings.same_org(organization):
        raise Unauthorized("unauthorized", f"the callout is from org {organization[:18]}, "
                           f"not {settings.variable('organization_id')}")
    record = body.get("record")
    if not isinstance(record, dict):
        raise BadPayload("the callout's JSON has no record object")
    kind = _string(body, "objectType") or "Case"
    which = "ParentId" if kind in CHILD_OBJECTS else "Id"
    case_id = _string(record, which, required=True, where="record.")
    if not case_id.startswith(CASE_PREFIX) or not case_id.isalnum() or len(case_id) not in (
            15, 18):
        raise BadPayload(f"record.{which} {case_id[:40]!r} is not a Case id (500 and 12 or "
                         "15 more letters and digits)")
    change = _string(body, "changeType") or "updated"
    actor = _string(body, "modifiedById") or _string(record, "LastModifiedById",
                                                       where="record.")
    modified = _string(record, "LastModifiedDate", where="record.")
    occurred: datetime | None = instant(modified) if modified else None
    if modified and occurred is None:
        raise BadPayload(f"record.LastModifiedDate {modified[:40]!r} is not an ISO 8601 date "
                         "and time")
    event = {"Case": "case", "CaseComment": "case.comment",
             "EmailMessage": "case.email"}.get(kind, kind.lower()[:60]) + "." + change[:30]
    return [InboundEvent(
        ref=TicketRef(platform=PLATFORM, ticket_id=case_id),
        delivery_id="flow:" + delivery_id(request)[len("body:"):],
        event_type=event, occurred_at=occurred,
        by_bridge=bool(actor and bridge.user_id and same_id(actor, bridge.user_id)),
        payload={"object": kind, "source": "flow", "change": change,
                 "record_id": _string(record, "Id", where="record.") or None})]


def _string(body: Mapping[str, Any], name: str, *, required: bool = False,
            where: str = "") -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BadPayload(f"the callout's JSON has no {where}{name}")
        return ""
    if not isinstance(value, str):
        raise BadPayload(f"{where}{name} must be a string, not {type(value).__name__}")
    return value.strip()


def is_flow(request: WebhookRequest) -> bool:
    """Whether the request is a Flow callout (it carries the shared-secret header)."""
    return request.header(FLOW_HEADER) is not None
