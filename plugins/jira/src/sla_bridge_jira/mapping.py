"""Jira Service Management requests to neutral tickets.

Reading uses the issue (``GET /rest/api/2/issue/{key}?expand=changelog``: its fields and the
priority it was raised with), its comments with their properties (``expand=properties``:
``sd.public.comment`` and the bridge's own key), and what :class:`Context` looked up: the
custom fields by id, the request's first organization's properties, its approvals.

Comments: ``jsdPublic`` says whether the customer sees a comment (absent: public); the
``sd.public.comment`` property ``{"internal": true}`` or a ``visibility`` restriction makes
it internal too, see https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/.
Authors: the bridge's account is ``bridge``; the reporter, a request participant, a member of
one of the request's organizations or a portal customer (``accountType`` ``customer``) is
``customer``; an ``app`` account is ``system``; anyone else is ``agent``. (That an Atlassian
account on the request is a customer is the research's reading of JSM, not a documented rule.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sla_bridge.platformkit import neutral_priority, prefixed_value
from sla_bridge.tickets import AuthorRole, Comment, Status, Ticket, TicketRef

from .settings import PLATFORM, JiraSettings, Source

# The comment property the bridge writes its idempotency key in ({"key": "<key>"}), and the
# issue property it records its own state in ({"vendor_severity", "priority", "follow_up_of"}).
BRIDGE_PROPERTY = "sla-bridge"
# JSM's own property: {"internal": true} is an internal comment.
PUBLIC_PROPERTY = "sd.public.comment"
# Custom field types JSM creates (GET /rest/api/2/field: schema.custom).
REQUEST_TYPE_FIELD = "com.atlassian.servicedesk:vp-origin"
ORGANIZATIONS_FIELD = "com.atlassian.servicedesk:sd-customer-organizations"
PARTICIPANTS_FIELD = "com.atlassian.servicedesk:sd-request-participants"
# Neutral attributes of Ticket that the field mapping fills; other mapped names go to fields.
TICKET_ATTRIBUTES = ("plan", "location", "customer_severity", "vendor_severity", "product",
                     "version", "group")


def parse_time(value: Any) -> datetime:
    """A Jira time (``2024-06-01T09:00:00.000+0000``) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class JiraField:
    """A custom field as ``GET /rest/api/2/field`` lists it."""

    id: str
    name: str
    type: str = ""  # schema.type: string, option, array, user, datetime, date, number
    items: str = ""  # schema.items for arrays
    custom: str = ""  # schema.custom


@dataclass
class Context:
    """Everything besides the issue and its comments that the mapping reads."""

    settings: JiraSettings
    bridge_account_id: str | None
    field_named: Callable[[str], JiraField | None]  # by id or name
    field_of_type: Callable[[str], JiraField | None]  # by schema.custom
    organization: Mapping[str, Any] = field(default_factory=dict)  # its properties
    registered_admins: tuple[str, ...] | None = None
    approvals: Sequence[Mapping[str, Any]] = ()
    # The customers of the request's organizations (an Atlassian account can be one).
    organization_members: frozenset[str] = frozenset()


def plain(value: Any) -> Any:
    """A field value as text or a number: an option's ``value``, a user's ``accountId``, a
    named object's ``name``; the first of a list."""
    if isinstance(value, list):
        return plain(value[0]) if value else None
    if isinstance(value, dict):
        for key in ("value", "accountId", "name", "key", "id"):
            if value.get(key) not in (None, ""):
                return value[key]
        return None
    return value


def field_output(target: JiraField, value: Any) -> Any:
    """A field's value as the bridge wrote it: plain, a date-time in ISO 8601 (UTC)."""
    value = plain(value)
    if target.type == "datetime" and isinstance(value, str) and value:
        try:
            return parse_time(value).astimezone(UTC).isoformat()
        except ValueError:
            return value
    return value


def same_instant(one: Any, other: Any) -> bool:
    """Whether two ISO 8601 texts name the same instant (in whatever zones)."""
    try:
        return bool(one) and bool(other) and parse_time(one) == parse_time(other)
    except ValueError:
        return False


def neutral_status(status: Mapping[str, Any] | None, settings: JiraSettings) -> Status:
    """The neutral status of a workflow status: by name, else by category."""
    status = status or {}
    name = str(status.get("name") or "").strip().lower()
    if name in settings.statuses:
        return settings.statuses[name]
    category = status.get("statusCategory") or {}
    key = str(category.get("key") or "").strip().lower() if isinstance(category, dict) else ""
    return settings.categories.get(key, Status.OPEN)


@dataclass
class History:
    """What the changelog tells beyond the issue's current state."""

    created_priority: str | None = None
    vendor_severity: str | None = None
    first_assignee: str | None = None
    follow_up_of: str | None = None
    # Date-times as the bridge wrote them (Jira gives them back in UTC).
    written: dict[str, str] = field(default_factory=dict)


def read_history(issue: Mapping[str, Any]) -> History:
    """The priority the request was raised with, the vendor's severity (its latest change,
    or what the bridge recorded setting while the priority is still that), the first
    assignee, and the request a follow-up was opened for (the bridge's issue property)."""
    history = History()
    fields = issue.get("fields") or {}
    changelog = issue.get("changelog") or {}
    # Oldest first, whatever order the site sends (getIssue's changelog starts "from the
    # most recent"); entries of one instant by their increasing ids.
    entries = sorted(changelog.get("histories") or [], key=_history_order)
    for entry in entries:
        for item in entry.get("items") or []:
            name = item.get("fieldId") or item.get("field")
            if name == "priority":
                if history.created_priority is None:
                    history.created_priority = item.get("fromString")
                history.vendor_severity = item.get("toString")
            elif name == "assignee" and history.first_assignee is None:
                history.first_assignee = item.get("from") or item.get("to")
    if history.created_priority is None:
        history.created_priority = plain(fields.get("priority"))
    if history.first_assignee is None:
        history.first_assignee = plain(fields.get("assignee"))
    recorded = (issue.get("properties") or {}).get(BRIDGE_PROPERTY)
    if isinstance(recorded, dict):
        current = plain(fields.get("priority"))
        if recorded.get("vendor_severity") and recorded.get("priority") == current:
            history.vendor_severity = str(recorded["vendor_severity"])
        elif recorded.get("raised") and recorded.get("raised") == current:
            before = recorded.get("severity_before")  # the bridge raised it on a breach
            history.vendor_severity = str(before) if before else None
        if recorded.get("follow_up_of"):
            history.follow_up_of = str(recorded["follow_up_of"])
        if isinstance(recorded.get("written"), dict):
            history.written = {str(k): str(v) for k, v in recorded["written"].items()}
    return history


def _history_order(entry: Mapping[str, Any]) -> tuple[datetime, int]:
    when = (parse_time(entry["created"]) if entry.get("created")
            else datetime.min.replace(tzinfo=UTC))
    number = str(entry.get("id") or "")
    return when, int(number) if number.isdecimal() else 0


def comment_is_public(comment: Mapping[str, Any]) -> bool:
    """Whether the customer sees the comment."""
    if comment.get("visibility"):
        return False
    for prop in comment.get("properties") or []:
        value = prop.get("value") if isinstance(prop, dict) else None
        if (prop.get("key") == PUBLIC_PROPERTY and isinstance(value, dict)
                and value.get("internal") is True):
            return False
    return comment.get("jsdPublic", True) is not False


def bridge_key(comment: Mapping[str, Any]) -> str | None:
    """The bridge's idempotency key stored on the comment, if it wrote it."""
    for prop in comment.get("properties") or []:
        value = prop.get("value") if isinstance(prop, dict) else None
        if prop.get("key") == BRIDGE_PROPERTY and isinstance(value, dict) and value.get("key"):
            return str(value["key"])
    return None


def author_role(user: Any, customers: set[str], ctx: Context) -> AuthorRole:
    """Who wrote a comment, as the engine tells them apart."""
    if not isinstance(user, dict) or not user.get("accountId"):
        return "system"
    account = str(user["accountId"])
    if ctx.bridge_account_id is not None and account == ctx.bridge_account_id:
        return "bridge"
    if account in customers or user.get("accountType") == "customer":
        return "customer"
    if user.get("accountType") == "app":
        return "system"
    return "agent"


class Reader:
    """Reads neutral attributes from one issue through the field mapping."""

    def __init__(self, issue: Mapping[str, Any], history: History, ctx: Context) -> None:
        self.fields: Mapping[str, Any] = issue.get("fields") or {}
        self.history = history
        self.ctx = ctx

    def value(self, name: str) -> Any:
        """The first value the sources of ``name`` give."""
        return self.ctx.settings.fields.first_value(name, lambda s: self._one(s, name))

    def _one(self, source: Source, name: str) -> Any:
        if source.kind == "priority":
            current = plain(self.fields.get("priority"))
            if name == "customer_severity":
                return self.history.created_priority or current
            if name == "vendor_severity":
                return self.history.vendor_severity
            return current
        if source.kind == "field":
            found = self.ctx.field_named(source.arg)
            if found is None:
                return None
            value = field_output(found, self.fields.get(found.id))
            written = self.history.written.get(name)
            return written if written is not None and same_instant(written, value) else value
        if source.kind == "org":
            return plain(self.ctx.organization.get(source.arg))
        if source.kind == "label":
            return prefixed_value(self.fields.get("labels") or [], source.arg)
        return None


def approval_decision(approvals: Sequence[Mapping[str, Any]]) -> str | None:
    """``approved`` or ``declined`` when the latest approval is decided; ``None`` while it is
    pending or there is none (a new approval makes an earlier decision stale)."""
    if not approvals:
        return None
    latest = max(approvals, key=lambda a: _epoch(a.get("createdDate")))
    decision = str(latest.get("finalDecision") or "").lower()
    return decision if decision in ("approved", "declined") else None


def _epoch(date: Any) -> float:
    if isinstance(date, dict):
        if isinstance(date.get("epochMillis"), int | float):
            return float(date["epochMillis"])
        date = date.get("iso8601")
    try:
        return parse_time(date).timestamp() if date else 0.0
    except ValueError:
        return 0.0


def to_ticket(issue: Mapping[str, Any], comments: Sequence[Mapping[str, Any]],
              ctx: Context) -> Ticket:
    """The neutral ticket for a JSM request and its comments."""
    settings = ctx.settings
    raw = issue.get("fields") or {}
    history = read_history(issue)
    reader = Reader(issue, history, ctx)
    reporter: dict[str, Any] = raw["reporter"] if isinstance(raw.get("reporter"), dict) else {}
    participants = _custom(raw, ctx, PARTICIPANTS_FIELD) or []
    customers = {str(u["accountId"]) for u in [reporter, *participants]
                 if isinstance(u, dict) and u.get("accountId")} | ctx.organization_members
    organizations = _custom(raw, ctx, ORGANIZATIONS_FIELD) or []
    request_type = _custom(raw, ctx, REQUEST_TYPE_FIELD) or {}
    type_name = ((request_type.get("requestType") or {}).get("name")
                 if isinstance(request_type, dict) else None)
    attributes = {name: _text(reader.value(name)) for name in TICKET_ATTRIBUTES}
    fields: dict[str, Any] = {name: reader.value(name) for name in settings.fields.all()
                              if name not in TICKET_ATTRIBUTES}
    fields["priority"] = neutral_priority(plain(raw.get("priority")), settings.priority_for)
    if type_name and fields.get("request_type") is None:
        fields["request_type"] = str(type_name)
    if settings.approval_status:
        decided = approval_decision(ctx.approvals)
        fields["escalation_decision"] = fields.get("escalation_decision") or decided
    first_org = organizations[0] if organizations and isinstance(organizations[0], dict) else {}
    channel = None
    if type_name:
        channel = settings.channel_map.get(str(type_name).lower(), str(type_name).lower())
    neutral_comments = tuple(
        Comment(id=str(c["id"]), author_role=author_role(c.get("author"), customers, ctx),
                public=comment_is_public(c), body=str(c.get("body") or ""),
                created_at=parse_time(c["created"]),
                author_id=_text(plain(c.get("author"))),
                bridge_key=bridge_key(c))
        for c in sorted(comments, key=lambda c: parse_time(c["created"])))
    return Ticket(
        ref=TicketRef(platform=PLATFORM, ticket_id=str(issue["key"])),
        status=neutral_status(raw.get("status"), settings),
        subject=str(raw.get("summary") or ""),
        description=str(raw.get("description") or ""),
        created_at=parse_time(raw["created"]),
        updated_at=parse_time(raw.get("updated") or raw["created"]),
        requester_id=_text(reporter.get("accountId")),
        organization_id=_text(first_org.get("id")),
        channel=channel,
        form=_text(type_name),
        assignee_id=_text(plain(raw.get("assignee"))),
        original_assignee_id=_text(history.first_assignee),
        tags=frozenset(str(t) for t in raw.get("labels") or []),
        fields=fields,
        comments=neutral_comments,
        follow_up_of=history.follow_up_of,
        registered_admins=ctx.registered_admins,
        **attributes,
    )


def _custom(raw: Mapping[str, Any], ctx: Context, custom_type: str) -> Any:
    found = ctx.field_of_type(custom_type)
    return raw.get(found.id) if found is not None else None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
