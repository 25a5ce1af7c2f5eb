"""End-to-end helpers: the people of a Zendesk world, and a ticket as a Zendesk user sees it.

The workflow stories are the kit's conformance suite (``zendesk_driver.ZendeskDriver`` plays
them); the Zendesk-only end-to-end tests read what they assert from the sandbox with
:func:`seen`: status, priority, group, assignee, tags, custom fields, comments and the
audits' metadata, as an agent would see them on the ticket. """

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sla_bridge.testing import FAST_RETRIES as KIT_FAST_RETRIES
from sla_bridge_zendesk.sandbox import Sandbox

CENTRAL = ZoneInfo("America/Chicago")
BRIDGE_KEY = "sla_bridge_key"
MANAGERS = "Customer Champion managers"
# Short back-off keeps the fault tests fast (a Retry-After from the sandbox still wins).
FAST_RETRIES = dict(KIT_FAST_RETRIES)
COMPLETE = ("Product: Code42 app 11.2 on Windows 11. GUID 987654321098765432, user "
            "dana@acme.test, logs attached, screenshot attached, cloud destination: Code42 "
            "cloud.")


def at(text: str, zone: ZoneInfo = CENTRAL) -> datetime:
    """``"2026-11-30 09:00"`` as an instant, by default in US Central."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@dataclass(frozen=True)
class Comment:
    """A comment as the agent workspace shows it."""

    author: str  # a user's name, or "sla-bridge"
    public: bool
    body: str
    at: datetime  # US Central
    key: str | None  # the bridge's idempotency key, from the audit's metadata


@dataclass(frozen=True)
class Seen:
    """A ticket as a Zendesk agent sees it."""

    id: int
    status: str
    priority: str | None
    group: str | None
    assignee: str | None
    tags: list[str]
    fields: dict[str, Any]
    comments: list[Comment]
    status_changes: list[tuple[datetime, str, str]]  # (when, to, who)
    follow_up_of: int | None

    def by_bridge(self, public: bool | None = None) -> list[Comment]:
        """The bridge's comments (public replies, internal notes, or both)."""
        return [c for c in self.comments if c.author == "sla-bridge"
                and (public is None or c.public == public)]

    def bodies(self, public: bool | None = None) -> list[str]:
        """The bridge's comments' text."""
        return [c.body for c in self.by_bridge(public)]

    def starting(self, prefix: str) -> list[Comment]:
        """The bridge's comments that start with ``prefix``."""
        return [c for c in self.by_bridge() if c.body.startswith(prefix)]

    def keys(self) -> Counter[str]:
        """How many comments carry each bridge key: every count must be 1."""
        return Counter(c.key for c in self.comments if c.key)


def seen(sandbox: Sandbox, ticket_id: int) -> Seen:
    """Read ``ticket_id`` from the sandbox the way an agent sees it."""
    ticket = sandbox.ticket(ticket_id)
    state = sandbox.state
    with state.lock:
        names = {uid: ("sla-bridge" if uid == sandbox.api_user["id"] else u["name"])
                 for uid, u in state.users.items()}
        titles = {fid: f["title"] for fid, f in state.ticket_fields.items()}
        groups = {gid: g["name"] for gid, g in state.groups.items()}
    names[-1] = "Zendesk"
    comments, changes = [], []
    for audit in sandbox.audits(ticket_id):
        when = datetime.fromisoformat(audit["created_at"].replace("Z", "+00:00"))
        custom = audit["metadata"].get("custom") or {}
        for event in audit["events"]:
            if event["type"] == "Comment":
                comments.append(Comment(names[event["author_id"]], event["public"],
                                        event["body"], when.astimezone(CENTRAL),
                                        custom.get(BRIDGE_KEY)))
            elif event["type"] == "Change" and event.get("field_name") == "status":
                changes.append((when.astimezone(CENTRAL), event["value"],
                                names[audit["author_id"]]))
    source = (ticket["via"].get("source") or {})
    origin = (source.get("from") or {}).get("ticket_id") if source.get("rel") else None
    return Seen(
        id=ticket_id, status=ticket["status"], priority=ticket["priority"],
        group=groups.get(ticket["group_id"]) if ticket["group_id"] else None,
        assignee=names.get(ticket["assignee_id"]) if ticket["assignee_id"] else None,
        tags=list(ticket["tags"]),
        fields={titles[f["id"]]: f["value"] for f in ticket["custom_fields"]},
        comments=comments, status_changes=changes, follow_up_of=origin)
