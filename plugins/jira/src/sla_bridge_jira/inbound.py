"""Inbound deliveries: admin webhooks and automation rules' "Send web request".

Two kinds of request reach ``POST /webhooks/jira``, told apart by how they are signed:

* an **admin webhook** (``X-Hub-Signature``): ``{"timestamp": <ms>, "webhookEvent":
  "jira:issue_updated", "issue": {...}, "user": {...}, "changelog": {...}, "comment":
  {...}}``, or a ``comment_created`` / ``comment_updated`` with the comment and a reduced
  issue, see https://developer.atlassian.com/cloud/jira/platform/webhooks/;
* an **automation request** (``X-Sla-Bridge-Secret``): the body :func:`automation_body`
  gives the admin to paste, rendered by Automation's smart values.

Both only say "look at request SUP-42 again"; the bridge fetches the issue itself. Parsing
does no I/O (it runs on the server's event loop).

Replays: Jira signs the body only. Its ``timestamp`` is signed with it and stays the same
across Jira's retries, so a delivery whose timestamp is further than
``SLA_BRIDGE_JIRA__SIGNATURE_TOLERANCE_SECONDS`` (24 hours by default) from the bridge's
clock is refused; within that window a replay is a duplicate by its delivery id, which the
inbox keeps for days after processing (``SLA_BRIDGE_RETENTION__PROCESSED_EVENTS_DAYS``).

One comment arrives as two deliveries, a ``comment_created`` and a ``jira:issue_updated``
(``issue_commented``) that carries the same comment, each with its own identifier. Both are
named by the comment (issue, comment id and its ``updated`` time), so the second is a
duplicate and the comment is reconciled once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sla_bridge.platformkit import BridgeIdentity, delivery_id, json_object, parse_timestamp
from sla_bridge.platforms import BadPayload, InboundEvent, Unauthorized, WebhookRequest
from sla_bridge.tickets import TicketRef

from .settings import PLATFORM, JiraSettings
from .signature import FLOW_HEADER, IDENTIFIER_HEADER, RETRY_HEADER

__all__ = ["AUTOMATION_BODY", "ISSUE_EVENTS", "WEBHOOK_EVENTS", "automation_body",
           "parse_admin_webhook", "parse_automation"]

# The events the admin webhook subscribes to (setup registers these).
WEBHOOK_EVENTS: tuple[str, ...] = ("jira:issue_created", "jira:issue_updated",
                                   "jira:issue_deleted", "comment_created", "comment_updated")
ISSUE_EVENTS = {"jira:issue_created": "ticket.created", "jira:issue_updated": "ticket.updated",
                "jira:issue_deleted": "ticket.deleted"}
COMMENT_EVENTS = {"comment_created": "comment.created", "comment_updated": "comment.updated"}
# The issue events that carry a comment which also arrives as a comment_* delivery.
_COMMENT_ISSUE_EVENTS = ("issue_commented", "issue_comment_edited")

# The body to paste into an automation rule's "Send web request" (Custom data). Only smart
# values whose rendering cannot break the JSON: keys, ids, status and priority names, times.
AUTOMATION_BODY: dict[str, str] = {
    "sla_bridge": "1",
    "event": "issue.updated",
    "issue_key": "{{issue.key}}",
    "issue_id": "{{issue.id}}",
    "project_key": "{{issue.project.key}}",
    "status": "{{issue.status.name}}",
    "priority": "{{issue.priority.name}}",
    "updated": "{{issue.updated}}",
    "actor_account_id": "{{initiator.accountId}}",
}

_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,254}-[1-9][0-9]{0,18}$")


def automation_body(event: str = "issue.updated") -> str:
    """The JSON body, pretty-printed, for an automation rule that reports ``event``."""
    return json.dumps({**AUTOMATION_BODY, "event": event}, indent=2)


def parse_admin_webhook(request: WebhookRequest, settings: JiraSettings,
                        bridge: BridgeIdentity, now: datetime) -> list[InboundEvent]:
    """Turn a verified admin webhook into events: none for another project or an event the
    bridge does not read; :class:`BadPayload` for a body Jira does not send."""
    body = json_object(request)
    kind = body.get("webhookEvent")
    if not isinstance(kind, str) or not kind:
        raise BadPayload("webhookEvent is missing: not a Jira webhook body")
    occurred = _signed_time(body, settings, now)
    if kind not in ISSUE_EVENTS and kind not in COMMENT_EVENTS:
        return []  # worklog, sprint, project... events say nothing about a request
    issue = _object(body, "issue")
    key = _issue_key(issue)
    if not settings.watches(_project_key(issue, key)):
        return []
    comment = body.get("comment") if isinstance(body.get("comment"), dict) else None
    issue_event = body.get("issue_event_type_name")
    if kind in COMMENT_EVENTS:
        comment = _object(body, "comment")
        actor = _account(comment.get("updateAuthor")) or _account(comment.get("author"))
        event_type = COMMENT_EVENTS[kind]
    else:
        actor = _account(body.get("user"))
        event_type = ISSUE_EVENTS[kind]
    identifier = request.header(IDENTIFIER_HEADER)
    named_by_comment = comment is not None and (kind in COMMENT_EVENTS
                                                or issue_event in _COMMENT_ISSUE_EVENTS)
    candidates: list[Any] = []
    if named_by_comment and comment is not None and comment.get("id"):
        candidates.append(f"jira-comment:{key}:{comment['id']}:{comment.get('updated', '')}")
    candidates.append(identifier)
    payload: dict[str, Any] = {
        "source": "webhook",
        "webhook_event": kind,
        "identifier": identifier,
        "retry": request.header(RETRY_HEADER),
        "flow": request.header(FLOW_HEADER),
        "actor_account_id": actor,
    }
    if isinstance(issue_event, str):
        payload["issue_event_type_name"] = issue_event[:100]
    if comment is not None:
        payload["comment_id"] = str(comment.get("id", ""))[:40]
        payload["comment_public"] = comment.get("jsdPublic", True) is not False
    status = _object(issue, "fields", required=False).get("status")
    if isinstance(status, dict) and isinstance(status.get("name"), str):
        payload["status"] = status["name"][:100]
    return [InboundEvent(ref=TicketRef(platform=PLATFORM, ticket_id=key),
                         delivery_id=delivery_id(request, *candidates),
                         event_type=event_type, occurred_at=occurred,
                         by_bridge=bridge.is_bridge(actor), payload=payload)]


def parse_automation(request: WebhookRequest, settings: JiraSettings,
                     bridge: BridgeIdentity) -> list[InboundEvent]:
    """Turn a verified automation request (the :data:`AUTOMATION_BODY`) into an event."""
    body = json_object(request)
    if "issue_key" not in body:
        raise BadPayload("issue_key is missing: not the sla-bridge automation body (see "
                         "`automation_body()` in the plugin README)")
    key = _checked_key(body.get("issue_key"), "issue_key")
    project = body.get("project_key") if isinstance(body.get("project_key"), str) else None
    if not settings.watches(project or key.rsplit("-", 1)[0]):
        return []
    event = body.get("event") or "issue.updated"
    if not isinstance(event, str):
        raise BadPayload(f"event must be text like issue.updated, got {_json_type(event)}")
    actor = body.get("actor_account_id")
    actor = actor.strip() if isinstance(actor, str) and "{{" not in actor else None
    updated = body.get("updated")
    occurred = parse_timestamp(updated) if isinstance(updated, str) else None
    payload: dict[str, Any] = {"source": "automation", "event": event[:100],
                               "actor_account_id": actor,
                               **{k: str(body[k])[:100] for k in ("status", "priority", "updated")
                                  if k in body}}
    # Automation names no delivery: the issue, its update time and the event name one (an
    # unrendered or missing time falls back to a digest of the body).
    derived = (f"jira-auto:{key}:{event[:60]}:{updated}"
               if isinstance(updated, str) and updated.strip() and "{{" not in updated
               else None)
    return [InboundEvent(ref=TicketRef(platform=PLATFORM, ticket_id=key),
                         delivery_id=delivery_id(request, derived), event_type=event[:100],
                         occurred_at=occurred, by_bridge=bridge.is_bridge(actor),
                         payload=payload)]


def _signed_time(body: Mapping[str, Any], settings: JiraSettings, now: datetime) -> datetime:
    """The body's ``timestamp`` (ms); a replay refused when outside the tolerance."""
    stamp = body.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int):
        raise BadPayload(f"timestamp must be the milliseconds Jira sends, got "
                         f"{_json_type(stamp)}")
    try:
        signed_at = datetime.fromtimestamp(stamp / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadPayload(f"timestamp {str(stamp)[:20]} is not a time") from None
    skew = now - signed_at
    tolerance = timedelta(seconds=settings.signature_tolerance_seconds)
    if abs(skew) > tolerance:
        direction = "old" if skew > timedelta(0) else "in the future"
        raise Unauthorized("unauthorized", f"delivery timestamp {signed_at.isoformat()} is "
                           f"{abs(int(skew.total_seconds()))} s {direction} (tolerance "
                           f"{settings.variable('signature_tolerance_seconds')}="
                           f"{settings.signature_tolerance_seconds}): a replay?")
    return signed_at


def _object(body: Mapping[str, Any], name: str, *, required: bool = True) -> dict[str, Any]:
    value = body.get(name)
    if isinstance(value, dict):
        return value
    if value is None and not required:
        return {}
    raise BadPayload(f"{name} must be an object, got {_json_type(value)}")


def _issue_key(issue: Mapping[str, Any]) -> str:
    return _checked_key(issue.get("key"), "issue.key")


def _checked_key(value: Any, where: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _ISSUE_KEY.match(text):
        hint = " (an unrendered smart value: a rule test?)" if "{{" in text else ""
        raise BadPayload(f"{where} must be an issue key like SUP-42, got "
                         f"{text[:40]!r}{hint}")
    return text


def _project_key(issue: Mapping[str, Any], key: str) -> str:
    project = _object(issue, "fields", required=False).get("project")
    if isinstance(project, dict) and isinstance(project.get("key"), str):
        return str(project["key"])
    return key.rsplit("-", 1)[0]


def _account(user: Any) -> str | None:
    if isinstance(user, dict) and isinstance(user.get("accountId"), str):
        return str(user["accountId"])[:128] or None
    return None


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    names = {dict: "an object", list: "an array", bool: "a boolean", int: "a number",
             float: "a number", str: "a string"}
    return "null" if value is None else names.get(type(value), "a string")
