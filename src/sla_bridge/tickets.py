"""The platform-neutral ticket: what plugins translate to and from, and all the engine sees."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Status(StrEnum):
    """Ticket status in the neutral set every platform maps onto."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    HOLD = "hold"
    SOLVED = "solved"
    CLOSED = "closed"


AuthorRole = Literal["customer", "agent", "bridge", "system"]


class Comment(BaseModel):
    """One comment on a ticket, public (the customer sees it) or internal."""

    model_config = ConfigDict(frozen=True)

    id: str
    author_role: AuthorRole
    public: bool
    body: str
    created_at: datetime
    author_id: str | None = None
    # The idempotency key of the bridge action that wrote this comment, as the platform
    # plugin reads it back; lets the bridge see that a comment it meant to post is there.
    bridge_key: str | None = None
    attachments: tuple[str, ...] = ()  # file names


def storable_text(value: str) -> str:
    """``value`` if every database the bridge runs on can store it; else a ValueError."""
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate (not valid Unicode text)") from None
    return value


# Text every database the bridge runs on can store: no NUL, valid Unicode.
StorableText = Annotated[str, AfterValidator(storable_text)]


class TicketRef(BaseModel):
    """Which ticket on which platform: the key of everything the bridge stores."""

    model_config = ConfigDict(frozen=True)

    platform: str = Field(min_length=1, max_length=40)
    # Every store keeps 200 characters (and no NUL or lone surrogate): refused beyond.
    ticket_id: StorableText = Field(min_length=1, max_length=200)

    def __str__(self) -> str:
        return f"{self.platform}:{self.ticket_id}"


class Ticket(BaseModel):
    """A ticket as the bridge reasons about it, whatever helpdesk it lives in."""

    model_config = ConfigDict(frozen=True)

    ref: TicketRef
    # What people call the ticket where it is not its id (a Salesforce CaseNumber).
    number: str | None = None
    status: Status
    subject: str = ""
    description: str = ""
    created_at: datetime
    updated_at: datetime
    requester_id: str | None = None
    organization_id: str | None = None
    plan: str | None = None
    location: str | None = None
    channel: str | None = None
    customer_severity: str | None = None
    vendor_severity: str | None = None
    product: str | None = None
    version: str | None = None
    brand: str | None = None
    form: str | None = None
    group: str | None = None
    assignee_id: str | None = None
    original_assignee_id: str | None = None
    tags: frozenset[str] = frozenset()
    # Neutral field names: see docs/workflows.md (e.g. escalation_reason,
    # escalation_severity, escalation_contact, escalation_decision, request_type, priority).
    fields: dict[str, Any] = Field(default_factory=dict)
    comments: tuple[Comment, ...] = ()
    follow_up_of: str | None = None
    # The organization's registered admins, in registration order; None when the platform
    # does not know (the entitlement check is then skipped, with a note in the audit trail).
    registered_admins: tuple[str, ...] | None = None

    @property
    def display_id(self) -> str:
        """How the bridge's texts name the ticket: its number, else its id."""
        return self.number or self.ref.ticket_id

    @property
    def severity(self) -> str | None:
        """The severity in force: the vendor's where set, else the customer's."""
        return self.vendor_severity or self.customer_severity
