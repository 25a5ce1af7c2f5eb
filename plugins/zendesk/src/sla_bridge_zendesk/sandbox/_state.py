"""The sandbox's tickets, with Zendesk's rules (the rest of the account is :mod:`._account`).

Everything is in memory behind one lock. Every ticket change is recorded as an audit with
``Create``/``Change``/``Comment`` events (as the Ticket Audits API shows them) and reported
to the listeners (the webhook engine), the way a Zendesk account runs its triggers.

Rules emulated:

* statuses new, open, pending, hold, solved, closed; a closed ticket accepts no update
  (422 ``Status: closed prevents ticket update``), tags included;
* a ticket is solved before it is closed: the API may move solved -> closed, and the
  account's own "close solved tickets" automation (:meth:`SandboxState.close_solved`)
  does it as the system; nothing moves a ticket back to new;
* an agent assigning a new ticket opens it; the requester replying to a pending, on-hold
  or solved ticket re-opens it; replying to a closed ticket (by e-mail) opens a follow-up,
  which copies the closed ticket's tags and custom field values, not its priority;
* ``via_followup_source_id`` links a new ticket to a closed one (it has no effect on a
  ticket that is not closed); the source lists it in ``followup_ids``;
* ``safe_update`` with an outdated ``updated_stamp`` is refused with 409;
* validation errors (priority, type, status, group, assignee, blank comment) answer 422
  ``RecordInvalid`` with per-field details;
* the assignee must be a member of the ticket's group (422 ``Assignee: is not a member of the
  group``), and a ticket cannot be solved without an assignee (422 on ``assignee``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._account import AGENT_ROLES, SYSTEM_USER, Account, Clock, iso, parse_iso
from ._errors import (
    closed_ticket,
    not_found,
    record_invalid,
    required_when_solving,
    update_conflict,
)

if TYPE_CHECKING:
    from ._ends import DeletedTicket

__all__ = ["AGENT_ROLES", "PRIORITIES", "STATUSES", "SYSTEM_USER", "TYPES", "Change", "Clock",
           "SandboxState", "TicketRecord", "iso", "parse_iso"]

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
# The ticket properties whose setting and changes the audits record (custom fields too, by
# id): every one the sandbox keeps that an update can set, whoever sets it, so that a ticket
# brought up to date from its audits is the ticket (sla_bridge_zendesk.audit_fold).
AUDITED = ("subject", "status", "priority", "type", "requester_id", "assignee_id",
           "group_id", "organization_id", "tags", "brand_id", "ticket_form_id", "external_id",
           "due_at")
PRIORITIES = ("urgent", "high", "normal", "low")
TYPES = ("problem", "incident", "question", "task")

@dataclass
class Change:
    """What one create or update did: the webhook engine's input."""

    kind: str  # create | update
    ticket: dict[str, Any]
    before: dict[str, Any] | None
    audit: dict[str, Any]
    actor: dict[str, Any]
    comment: dict[str, Any] | None = None


@dataclass
class TicketRecord:
    """A ticket and its history."""

    data: dict[str, Any]
    audits: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


class SandboxState(Account):
    """The account's tickets and their rules, on top of the rest of the account."""

    def __init__(self, clock: Clock, account_id: int = 9000001) -> None:
        super().__init__(clock, account_id)
        self.tickets: dict[int, TicketRecord] = {}
        # Soft-deleted tickets (see ._ends): 404 to the API, listed in /deleted_tickets.
        self.deleted: dict[int, DeletedTicket] = {}
        self.listeners: list[Callable[[Change], None]] = []
        # A fault (Sandbox.omit_create_events): properties a new ticket's audit leaves out.
        self.omitted_create_events: frozenset[str] = frozenset()

    def _notify(self, change: Change) -> None:
        for listener in list(self.listeners):
            listener(change)

    # -- tickets -----------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """One ticket as the API shows it (without ``url``), or 404."""
        with self.lock:
            return self._render(self._record(ticket_id).data)

    def record(self, ticket_id: int) -> TicketRecord:
        """A copy of the ticket with its audits and comments."""
        with self.lock:
            return copy.deepcopy(self._record(ticket_id))

    def _record(self, ticket_id: int) -> TicketRecord:
        record = self.tickets.get(ticket_id)
        if record is None:
            raise not_found()
        return record

    def _render(self, data: dict[str, Any]) -> dict[str, Any]:
        ticket = copy.deepcopy(data)
        values = ticket.pop("_custom")
        ticket["custom_fields"] = [{"id": fid, "value": values.get(fid)}
                                   for fid, f in sorted(self.ticket_fields.items())
                                   if f["active"]]
        ticket["fields"] = copy.deepcopy(ticket["custom_fields"])
        return ticket

    def _check_user(self, user_id: Any, field_name: str, agent: bool = False) -> int:
        if not isinstance(user_id, int) or user_id not in self.users:
            raise record_invalid(field_name, f"{_label(field_name)}: is invalid")
        if agent and self.users[user_id]["role"] not in AGENT_ROLES:
            raise record_invalid(field_name, f"{_label(field_name)}: is not an agent")
        return user_id

    def _validate(self, ticket: dict[str, Any]) -> None:
        if ticket.get("priority") not in (None, *PRIORITIES):
            raise record_invalid("priority", f"Priority: {ticket['priority']} is not valid")
        if ticket.get("type") not in (None, *TYPES):
            raise record_invalid("type", f"Type: {ticket['type']} is not valid")
        if ticket.get("status") not in STATUSES:
            raise record_invalid("status", f"Status: {ticket.get('status')} is not valid")
        if ticket.get("group_id") is not None and ticket["group_id"] not in self.groups:
            raise record_invalid("group", "Group: is invalid")
        if ticket.get("assignee_id") is not None:
            self._check_user(ticket["assignee_id"], "assignee_id", agent=True)
            if ticket.get("group_id") is not None and not self.is_member(
                    int(ticket["assignee_id"]), int(ticket["group_id"])):
                raise record_invalid("assignee", "Assignee: is not a member of the group")
        if ticket.get("status") == "solved" and ticket.get("assignee_id") is None:
            raise record_invalid("assignee", "Assignee: is required when solving a ticket")

    def _check_required_on_solve(self, ticket: dict[str, Any]) -> None:
        """A ticket field's ``required``: "If true, agents must enter a value in the field to
        change the ticket status to solved" (Ticket Fields API,
        https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/); the
        422's wording is [inferred]."""
        empty = [field for fid, field in sorted(self.ticket_fields.items())
                 if field["active"] and field.get("required")
                 and ticket["_custom"].get(fid) in (None, "", [])]
        if empty:
            raise required_when_solving(empty)

    def create_ticket(self, payload: dict[str, Any], actor: dict[str, Any],
                      channel: str = "api") -> tuple[dict[str, Any], dict[str, Any]]:
        """POST /tickets: returns (ticket, audit)."""
        with self.lock:
            comment_in = payload.get("comment")
            if not isinstance(comment_in, dict) or not str(
                    comment_in.get("body") or comment_in.get("html_body") or "").strip():
                raise record_invalid("description", "Description: cannot be blank",
                                     "BlankValue")
            requester_id = payload.get("requester_id")
            if requester_id is None and isinstance(payload.get("requester"), dict):
                requester_id = self._find_or_create_requester(payload["requester"])
            requester_id = self._check_user(requester_id if requester_id is not None
                                            else actor["id"], "requester_id")
            submitter_id = payload.get("submitter_id")
            submitter_id = self._check_user(submitter_id, "submitter_id") if (
                submitter_id is not None) else actor["id"]
            ticket_id = self.next_id("ticket")
            now = self.now()
            requester = self.users[requester_id]
            via: dict[str, Any] = {"channel": channel, "source": {"from": {}, "to": {},
                                                                   "rel": None}}
            source_id = payload.get("via_followup_source_id")
            source: TicketRecord | None = None
            if source_id is not None:
                source = self.tickets.get(int(source_id))
                if source is not None and source.data["status"] == "closed":
                    via["source"] = {"rel": "follow_up", "to": {}, "from": {
                        "ticket_id": source.data["id"], "subject": source.data["subject"],
                        "channel": source.data["via"]["channel"]}}
                else:
                    source = None  # "It has no effect with other tickets."
            data: dict[str, Any] = {
                "id": ticket_id, "external_id": payload.get("external_id"), "via": via,
                "created_at": now, "updated_at": now, "generated_timestamp": 0,
                "type": payload.get("type"), "subject": str(payload.get("subject") or ""),
                "raw_subject": str(payload.get("subject") or ""), "description": "",
                "priority": payload.get("priority"),
                "status": payload.get("status") or ("open" if payload.get("assignee_id")
                                                    else "new"),
                "recipient": None, "requester_id": requester_id,
                "submitter_id": submitter_id, "assignee_id": payload.get("assignee_id"),
                "organization_id": payload.get("organization_id",
                                               requester.get("organization_id")),
                "group_id": payload.get("group_id"), "collaborator_ids": [],
                "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None,
                "problem_id": None, "has_incidents": False, "is_public": True,
                "due_at": payload.get("due_at"), "tags": _tags(payload.get("tags") or []),
                "satisfaction_rating": None, "sharing_agreement_ids": [], "followup_ids": [],
                "ticket_form_id": payload.get("ticket_form_id"),
                "brand_id": payload.get("brand_id"), "allow_channelback": False,
                "allow_attachments": True, "from_messaging_channel": False,
                "custom_status_id": None, "_custom": {},
            }
            if data["status"] == "closed":
                raise record_invalid("status", "Status: a new ticket cannot be closed")
            self._validate(data)
            self._set_custom(data, payload.get("custom_fields") or payload.get("fields") or [])
            author_id = comment_in.get("author_id", submitter_id)
            self._check_user(author_id, "comment.author_id")
            body = str(comment_in.get("body") or comment_in.get("html_body") or "")
            data["description"] = body
            record = TicketRecord(data=data)
            self.tickets[ticket_id] = record
            # "A separate event is created for each property set" (Ticket Audit events
            # reference): a Create event for every property with a value, none for the rest.
            events = [{"type": "Create", "field_name": name, "value": data[name]}
                      for name in AUDITED if data[name] not in (None, "", [])]
            events += [{"type": "Create", "field_name": str(fid), "value": value}
                       for fid, value in sorted(data["_custom"].items())
                       if value not in (None, "", [])]
            events = [e for e in events if e["field_name"] not in self.omitted_create_events]
            comment = self._comment(record, author_id, body,
                                    bool(comment_in.get("public", True)), channel)
            # The audit that creates the ticket has the ticket's via ([inferred]: a real
            # account's create-ticket response, kept in a public repository, shows it so).
            audit = self._audit(record, actor, events, comment, channel,
                                payload.get("metadata"), via=via)
            data["is_public"] = comment["public"]
            if source is not None:
                source.data["followup_ids"].append(ticket_id)
            change = Change("create", self._render(data), None, copy.deepcopy(audit),
                            copy.deepcopy(actor), copy.deepcopy(comment))
        self._notify(change)
        return change.ticket, change.audit

    def _find_or_create_requester(self, requester: dict[str, Any]) -> int:
        email = str(requester.get("email") or "").lower()
        for user in self.users.values():
            if email and user["email"] == email:
                return int(user["id"])
        if not email:
            raise record_invalid("requester", "Requester: Email is invalid")
        created = self.add_user(str(requester.get("name") or email), email)
        return int(created["id"])

    def _set_custom(self, data: dict[str, Any], values: Any) -> dict[str, tuple[Any, Any]]:
        changed: dict[str, tuple[Any, Any]] = {}
        if not isinstance(values, list):
            raise record_invalid("custom_fields", "Custom fields: must be a list")
        for item in values:
            if not isinstance(item, dict) or "id" not in item:
                raise record_invalid("custom_fields", "Custom fields: each needs an id")
            try:
                fid = int(item["id"])
            except (TypeError, ValueError):
                raise record_invalid("custom_fields", "Custom fields: id is invalid") from None
            if fid not in self.ticket_fields:
                continue  # Zendesk ignores values for fields that do not exist
            value = item.get("value")
            if value == "":
                value = None
            before = data["_custom"].get(fid)
            if before != value:
                changed[str(fid)] = (before, value)
                data["_custom"][fid] = value
        return changed

    def _comment(self, record: TicketRecord, author_id: int, body: str, public: bool,
                 channel: str) -> dict[str, Any]:
        comment = {
            "id": self.next_id("event"), "type": "Comment", "author_id": author_id,
            "body": body, "html_body": f"<div class=\"zd-comment\"><p>{_html(body)}</p></div>",
            "plain_body": body, "public": public, "attachments": [], "audit_id": None,
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": self.now(), "metadata": {"system": {"client": "sla-bridge sandbox"}},
        }
        record.comments.append(comment)
        return comment

    def _audit(self, record: TicketRecord, actor: dict[str, Any], events: list[dict[str, Any]],
               comment: dict[str, Any] | None, channel: str,
               metadata: Any, via: dict[str, Any] | None = None) -> dict[str, Any]:
        audit_id = self.next_id("audit")
        numbered = []
        if comment is not None:
            comment["audit_id"] = audit_id
            numbered.append({k: comment[k] for k in (
                "id", "type", "author_id", "body", "html_body", "plain_body", "public",
                "attachments", "audit_id")})
        for event in events:
            numbered.append({"id": self.next_id("event"), **event,
                             **{k: _audit_value(event[k]) for k in ("value", "previous_value")
                                if k in event}})
        custom = dict(metadata) if isinstance(metadata, dict) else {}
        audit = {
            "id": audit_id, "ticket_id": record.data["id"], "created_at": self.now(),
            "author_id": actor["id"],
            "metadata": {"system": {"client": "sla-bridge sandbox", "ip_address": "127.0.0.1"},
                         "custom": custom},
            "via": copy.deepcopy(via) if via is not None else {
                "channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "events": numbered,
        }
        record.audits.append(audit)
        record.data["updated_at"] = audit["created_at"]
        record.data["generated_timestamp"] = int(self.clock().timestamp())
        return audit

    def update_ticket(self, ticket_id: int, payload: dict[str, Any], actor: dict[str, Any],
                      channel: str = "api", *,
                      by_merge: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
        """PUT /tickets/{id}: returns (ticket, audit). Nothing changed: no audit is kept.
        ``by_merge``: a merge closes the ticket whatever its status (see :mod:`._ends`)."""
        with self.lock:
            record = self._record(ticket_id)
            data = record.data
            if data["status"] == "closed":
                raise closed_ticket()
            if payload.get("safe_update") in (True, "true") and (
                    payload.get("updated_stamp") != data["updated_at"]):
                raise update_conflict()
            before = self._render(data)
            draft = copy.deepcopy(data)
            for name in ("subject", "priority", "type", "group_id", "assignee_id",
                         "external_id", "due_at", "organization_id"):
                if name in payload:
                    draft[name] = payload[name]
            if "subject" in payload:
                draft["raw_subject"] = payload["subject"]
            if "tags" in payload:
                draft["tags"] = _tags(payload["tags"] or [])
            if payload.get("additional_tags"):
                draft["tags"] = _tags([*draft["tags"], *payload["additional_tags"]])
            if payload.get("remove_tags"):
                gone = set(_tags(payload["remove_tags"]))
                draft["tags"] = [t for t in draft["tags"] if t not in gone]
            actor_is_agent = actor["role"] in AGENT_ROLES
            if "status" in payload:
                wanted = payload["status"]
                if wanted not in STATUSES:
                    raise record_invalid("status", f"Status: {wanted} is not valid")
                if wanted == "new" and data["status"] != "new":
                    raise record_invalid("status", "Status: new is not valid for a ticket "
                                         "that has been opened")
                if wanted == "closed" and data["status"] != "solved" and not by_merge:
                    raise record_invalid("status", "Status: closed is only valid for a "
                                         "solved ticket")
                draft["status"] = wanted
            elif draft["status"] == "new" and actor_is_agent and draft.get("assignee_id"):
                draft["status"] = "open"
            comment_in = payload.get("comment")
            body = ""
            if comment_in is not None:
                if not isinstance(comment_in, dict):
                    raise record_invalid("comment", "Comment: is invalid")
                body = str(comment_in.get("body") or comment_in.get("html_body") or "")
                if not body.strip():
                    raise record_invalid("comment", "Comment: body cannot be blank",
                                         "BlankValue")
                if (not actor_is_agent and "status" not in payload
                        and data["status"] in ("pending", "hold", "solved")):
                    draft["status"] = "open"
            self._validate(draft)
            custom_changes = self._set_custom(draft, payload.get("custom_fields")
                                              or payload.get("fields") or [])
            if draft["status"] == "solved" and data["status"] != "solved" and not by_merge:
                self._check_required_on_solve(draft)
            events: list[dict[str, Any]] = []
            for name in AUDITED:
                if draft[name] != data[name]:
                    events.append({"type": "Change", "field_name": name, "value": draft[name],
                                   "previous_value": data[name]})
            for fid, (old, new) in custom_changes.items():
                events.append({"type": "Change", "field_name": fid, "value": new,
                               "previous_value": old})
            if not events and comment_in is None:
                return before, {"id": None, "ticket_id": ticket_id, "events": [],
                                "author_id": actor["id"], "created_at": data["updated_at"],
                                "metadata": {"custom": {}, "system": {}}, "via": {
                                    "channel": channel}}
            record.data = draft
            comment = None
            if comment_in is not None:
                author_id = comment_in.get("author_id", actor["id"])
                self._check_user(author_id, "comment.author_id")
                comment = self._comment(record, author_id, body,
                                        bool(comment_in.get("public", True)), channel)
                draft["is_public"] = draft["is_public"] or comment["public"]
            audit = self._audit(record, actor, events, comment, channel,
                                payload.get("metadata"))
            change = Change("update", self._render(draft), before, copy.deepcopy(audit),
                            copy.deepcopy(actor), copy.deepcopy(comment))
        self._notify(change)
        return change.ticket, change.audit

    def change_tags(self, ticket_id: int, tags: list[str], mode: str,
                    actor: dict[str, Any]) -> list[str]:
        """The Tags API: ``add`` (PUT), ``set`` (POST) or ``remove`` (DELETE)."""
        key = {"add": "additional_tags", "set": "tags", "remove": "remove_tags"}[mode]
        ticket, _ = self.update_ticket(ticket_id, {key: tags}, actor)
        return list(ticket["tags"])

    def close_solved(self, older_than: timedelta = timedelta(0)) -> list[int]:
        """Zendesk's "close ticket N days after solved" automation, run now as the system."""
        closed = []
        with self.lock:
            limit = self.clock() - older_than
            due = [t for t, r in sorted(self.tickets.items())
                   if r.data["status"] == "solved"
                   and parse_iso(r.data["updated_at"]) <= limit]
        for ticket_id in due:
            self.update_ticket(ticket_id, {"status": "closed"}, self.system_user(),
                               channel="system")
            closed.append(ticket_id)
        return closed

    def reply_as_requester(self, ticket_id: int, body: str,
                           channel: str = "email") -> tuple[dict[str, Any], dict[str, Any]]:
        """The requester answers by e-mail; a closed ticket gets a follow-up instead, which
        copies the closed ticket's tags and custom field values (not its priority)."""
        with self.lock:
            data = self._record(ticket_id).data
            requester = copy.deepcopy(self.users[data["requester_id"]])
            closed = data["status"] == "closed"
            subject = data["subject"]
            tags = list(data["tags"])
            custom = [{"id": fid, "value": value} for fid, value in data["_custom"].items()
                      if value not in (None, "")]
        if closed:
            return self.create_ticket({
                "subject": subject if subject.lower().startswith("re:") else f"Re: {subject}",
                "comment": {"body": body, "public": True}, "requester_id": requester["id"],
                "via_followup_source_id": ticket_id, "tags": tags, "custom_fields": custom,
            }, requester, channel=channel)
        return self.update_ticket(ticket_id, {"comment": {"body": body, "public": True}},
                                  requester, channel=channel)


def _tags(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.split()
    tags = []
    for value in values:
        for tag in str(value).lower().split():
            if tag not in tags:
                tags.append(tag)
    return sorted(tags)


def _audit_value(value: Any) -> Any:
    """A value as an audit event shows it: "value and previous_value are normally strings.
    However, the attribute is an array when the value of field_name is tags" (Ticket Audit
    events reference); ids are strings, an empty value null. How a checkbox or a
    multi-select is written is not documented: ``"true"``/``"false"`` and a list here
    ([inferred])."""
    if value is None or isinstance(value, list | str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br>"))


def _label(field_name: str) -> str:
    return field_name.removesuffix("_id").replace("_", " ").capitalize()
