"""What the bridge writes to a ticket: small, serialisable actions with idempotency keys.

The engine produces actions; the reconciler drops those the ticket already reflects,
applies the rest through the ticket's platform plugin and records each in the action
ledger under its idempotency key, so a retry or a replay never writes twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from sla_bridge.tickets import Comment, Status, Ticket, TicketRef


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: TicketRef
    # Distinguishes this action among the ticket's actions of the same kind, e.g.
    # "first_response:warning" or "escalation:approved:2"; see idempotency_key.
    key: str = Field(min_length=1)
    reason: str = ""

    @property
    def idempotency_key(self) -> str:
        """The ledger key: the same decision about the same ticket always has the same key."""
        kind: str = getattr(self, "kind")  # noqa: B009 - defined on every subclass
        return f"{self.ref.platform}:{self.ref.ticket_id}:{kind}:{self.key}"


class AddComment(_Action):
    """Post a public (customer-visible) or internal comment."""

    kind: Literal["add_comment"] = "add_comment"
    body: str = Field(min_length=1)
    public: bool = False


class SetFields(_Action):
    """Set neutral fields (e.g. ``vendor_severity``, ``sla_first_response_due``)."""

    kind: Literal["set_fields"] = "set_fields"
    fields: dict[str, Any]


class ChangeTags(_Action):
    """Add and remove tags."""

    kind: Literal["change_tags"] = "change_tags"
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


class SetStatus(_Action):
    """Move the ticket to another status."""

    kind: Literal["set_status"] = "set_status"
    status: Status


class Assign(_Action):
    """Assign the ticket to a group and/or an agent."""

    kind: Literal["assign"] = "assign"
    group: str | None = None
    assignee_id: str | None = None


class CreateFollowUp(_Action):
    """Open a follow-up ticket linked to ``ref`` (a reply to a closed ticket)."""

    kind: Literal["create_follow_up"] = "create_follow_up"
    subject: str
    body: str
    carry: dict[str, Any] = Field(default_factory=dict)


class RequestApproval(_Action):
    """Ask a group (the support managers) to approve or decline, e.g. an escalation.

    Platforms with an approvals API (Jira Service Management) create an approval;
    the others tag the ticket and post ``summary`` as an internal note.
    """

    kind: Literal["request_approval"] = "request_approval"
    group: str
    summary: str


Action = Annotated[
    AddComment | SetFields | ChangeTags | SetStatus | Assign | CreateFollowUp | RequestApproval,
    Field(discriminator="kind"),
]
ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)


def action_from_json(data: str | bytes) -> Action:
    """Rebuild an action stored in the ledger or a dead letter."""
    return ACTION_ADAPTER.validate_json(data)


def action_to_json(action: Action) -> str:
    """Serialise an action for the ledger or a dead letter."""
    return ACTION_ADAPTER.dump_json(action).decode()


APPROVAL_REQUESTED_TAG = "sla_approval_requested"


def apply_to(ticket: Ticket, action: Action, now: datetime) -> Ticket:
    """Return ``ticket`` as it looks after ``action``: the neutral meaning of every action.

    Used by simulations and test platforms; real platform plugins translate actions to
    their API instead.
    """
    update: dict[str, Any] = {"updated_at": now}
    if isinstance(action, AddComment):
        comment = Comment(id=f"c{len(ticket.comments) + 1}", author_role="bridge",
                          public=action.public, body=action.body, created_at=now,
                          bridge_key=action.idempotency_key)
        update["comments"] = (*ticket.comments, comment)
    elif isinstance(action, SetFields):
        neutral = {k: v for k, v in action.fields.items() if k in TOP_LEVEL_FIELDS}
        update.update(neutral)
        update["fields"] = {**ticket.fields, **{k: v for k, v in action.fields.items()
                                                if k not in TOP_LEVEL_FIELDS}}
    elif isinstance(action, ChangeTags):
        update["tags"] = (ticket.tags | set(action.add)) - set(action.remove)
    elif isinstance(action, SetStatus):
        update["status"] = action.status
    elif isinstance(action, Assign):
        if action.group is not None:
            update["group"] = action.group
        if action.assignee_id is not None:
            update["assignee_id"] = action.assignee_id
    elif isinstance(action, RequestApproval):
        note = Comment(id=f"c{len(ticket.comments) + 1}", author_role="bridge", public=False,
                       body=action.summary, created_at=now, bridge_key=action.idempotency_key)
        update["comments"] = (*ticket.comments, note)
        update["tags"] = ticket.tags | {APPROVAL_REQUESTED_TAG}
    return ticket.model_copy(update=update)


# Neutral fields that are attributes of the ticket rather than entries of ``fields``.
TOP_LEVEL_FIELDS = frozenset({"vendor_severity", "customer_severity", "plan", "location",
                               "product", "version", "channel", "group"})
