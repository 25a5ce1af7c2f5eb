"""Zendesk's outbound webhooks: triggers that notify a webhook, ticket events, signing.

After every ticket change the engine does what a configured Zendesk does:

* each active trigger (by position) whose conditions hold runs its
  ``notification_webhook`` actions: the body is the trigger's JSON with its placeholders
  rendered, sent to the webhook if it subscribes to ``conditional_ticket_events``;
* each active webhook subscribed to ticket event types gets one event per thing that
  changed (``zen:event-type:ticket.status_changed``...).

The kit's :class:`~sla_bridge.sandbox.WebhookSender` delivers them, signed with the webhook's
secret (:func:`zendesk_headers`: ``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256 of
timestamp + body), retried by :data:`ZENDESK_RETRY` (only what Zendesk documents it retries:
409, and 429 or 503 with a ``Retry-After`` under 60 s), and recorded as invocations.

Trigger conditions understood: ``update_type``, ``status``, ``priority``, ``current_user``,
``role``, ``current_tags``, ``comment_is_public``; any other condition does not hold.
Trigger actions other than ``notification_webhook`` are ignored.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sla_bridge.platformkit import retry_after_seconds
from sla_bridge.sandbox import Delivery, RetryRule, WebhookSender

from ..signature import format_timestamp, sign
from ._state import AGENT_ROLES, STATUSES, Change, SandboxState

EVENT_VERSION = "2022-11-06"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}")


#: Zendesk waits this long for the endpoint's answer (seconds). [inferred]: not in the Zendesk
#: text we could check; a Zendesk admin's guide says 10 s (see the README), the shortest figure
#: found, so the sandbox is at least as impatient as Zendesk.
WEBHOOK_TIMEOUT_SECONDS = 10.0
#: A 429 or 503 is retried only when its ``Retry-After`` is shorter than this (seconds).
RETRY_AFTER_LIMIT_SECONDS = 60.0


def zendesk_retries(status: int, headers: Mapping[str, str]) -> bool:
    """Whether Zendesk sends a webhook again after this answer (Webhooks API, "Webhook retries":
    https://developer.zendesk.com/api-reference/webhooks/introduction/#webhook-retries):
    after a 409, and after a 429 or 503 whose ``Retry-After`` is under 60 seconds; after
    nothing else (a 500, a 502, a 503 without ``Retry-After``, a 4xx)."""
    if status == 409:
        return True
    if status in (429, 503):
        wait = retry_after_seconds(headers.get("retry-after"), datetime.now(UTC))
        return wait is not None and wait < RETRY_AFTER_LIMIT_SECONDS
    return False


#: Three attempts in all, again only when :func:`zendesk_retries` says so (never after a
#: connection error or no answer within 10 s); 0.2 s, then 0.4 s apart.
ZENDESK_RETRY = RetryRule(attempts=3, retry_answer=zendesk_retries, retry_unanswered=False,
                          timeout=WEBHOOK_TIMEOUT_SECONDS)


def invocation_id() -> str:
    """A webhook invocation id, 26 characters like Zendesk's."""
    return uuid.uuid4().hex.upper()[:26]


def zendesk_headers(state: SandboxState, delivery: Delivery) -> dict[str, str]:
    """One attempt's headers, signed with the webhook's secret at the time of sending."""
    secret = state.webhook_secrets.get(delivery.webhook_id, "")
    stamp = format_timestamp(state.clock())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Zendesk Webhook",
        "X-Zendesk-Account-Id": str(state.account_id),
        "X-Zendesk-Webhook-Id": delivery.webhook_id,
        "X-Zendesk-Webhook-Invocation-Id": delivery.id,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "X-Zendesk-Webhook-Signature": sign(secret, stamp, delivery.body),
    }


class WebhookEngine:
    """Runs triggers and ticket-event subscriptions for the sandbox's account."""

    def __init__(self, state: SandboxState, sender: WebhookSender) -> None:
        self.state = state
        self.sender = sender
        state.listeners.append(self.on_change)

    # -- what to send --------------------------------------------------------------

    def on_change(self, change: Change) -> None:
        """Evaluate triggers and subscriptions for one ticket change (state lock held)."""
        with self.state.lock:
            webhooks = {k: dict(v) for k, v in self.state.webhooks.items()
                        if v.get("status") == "active"}
            triggers = sorted((t for t in self.state.triggers.values() if t.get("active")),
                              key=lambda t: (t.get("position", 0), t["id"]))
            for trigger in triggers:
                if not self._holds(trigger.get("conditions") or {}, change):
                    continue
                for action in trigger.get("actions") or []:
                    if action.get("field") != "notification_webhook":
                        continue
                    value = action.get("value")
                    if not isinstance(value, list) or len(value) < 2:
                        continue
                    hook = webhooks.get(str(value[0]))
                    if hook is None or "conditional_ticket_events" not in (
                            hook.get("subscriptions") or []):
                        continue
                    body = self._render(str(value[1]), change).encode()
                    self._enqueue(hook, body, "conditional_ticket_events")
            events = self._events(change)
            for hook in webhooks.values():
                wanted = set(hook.get("subscriptions") or [])
                for event in events:
                    if event["type"] in wanted:
                        self._enqueue(hook, json.dumps(event).encode(), event["type"])

    def _enqueue(self, hook: dict[str, Any], body: bytes, event_type: str) -> None:
        self.sender.send(webhook_id=hook["id"], endpoint=hook["endpoint"], body=body,
                         event_type=event_type)

    # -- trigger conditions and placeholders ---------------------------------------

    def _holds(self, conditions: dict[str, Any], change: Change) -> bool:
        every = conditions.get("all") or []
        some = conditions.get("any") or []
        return (all(self._condition(c, change) for c in every)
                and (not some or any(self._condition(c, change) for c in some)))

    def _condition(self, condition: dict[str, Any], change: Change) -> bool:
        name = str(condition.get("field"))
        op = str(condition.get("operator", "is"))
        value = condition.get("value")
        ticket, before, actor = change.ticket, change.before, change.actor
        if name == "update_type":
            actual = "Create" if change.kind == "create" else "Change"
            return bool(actual == value) == (op == "is")
        if name in ("status", "priority"):
            current = ticket.get(name)
            previous = (before or {}).get(name)
            if op == "changed":
                return before is None or current != previous
            if op == "not_changed":
                return before is not None and current == previous
            if op == "value":
                return current == value and (before is None or previous != current)
            if op == "value_previous":
                return before is not None and previous == value and current != previous
            if op in ("less_than", "greater_than") and name == "status":
                order = {s: i for i, s in enumerate(STATUSES)}
                if current not in order or value not in order:
                    return False
                return bool(order[current] < order[value] if op == "less_than"
                            else order[current] > order[value])
            return bool(current == value) == (op == "is")
        if name == "current_user":
            role = "agent" if actor.get("role") in AGENT_ROLES else "end_user"
            matches = bool(value in (role, str(actor.get("id")), actor.get("id")))
            if value == "requester":
                matches = bool(actor.get("id") == ticket.get("requester_id"))
            return matches == (op == "is")
        if name == "role":
            role = "agent" if actor.get("role") in AGENT_ROLES else "end_user"
            return bool(role == value) == (op == "is")
        if name == "current_tags":
            wanted = set(str(value or "").split())
            present = bool(wanted & set(ticket.get("tags") or []))
            return present == (op == "includes")
        if name == "comment_is_public":
            public = change.comment is not None and change.comment["public"]
            if value in ("not_relevant", None):
                return True
            return public == (value in (True, "true"))
        return False

    def _render(self, template: str, change: Change) -> str:
        ticket, actor = change.ticket, change.actor
        values: dict[str, Any] = {
            "ticket.id": ticket["id"],
            "ticket.status": str(ticket["status"]).capitalize(),
            "ticket.priority": str(ticket.get("priority") or "-").capitalize(),
            "ticket.tags": " ".join(ticket.get("tags") or []),
            "ticket.requester.id": ticket.get("requester_id"),
            "ticket.assignee.id": ticket.get("assignee_id") or "",
            "ticket.group.id": ticket.get("group_id") or "",
            "ticket.organization.id": ticket.get("organization_id") or "",
            "ticket.via": change.audit.get("via", {}).get("channel", ""),
            # ISO 8601 to the minute, in UTC: "2013-12-12T05:35Z" (Zendesk placeholders
            # reference, https://support.zendesk.com/hc/en-us/articles/4408886858138).
            "ticket.updated_at_with_timestamp": _to_minute(ticket.get("updated_at")),
            "ticket.created_at_with_timestamp": _to_minute(ticket.get("created_at")),
            "current_user.id": actor.get("id"),
            "current_user.email": actor.get("email") or "",
            "current_user.name": actor.get("name") or "",
        }

        def replace(match: re.Match[str]) -> str:
            value = values.get(match.group(1), "")
            return json.dumps(str(value if value is not None else ""))[1:-1]

        return _PLACEHOLDER.sub(replace, template)

    # -- ticket events -------------------------------------------------------------

    def _events(self, change: Change) -> list[dict[str, Any]]:
        ticket, before, actor = change.ticket, change.before, change.actor
        found: list[tuple[str, dict[str, Any]]] = []
        if change.kind == "create":
            found.append(("created", {}))
        else:
            assert before is not None
            for name, kind in (("status", "status_changed"), ("priority", "priority_changed")):
                if ticket.get(name) != before.get(name):
                    found.append((kind, {"current": _upper(ticket.get(name)),
                                         "previous": _upper(before.get(name))}))
            for name, kind in (("assignee_id", "agent_assignment_changed"),
                               ("group_id", "group_assignment_changed")):
                if ticket.get(name) != before.get(name):
                    found.append((kind, {"current": _str(ticket.get(name)),
                                         "previous": _str(before.get(name))}))
            added = sorted(set(ticket["tags"]) - set(before["tags"]))
            removed = sorted(set(before["tags"]) - set(ticket["tags"]))
            if added or removed:
                found.append(("tags_changed", {"tags_added": added, "tags_removed": removed}))
            old = {f["id"]: f["value"] for f in before["custom_fields"]}
            for item in ticket["custom_fields"]:
                if old.get(item["id"]) != item["value"]:
                    meta = self.state.ticket_fields.get(item["id"], {})
                    found.append(("custom_field_changed", {
                        "current": item["value"], "previous": old.get(item["id"]),
                        "custom_field": {"id": str(item["id"]), "title": meta.get("title", ""),
                                         "type": meta.get("type", "text")}}))
            if change.comment is not None:
                author = self.state.users.get(change.comment["author_id"], {})
                found.append(("comment_added", {"comment": {
                    "id": str(change.comment["id"]), "body": change.comment["body"],
                    "is_public": change.comment["public"],
                    "author": {"id": str(change.comment["author_id"]),
                               "is_staff": author.get("role") in AGENT_ROLES,
                               "name": author.get("name", "")}}}))
        detail = self._detail(ticket, actor)
        sequence = str(change.audit.get("id"))
        return [{
            "account_id": self.state.account_id,
            "detail": detail,
            "event": {**body, "meta": {"sequence": {"id": sequence, "position": i + 1,
                                                    "total": len(found)}}},
            "id": str(uuid.uuid4()),
            "subject": f"zen:ticket:{ticket['id']}",
            "time": self.sender.now(),
            "type": f"zen:event-type:ticket.{kind}",
            "zendesk_event_version": EVENT_VERSION,
        } for i, (kind, body) in enumerate(found)]

    def _detail(self, ticket: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
        return {
            "actor_id": _str(actor.get("id")),
            "assignee_id": _str(ticket.get("assignee_id")),
            "brand_id": _str(ticket.get("brand_id")),
            "created_at": ticket["created_at"],
            "custom_status": _str(ticket.get("custom_status_id")),
            "description": ticket.get("description", ""),
            "external_id": ticket.get("external_id"),
            "form_id": _str(ticket.get("ticket_form_id")),
            "group_id": _str(ticket.get("group_id")),
            "id": str(ticket["id"]),
            "is_public": bool(ticket.get("is_public")),
            "organization_id": _str(ticket.get("organization_id")),
            "priority": _upper(ticket.get("priority")),
            "requester_id": _str(ticket.get("requester_id")),
            "status": _upper(ticket.get("status")),
            "subject": ticket.get("subject", ""),
            "submitter_id": _str(ticket.get("submitter_id")),
            "tags": list(ticket.get("tags") or []),
            "type": _upper(ticket.get("type")),
            "updated_at": ticket["updated_at"],
            "via": {"channel": ticket.get("via", {}).get("channel", "api")},
        }


def _to_minute(value: Any) -> str:
    """An ISO instant as the ``*_with_timestamp`` placeholders render it: UTC, to the
    minute."""
    if not value:
        return ""
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _upper(value: Any) -> str | None:
    return str(value).upper() if value is not None else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None

