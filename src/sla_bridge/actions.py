"""What the bridge writes to a ticket: small, serialisable actions with idempotency keys.

The engine produces actions; the reconciler drops those the ticket already reflects,
applies the rest through the ticket's platform plugin and records each in the action
ledger under its idempotency key, so a retry or a replay never writes twice.

Each action type knows its own neutral meaning: what part of it a ticket does not show
yet (:meth:`pending_on`), what the ticket looks like after it (:meth:`applied_to`), how it
reads in the audit trail (:meth:`describe`), and whether it happens once (``one_off``)
rather than holding as state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from sla_bridge.neutral import APPROVAL_REQUESTED_TAG, TOP_LEVEL_FIELDS
from sla_bridge.tickets import Comment, Status, Ticket, TicketRef

__all__ = ["ACTION_ADAPTER", "APPROVAL_REQUESTED_TAG", "TOP_LEVEL_FIELDS", "Action", "AddComment",
           "Assign", "ChangeTags", "CreateFollowUp", "RequestApproval", "SetFields", "SetStatus",
           "action_from_json", "action_to_json", "field_value"]


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # A one-off action happens at most once per idempotency key (a comment); the others
    # are state the ticket should show, written again if it drifts.
    one_off: ClassVar[bool] = False
    # Whether the action writes to its own ticket (a follow-up is a new ticket instead).
    writes_to_ticket: ClassVar[bool] = True

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

    def pending_on(self, ticket: Ticket) -> Action | None:
        """The part of this action ``ticket`` does not show yet, or ``None``."""
        return self  # type: ignore[return-value]  # every concrete action is an Action

    def applied_to(self, ticket: Ticket, now: datetime) -> Ticket:
        """``ticket`` as it looks after this action: the action's neutral meaning, used by
        simulations and test platforms (real plugins translate actions to their API)."""
        return ticket.model_copy(update={"updated_at": now, **self._changes(ticket, now)})

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        raise NotImplementedError

    def describe(self) -> str:
        """What the action writes, in a few words for the audit trail."""
        raise NotImplementedError

    @property
    def tells_customer(self) -> bool:
        """Whether the customer reads this write (a public reply): in a reconcile's writes it
        announces the others, so it is sent only with them."""
        return False


def _note(ticket: Ticket, action: _Action, body: str, public: bool, now: datetime) -> Comment:
    return Comment(id=f"c{len(ticket.comments) + 1}", author_role="bridge", public=public,
                   body=body, created_at=now, bridge_key=action.idempotency_key)


class AddComment(_Action):
    """Post a public (customer-visible) or internal comment."""

    one_off: ClassVar[bool] = True
    kind: Literal["add_comment"] = "add_comment"
    body: str = Field(min_length=1)
    public: bool = False

    def pending_on(self, ticket: Ticket) -> Action | None:
        """``None`` once the ticket carries a comment with this action's key."""
        posted = any(c.bridge_key == self.idempotency_key for c in ticket.comments)
        return None if posted else self

    @property
    def tells_customer(self) -> bool:
        """A public reply does."""
        return self.public

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {"comments": (*ticket.comments, _note(ticket, self, self.body, self.public, now))}

    def describe(self) -> str:
        """The comment's visibility and its first words."""
        body = " ".join(self.body.split())
        short = body if len(body) <= 90 else body[:87] + "..."
        return f"{'public reply' if self.public else 'internal note'}: {short}"


class SetFields(_Action):
    """Set neutral fields (e.g. ``vendor_severity``, ``sla_first_response_due``)."""

    kind: Literal["set_fields"] = "set_fields"
    fields: dict[str, Any]

    def pending_on(self, ticket: Ticket) -> Action | None:
        """Only the fields whose value differs on the ticket."""
        missing = {k: v for k, v in self.fields.items() if field_value(ticket, k) != v}
        return self.model_copy(update={"fields": missing}) if missing else None

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        update: dict[str, Any] = {k: v for k, v in self.fields.items() if k in TOP_LEVEL_FIELDS}
        update["fields"] = {**ticket.fields, **{k: v for k, v in self.fields.items()
                                                if k not in TOP_LEVEL_FIELDS}}
        return update

    def describe(self) -> str:
        """The fields and values."""
        return "fields " + ", ".join(f"{k} = {v}" for k, v in self.fields.items())


class ChangeTags(_Action):
    """Add and remove tags."""

    kind: Literal["change_tags"] = "change_tags"
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def pending_on(self, ticket: Ticket) -> Action | None:
        """Only the tags still to add or to remove."""
        add = tuple(t for t in self.add if t not in ticket.tags)
        remove = tuple(t for t in self.remove if t in ticket.tags)
        return self.model_copy(update={"add": add, "remove": remove}) if add or remove else None

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {"tags": (ticket.tags | set(self.add)) - set(self.remove)}

    def describe(self) -> str:
        """The tags, ``+added`` and ``-removed``."""
        return "tags " + " ".join([*(f"+{t}" for t in self.add), *(f"-{t}" for t in self.remove)])


class SetStatus(_Action):
    """Move the ticket to another status."""

    kind: Literal["set_status"] = "set_status"
    status: Status

    def pending_on(self, ticket: Ticket) -> Action | None:
        """``None`` when the ticket has the status already."""
        return None if ticket.status == self.status else self

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {"status": self.status}

    def describe(self) -> str:
        """The new status."""
        return f"status {self.status}"


class Assign(_Action):
    """Assign the ticket to a group and/or an agent."""

    kind: Literal["assign"] = "assign"
    group: str | None = None
    assignee_id: str | None = None

    def pending_on(self, ticket: Ticket) -> Action | None:
        """``None`` when the ticket has that group and agent already."""
        same_group = self.group is None or self.group == ticket.group
        same_agent = self.assignee_id is None or self.assignee_id == ticket.assignee_id
        return None if same_group and same_agent else self

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        update: dict[str, Any] = {}
        if self.group is not None:
            update["group"] = self.group
        if self.assignee_id is not None:
            update["assignee_id"] = self.assignee_id
        return update

    def describe(self) -> str:
        """The group and agent."""
        return "assigned to " + " / ".join(x for x in (self.group, self.assignee_id) if x)


class CreateFollowUp(_Action):
    """Open a follow-up ticket linked to ``ref`` (a reply to a closed ticket)."""

    one_off: ClassVar[bool] = True
    writes_to_ticket: ClassVar[bool] = False
    kind: Literal["create_follow_up"] = "create_follow_up"
    subject: str
    body: str
    carry: dict[str, Any] = Field(default_factory=dict)

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {}  # the follow-up is another ticket; this one is unchanged

    def describe(self) -> str:
        """The follow-up's subject."""
        return f"follow-up ticket: {self.subject}"


class RequestApproval(_Action):
    """Ask a group (the support managers) to approve or decline, e.g. an escalation.

    Platforms with an approvals API (Jira Service Management) create an approval;
    the others tag the ticket and post :attr:`note` as an internal note. ``summary`` says
    what to decide, ``how_to_decide`` how to answer without an approvals API (the tags); a
    platform with its own way says its own words instead.
    """

    one_off: ClassVar[bool] = True
    kind: Literal["request_approval"] = "request_approval"
    group: str
    summary: str
    how_to_decide: str = ""

    @property
    def note(self) -> str:
        """The internal note that asks the group for a decision, where a platform has no
        approvals API."""
        return " ".join(part for part in (f"[{self.group}]", self.summary, self.how_to_decide)
                        if part)

    def _changes(self, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {"comments": (*ticket.comments, _note(ticket, self, self.note, False, now)),
                "tags": ticket.tags | {APPROVAL_REQUESTED_TAG}}

    def describe(self) -> str:
        """Whose approval is asked."""
        return f"approval requested from {self.group}"


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


def field_value(ticket: Ticket, name: str) -> Any:
    """A neutral field's value on ``ticket``: an attribute or an entry of ``fields``."""
    if name in TOP_LEVEL_FIELDS:
        return getattr(ticket, name)
    return ticket.fields.get(name)
