"""Zendesk tickets to neutral tickets and neutral fields to Zendesk updates.

Reading uses the ticket, its audits (comments with the bridge's idempotency keys from the
audit metadata, the priority it was created with and who changed it since, the first
assignee) and, through the field mapping, the requester's organization and user fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sla_bridge.platformkit import prefixed_tags, prefixed_value
from sla_bridge.tickets import AuthorRole, Comment, Status, Ticket, TicketRef

from .settings import PLATFORM, PRIORITIES, Source, ZendeskSettings

BRIDGE_KEY = "sla_bridge_key"
# Neutral attributes of Ticket that the field mapping fills; other mapped names go to fields.
TICKET_ATTRIBUTES = ("plan", "location", "customer_severity", "vendor_severity", "product",
                     "version")
_CHANNELS = {"voice": "phone", "native_messaging": "chat", "messaging": "chat",
             "chat_transcript": "chat", "web_widget": "web", "mobile_sdk": "mobile"}


def parse_time(value: Any) -> datetime:
    """A Zendesk timestamp as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


# Audit metadata the plugin writes: the action's idempotency key, and for priority changes
# whether they carry a severity (and which, exactly as the bridge wrote it) or only raise
# the priority (a breach), so that reading the ticket back tells them apart.
VENDOR_SEVERITY_KEY = "sla_bridge_vendor_severity"
PRIORITY_ONLY_KEY = "sla_bridge_priority_only"


@dataclass
class History:
    """What the audits tell beyond the ticket's current state."""

    created_priority: str | None = None
    vendor_severity: str | None = None
    first_assignee: str | None = None
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Context:
    """Everything besides the ticket that the mapping reads."""

    settings: ZendeskSettings
    bridge_user_id: str | None
    field_id: Callable[[str], int | None]
    organization: Mapping[str, Any] | None = None
    requester: Mapping[str, Any] | None = None
    users: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    group_name: Callable[[int], str | None] = lambda _group_id: None
    registered_admins: tuple[str, ...] | None = None


def read_history(audits: Sequence[Mapping[str, Any]], ticket: Mapping[str, Any],
                 ctx: Context) -> History:
    """Walk the audits, oldest first.

    The customer's severity is the priority the ticket was created with; the vendor's is
    the priority as last changed by anyone (an agent, a macro, the bridge), except changes
    the bridge made only to raise the priority (a breach), and as the bridge wrote it when
    the bridge set it.
    """
    history = History()
    for audit in audits:
        created_at = parse_time(audit["created_at"])
        author = audit.get("author_id")
        custom = (audit.get("metadata") or {}).get("custom") or {}
        custom = custom if isinstance(custom, dict) else {}
        key = custom.get(BRIDGE_KEY)
        for event in audit.get("events") or []:
            kind = event.get("type")
            name = event.get("field_name")
            if kind == "Comment":
                author_id = event.get("author_id", author)
                history.comments.append(Comment(
                    id=str(event["id"]), author_role=_role(author_id, ticket, ctx),
                    public=bool(event.get("public", True)),
                    body=str(event.get("body") or event.get("plain_body") or ""),
                    created_at=created_at,
                    author_id=str(author_id) if author_id is not None else None,
                    bridge_key=str(key) if key else None,
                    attachments=tuple(str(a.get("file_name")) for a in
                                      event.get("attachments") or []
                                      if isinstance(a, dict) and a.get("file_name"))))
            elif kind == "Create" and name == "priority":
                history.created_priority = event.get("value")
            elif kind == "Change" and name == "priority" and not custom.get(PRIORITY_ONLY_KEY):
                value = event.get("value")
                written = custom.get(VENDOR_SEVERITY_KEY)
                history.vendor_severity = (
                    str(written) if written is not None and value is not None
                    and to_priority(written, ctx.settings) == value else value)
            elif (kind in ("Create", "Change") and name == "assignee_id"
                  and history.first_assignee is None and event.get("value") not in (None, "")):
                history.first_assignee = str(event["value"])
    return history


def _role(author_id: Any, ticket: Mapping[str, Any], ctx: Context) -> AuthorRole:
    if author_id is None or int(author_id) < 0:
        return "system"
    if ctx.bridge_user_id is not None and str(author_id) == ctx.bridge_user_id:
        return "bridge"
    user = ctx.users.get(int(author_id))
    if user is not None:
        return "customer" if user.get("role") == "end-user" else "agent"
    return "customer" if author_id == ticket.get("requester_id") else "agent"


class Reader:
    """Reads neutral attributes from one ticket through the field mapping."""

    def __init__(self, ticket: Mapping[str, Any], history: History, ctx: Context) -> None:
        self.ticket = ticket
        self.history = history
        self.ctx = ctx
        self.custom = {int(f["id"]): f.get("value") for f in ticket.get("custom_fields") or []
                       if f.get("id") is not None}

    def value(self, name: str) -> Any:
        """The first value the sources of ``name`` give."""
        return self.ctx.settings.fields.first_value(name, lambda s: self._one(s, name))

    def _one(self, source: Source, name: str) -> Any:
        ticket, ctx = self.ticket, self.ctx
        if source.kind == "priority":
            current = ticket.get("priority")
            if name == "customer_severity":
                return self.history.created_priority or current
            if name == "vendor_severity":
                return self.history.vendor_severity
            return current
        if source.kind == "field":
            field_id = ctx.field_id(source.arg)
            return self.custom.get(field_id) if field_id is not None else None
        if source.kind == "org":
            org_fields = (ctx.organization or {}).get("organization_fields") or {}
            return org_fields.get(source.arg)
        if source.kind == "user":
            user_fields = (ctx.requester or {}).get("user_fields") or {}
            return user_fields.get(source.arg)
        if source.kind == "tag":
            return prefixed_value(ticket.get("tags") or [], source.arg)
        return None


def to_ticket(raw: Mapping[str, Any], audits: Sequence[Mapping[str, Any]],
              ctx: Context) -> Ticket:
    """The neutral ticket for a Zendesk ticket and its audits."""
    settings = ctx.settings
    history = read_history(audits, raw, ctx)
    reader = Reader(raw, history, ctx)
    attributes = {name: _text(reader.value(name)) for name in TICKET_ATTRIBUTES}
    fields: dict[str, Any] = {}
    for name in settings.fields.all():
        if name not in TICKET_ATTRIBUTES:
            fields[name] = reader.value(name)
    tags = frozenset(str(t) for t in raw.get("tags") or [])
    fields["priority"] = raw.get("priority")
    via = raw.get("via") or {}
    source = via.get("source") or {}
    origin = source.get("from") or source.get("from_") or {}
    follow_up_of = (str(origin["ticket_id"]) if source.get("rel") == "follow_up"
                    and origin.get("ticket_id") is not None else None)
    channel = via.get("channel")
    group_id = raw.get("group_id")
    return Ticket(
        ref=TicketRef(platform=PLATFORM, ticket_id=str(raw["id"])),
        status=Status(str(raw.get("status") or "new")),
        subject=str(raw.get("subject") or ""),
        description=str(raw.get("description") or ""),
        created_at=parse_time(raw["created_at"]),
        updated_at=parse_time(raw["updated_at"]),
        requester_id=_text(raw.get("requester_id")),
        organization_id=_text(raw.get("organization_id")),
        channel=_CHANNELS.get(str(channel), str(channel)) if channel else None,
        brand=_text(raw.get("brand_id")),
        form=_text(raw.get("ticket_form_id")),
        group=ctx.group_name(int(group_id)) or str(group_id) if group_id is not None else None,
        assignee_id=_text(raw.get("assignee_id")),
        original_assignee_id=history.first_assignee,
        tags=tags,
        fields=fields,
        comments=tuple(history.comments),
        follow_up_of=follow_up_of,
        registered_admins=ctx.registered_admins,
        **attributes,
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


@dataclass
class FieldUpdate:
    """What a SetFields action becomes in Zendesk."""

    custom_fields: list[dict[str, Any]] = field(default_factory=list)
    priority: str | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    group: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def ticket_changes(self) -> dict[str, Any]:
        """The part of the update made through PUT /tickets/{id}."""
        changes: dict[str, Any] = {}
        if self.custom_fields:
            changes["custom_fields"] = self.custom_fields
        if self.priority is not None:
            changes["priority"] = self.priority
        return changes

    @property
    def empty(self) -> bool:
        """Nothing to write."""
        return not (self.ticket_changes or self.add_tags or self.remove_tags or self.group)


def to_priority(value: Any, settings: ZendeskSettings) -> str | None:
    """The Zendesk priority for a severity value, or ``None``."""
    text = str(value).strip().lower()
    if text in PRIORITIES:
        return text
    return settings.priorities.get(text)


def plan_fields(values: Mapping[str, Any], current: Mapping[str, Any],
                settings: ZendeskSettings,
                field_id: Callable[[str], int | None]) -> FieldUpdate:
    """Turn neutral field values into the smallest Zendesk update for ``current``."""
    update = FieldUpdate()
    tags = set(current.get("tags") or [])
    custom = {int(f["id"]): f.get("value") for f in current.get("custom_fields") or []}
    severity: tuple[str, str] | None = None  # (priority, the severity as written)
    raised: str | None = None  # a priority set for itself (a breach), not as a severity
    for name, value in values.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        if name == "group":
            if value not in (None, ""):
                update.group = str(value)
            continue
        if name == "priority":
            sources: tuple[Source, ...] = (Source("priority"),)
        else:
            sources = settings.fields.sources(name)
        target = next((s for s in sources if s.writable), None)
        if target is None:
            where = ", ".join(map(str, sources))
            update.skipped.append(f"{name}: kept in {where}, which the bridge does not write")
            continue
        if target.kind == "priority":
            if name == "customer_severity":
                update.skipped.append(f"{name}: the priority the ticket was created with "
                                      "cannot be rewritten")
                continue
            priority = to_priority(value, settings) if value is not None else None
            if priority is None:
                update.skipped.append(f"{name}: no Zendesk priority for {value!r}; add it to "
                                      "SLA_BRIDGE_ZENDESK__PRIORITY_MAP")
            elif name == "priority":
                raised = priority
            else:
                severity = (priority, str(value))
        elif target.kind == "field":
            found = field_id(target.arg)
            if found is None:
                update.skipped.append(f"{name}: no ticket field {target.arg!r} (create it with "
                                      "`sla-bridge zendesk setup`, or map the field by id)")
                continue
            if value is not None and not isinstance(value, bool | int | float | str):
                value = str(value)
            if _differs(custom.get(found), value):
                update.custom_fields.append({"id": found, "value": value})
        else:
            wanted, stale = prefixed_tags(tags, target.arg, value)
            update.remove_tags.extend(stale)
            if wanted is not None and wanted not in tags:
                update.add_tags.append(wanted)
    chosen = severity[0] if severity is not None else raised
    if chosen is not None and chosen != current.get("priority"):
        update.priority = chosen
        if severity is not None:
            update.metadata[VENDOR_SEVERITY_KEY] = severity[1]
        else:
            update.metadata[PRIORITY_ONLY_KEY] = True
    return update


def _differs(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return False
    return str(old) != str(new) if not isinstance(new, bool) else old != new
