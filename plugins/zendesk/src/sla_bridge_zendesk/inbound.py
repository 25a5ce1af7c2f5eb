"""Inbound webhooks: trigger/automation bodies and event-subscribed ticket events.

Two kinds of request reach ``POST /webhooks/zendesk``:

* a **trigger or automation** notifying the webhook with the JSON body an admin pasted
  (:data:`TRIGGER_BODY`, created by ``sla-bridge zendesk setup``): ``ticket_id`` plus who
  made the update;
* an **event-subscribed** webhook: ``{"type": "zen:event-type:ticket.status_changed",
  "id": ..., "subject": "zen:ticket:123", "detail": {...}, "event": {...}}``.

Both only say "look at ticket N again"; the bridge fetches the ticket itself. Parsing does
no I/O (it runs on the server's event loop).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sla_bridge.platformkit import BridgeIdentity, delivery_id, json_object, parse_timestamp
from sla_bridge.platforms import BadPayload, InboundEvent, WebhookRequest
from sla_bridge.tickets import TicketRef

from .settings import PLATFORM
from .signature import INVOCATION_HEADER, TIMESTAMP_HEADER, WEBHOOK_ID_HEADER

__all__ = ["EVENT_PREFIX", "TICKET_EVENT_TYPES", "TRIGGER_BODY", "BridgeIdentity", "parse_body",
           "trigger_body", "version_stamp"]
EVENT_PREFIX = "zen:event-type:"

# The body to paste into a trigger's or automation's "Notify webhook" action. Only
# placeholders whose values cannot break the JSON (ids, e-mail, status words, tags).
TRIGGER_BODY: dict[str, str] = {
    "sla_bridge": "1",
    "event": "ticket.updated",
    "ticket_id": "{{ticket.id}}",
    "status": "{{ticket.status}}",
    "priority": "{{ticket.priority}}",
    "tags": "{{ticket.tags}}",
    "updater_id": "{{current_user.id}}",
    "updater_email": "{{current_user.email}}",
    # The update's time, to the minute ("2013-12-12T05:35Z"): the bridge knows the echo of
    # its own write by it (version_stamp).
    "updated_at": "{{ticket.updated_at_with_timestamp}}",
}

# The ticket events an event-subscribed webhook should carry (setup --mode events).
TICKET_EVENT_TYPES: tuple[str, ...] = tuple(EVENT_PREFIX + "ticket." + name for name in (
    "created", "status_changed", "priority_changed", "tags_changed", "comment_added",
    "custom_field_changed", "agent_assignment_changed", "group_assignment_changed",
))


def version_stamp(value: Any) -> str | None:
    """A ticket's ``updated_at`` as the bridge compares versions: UTC, to the minute, the
    precision of the trigger placeholder ``{{ticket.updated_at_with_timestamp}}``
    (``2026-11-30T15:04Z``); ``None`` for anything that is not a time (an unrendered
    placeholder, a trigger made before the field was added)."""
    if not isinstance(value, str) or not value.strip() or "{{" in value:
        return None
    at = parse_timestamp(value)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ") if at is not None else None


def trigger_body(event: str) -> str:
    """The JSON body, pretty-printed, for a trigger that reports ``event``."""
    return json.dumps({**TRIGGER_BODY, "event": event}, indent=2)


def parse_body(request: WebhookRequest, signed_at: datetime | None,
               bridge: BridgeIdentity) -> list[InboundEvent]:
    """Turn a verified webhook request into events (none for event types not about tickets)."""
    body = json_object(request)
    if isinstance(body.get("type"), str) and body["type"].startswith(EVENT_PREFIX):
        return _from_event(body, request, bridge)
    if "ticket_id" in body:
        return [_from_trigger(body, request, signed_at, bridge)]
    raise BadPayload("neither a Zendesk ticket event (type zen:event-type:ticket.*) nor the "
                     "sla-bridge trigger body (with ticket_id); see the plugin README")


# Zendesk ids are positive 64-bit integers.
_MAX_ID = 2**63


def _is_id(text: str) -> bool:
    """Whether ``text`` is a Zendesk id: ASCII digits only (``isdigit`` alone also takes
    "²" and Arabic-Indic digits, which ``int`` reads differently or not at all), in range."""
    return (len(text) <= 19 and text.isascii() and text.isdigit()  # int() of 5,000 digits
            and 0 < int(text) < _MAX_ID)                           # raises ValueError


def _ticket_id(value: Any, where: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not _is_id(text):
        raise BadPayload(f"{where} must be a ticket number, got {text[:40]!r}"
                         + (" (an unrendered placeholder: a webhook test?)" if "{{" in text
                            else ""))
    return str(int(text))  # "0042" is ticket 42, stored once under one name


def _delivery(request: WebhookRequest, *candidates: Any) -> str:
    return delivery_id(request, *candidates, hashed_headers=(TIMESTAMP_HEADER,))


def _from_trigger(body: Mapping[str, Any], request: WebhookRequest,
                  signed_at: datetime | None, bridge: BridgeIdentity) -> InboundEvent:
    ticket_id = _ticket_id(body.get("ticket_id"), "ticket_id")
    updater_id = body.get("updater_id")
    updater_email = body.get("updater_email")
    # A rendered {{current_user.id}} is a number; the bridge's e-mail next to it is its own.
    bridge.notice(updater_id if _is_id(str(updater_id or "").strip()) else None, updater_email)
    event = body.get("event") or "ticket.updated"
    if not isinstance(event, str):
        raise BadPayload(f"event must be text like ticket.updated, got a {_json_type(event)}")
    payload = {
        "source": "trigger",
        "webhook_id": request.header(WEBHOOK_ID_HEADER),
        "invocation_id": request.header(INVOCATION_HEADER),
        **{k: body[k] for k in ("status", "priority", "tags", "updater_id") if k in body},
    }
    return InboundEvent(
        ref=TicketRef(platform=PLATFORM, ticket_id=ticket_id),
        # What is signed (the timestamp and the body) names the delivery, not the unsigned
        # invocation id: a captured delivery re-sent under a new id is a duplicate.
        delivery_id=_delivery(request),
        event_type=event[:100],
        occurred_at=signed_at,
        by_bridge=bridge.is_bridge(updater_id, updater_email),
        payload=payload,
        version=version_stamp(body.get("updated_at")),
    )


def _from_event(body: Mapping[str, Any], request: WebhookRequest,
                bridge: BridgeIdentity) -> list[InboundEvent]:
    kind = str(body["type"])[len(EVENT_PREFIX):]
    if not kind.startswith("ticket."):
        return []  # user, organization, article... events say nothing about a ticket
    detail = body.get("detail")
    if not isinstance(detail, dict):
        raise BadPayload("a ticket event needs a detail object")
    subject = str(body.get("subject") or "")
    raw_id = detail.get("id") or (subject.rsplit(":", 1)[-1] if subject.startswith(
        "zen:ticket:") else None)
    ticket_id = _ticket_id(raw_id, "detail.id")
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    actor = detail.get("actor_id")
    comment = event.get("comment") if isinstance(event, dict) else None
    if actor in (None, "") and isinstance(comment, dict):
        author = comment.get("author")
        actor = author.get("id") if isinstance(author, dict) else None
    occurred = parse_timestamp(str(body["time"])) if body.get("time") else None
    payload = {
        "source": "event",
        "type": body["type"],
        "event": event,
        "actor_id": actor,
        **{k: detail[k] for k in ("status", "priority", "tags", "updated_at") if k in detail},
    }
    return [InboundEvent(
        ref=TicketRef(platform=PLATFORM, ticket_id=ticket_id),
        delivery_id=_delivery(request, body.get("id"), request.header(INVOCATION_HEADER)),
        event_type=kind,
        occurred_at=occurred,
        by_bridge=bridge.is_bridge(actor),
        payload=payload,
        version=version_stamp(detail.get("updated_at")),
    )]


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    names = {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), "string")
