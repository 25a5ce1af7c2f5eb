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

import hashlib
import json
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sla_bridge.platforms import BadPayload, InboundEvent, WebhookRequest
from sla_bridge.tickets import TicketRef

from .signature import INVOCATION_HEADER, WEBHOOK_ID_HEADER, parse_timestamp

PLATFORM = "zendesk"
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
}

# The ticket events an event-subscribed webhook should carry (setup --mode events).
TICKET_EVENT_TYPES: tuple[str, ...] = tuple(EVENT_PREFIX + "ticket." + name for name in (
    "created", "status_changed", "priority_changed", "tags_changed", "comment_added",
    "custom_field_changed", "agent_assignment_changed", "group_assignment_changed",
))


def trigger_body(event: str) -> str:
    """The JSON body, pretty-printed, for a trigger that reports ``event``."""
    return json.dumps({**TRIGGER_BODY, "event": event}, indent=2)


class BridgeIdentity:
    """Who the bridge's API user is, to recognise its own updates echoing back."""

    def __init__(self, email: str, user_id: int | None = None) -> None:
        self.email = email.strip().lower()
        self._user_id = str(user_id) if user_id is not None else None
        self._lock = threading.Lock()

    @property
    def user_id(self) -> str | None:
        """The API user's id, once known."""
        return self._user_id

    def learn(self, user_id: int | str) -> None:
        """Remember the API user's id (from /users/me or a trigger body)."""
        with self._lock:
            self._user_id = str(user_id)

    def is_bridge(self, user_id: Any = None, email: Any = None) -> bool:
        """Whether the user (by id or e-mail) is the bridge's API user."""
        if user_id not in (None, "") and self._user_id is not None:
            return str(user_id) == self._user_id
        if isinstance(email, str) and email.strip() and self.email:
            return email.strip().lower() == self.email
        return False


def parse_body(request: WebhookRequest, signed_at: datetime,
               bridge: BridgeIdentity) -> list[InboundEvent]:
    """Turn a verified webhook request into events (none for event types not about tickets)."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise BadPayload("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadPayload("the body must be a JSON object")
    if isinstance(body.get("type"), str) and body["type"].startswith(EVENT_PREFIX):
        return _from_event(body, request, bridge)
    if "ticket_id" in body:
        return [_from_trigger(body, request, signed_at, bridge)]
    raise BadPayload("neither a Zendesk ticket event (type zen:event-type:ticket.*) nor the "
                     "sla-bridge trigger body (with ticket_id); see the plugin README")


def _ticket_id(value: Any, where: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit():
        raise BadPayload(f"{where} must be a ticket number, got {text[:40]!r}"
                         + (" (an unrendered placeholder: a webhook test?)" if "{{" in text
                            else ""))
    return text


def _delivery(request: WebhookRequest, *candidates: Any) -> str:
    for candidate in candidates:
        if isinstance(candidate, str | int) and str(candidate).strip():
            return str(candidate).strip()[:200]
    stamp = request.header("x-zendesk-webhook-signature-timestamp") or ""
    return "body:" + hashlib.sha256(stamp.encode() + request.body).hexdigest()[:40]


def _from_trigger(body: Mapping[str, Any], request: WebhookRequest, signed_at: datetime,
                  bridge: BridgeIdentity) -> InboundEvent:
    ticket_id = _ticket_id(body.get("ticket_id"), "ticket_id")
    updater_id = body.get("updater_id")
    updater_email = body.get("updater_email")
    if (isinstance(updater_email, str) and bridge.email
            and updater_email.strip().lower() == bridge.email
            and str(updater_id or "").isdigit() and bridge.user_id is None):
        bridge.learn(str(updater_id))
    event = str(body.get("event") or "ticket.updated")[:100]
    payload = {
        "source": "trigger",
        "webhook_id": request.header(WEBHOOK_ID_HEADER),
        **{k: body[k] for k in ("status", "priority", "tags", "updater_id") if k in body},
    }
    return InboundEvent(
        ref=TicketRef(platform=PLATFORM, ticket_id=ticket_id),
        delivery_id=_delivery(request, request.header(INVOCATION_HEADER)),
        event_type=event,
        occurred_at=signed_at,
        by_bridge=bridge.is_bridge(updater_id, updater_email),
        payload=payload,
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
    )]
