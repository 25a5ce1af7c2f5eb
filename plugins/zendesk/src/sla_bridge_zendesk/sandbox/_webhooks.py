"""Outbound webhooks: triggers that notify a webhook, ticket events, signed delivery.

After every ticket change the engine does what a configured Zendesk does:

* each active trigger (by position) whose conditions hold runs its
  ``notification_webhook`` actions: the body is the trigger's JSON with its placeholders
  rendered, sent to the webhook if it subscribes to ``conditional_ticket_events``;
* each active webhook subscribed to ticket event types gets one event per thing that
  changed (``zen:event-type:ticket.status_changed``...).

Deliveries are queued and sent by one thread, signed with the webhook's secret
(``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256 of timestamp + body), retried on
connection errors, 5xx and 429 (up to three attempts), and recorded as invocations.

Trigger conditions understood: ``update_type``, ``status``, ``priority``, ``current_user``,
``role``, ``current_tags``, ``comment_is_public``; any other condition does not hold.
Trigger actions other than ``notification_webhook`` are ignored.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from ..signature import format_timestamp, sign
from ._state import AGENT_ROLES, STATUSES, Change, Clock, SandboxState

log = logging.getLogger("sla_bridge_zendesk.sandbox")

EVENT_VERSION = "2022-11-06"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}")


@dataclass
class Delivery:
    """One webhook invocation and its attempts."""

    id: str
    webhook_id: str
    endpoint: str
    body: bytes
    event_type: str
    created_at: str
    attempts: list[dict[str, Any]] = field(default_factory=list)
    status: str = "accepted"

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


class WebhookEngine:
    """Runs triggers and ticket-event subscriptions for the sandbox's account."""

    def __init__(self, state: SandboxState, clock: Clock, attempts: int = 3,
                 timeout: float = 10.0) -> None:
        self.state = state
        self.clock = clock
        self.max_attempts = attempts
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self.drop_next = 0
        self.duplicate_next = 0
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._lock = threading.Lock()
        self._session = requests.Session()
        self._thread: threading.Thread | None = None
        self._stopping = False
        state.listeners.append(self.on_change)

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping = False
        if self._thread is None:
            self._session = requests.Session()
            self._thread = threading.Thread(target=self._run, name="zendesk-sandbox-webhooks",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the delivery thread; deliveries not attempted yet are cancelled."""
        self._stopping = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
        self._session.close()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery was attempted; return whether it was."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

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
        delivery = Delivery(id=uuid.uuid4().hex.upper()[:26], webhook_id=hook["id"],
                            endpoint=hook["endpoint"], body=body, event_type=event_type,
                            created_at=format_timestamp(self.clock()))
        with self._lock:
            self.deliveries.append(delivery)
            if self.drop_next > 0:
                self.drop_next -= 1
                delivery.status = "dropped"
                return
            copies = 1
            if self.duplicate_next > 0:
                self.duplicate_next -= 1
                copies = 2
        for _ in range(copies):
            self._queue.put(delivery)

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
            "ticket.updated_at_with_timestamp": ticket.get("updated_at"),
            "ticket.created_at_with_timestamp": ticket.get("created_at"),
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
            "time": format_timestamp(self.clock()),
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

    # -- delivery ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                self._deliver(delivery)
            except Exception:  # a bad endpoint must not stop the sandbox
                log.exception("webhook delivery failed")
            finally:
                self._queue.task_done()

    def _deliver(self, delivery: Delivery) -> None:
        secret = self.state.webhook_secrets.get(delivery.webhook_id, "")
        for attempt in range(1, self.max_attempts + 1):
            if self._stopping:
                delivery.status = "cancelled"
                return
            stamp = format_timestamp(self.clock())
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Zendesk Webhook",
                "X-Zendesk-Account-Id": str(self.state.account_id),
                "X-Zendesk-Webhook-Id": delivery.webhook_id,
                "X-Zendesk-Webhook-Invocation-Id": delivery.id,
                "X-Zendesk-Webhook-Signature-Timestamp": stamp,
                "X-Zendesk-Webhook-Signature": sign(secret, stamp, delivery.body),
            }
            started = time.monotonic()
            record: dict[str, Any] = {"attempt": attempt, "created_at": stamp}
            try:
                response = self._session.post(delivery.endpoint, data=delivery.body,
                                              headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                record.update(status="failed", error_message=type(exc).__name__)
                retry = True
            else:
                code = response.status_code
                record.update(response_code=code, response_body=response.text[:500],
                              status="success" if code < 300 else
                              "client error" if code < 500 else "server error")
                retry = code >= 500 or code in (409, 429)
            record["duration_ms"] = int((time.monotonic() - started) * 1000)
            delivery.attempts.append(record)
            delivery.status = record["status"]
            if not retry:
                return
            if attempt < self.max_attempts:
                time.sleep(0.2 * attempt)


def _upper(value: Any) -> str | None:
    return str(value).upper() if value is not None else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None

