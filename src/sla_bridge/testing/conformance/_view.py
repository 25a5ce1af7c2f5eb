"""A ticket as the people on a helpdesk see it, in words every platform shares.

A driver reads its platform's ticket (from the sandbox, as an agent would see it) into a
:class:`TicketView`: the stories assert on views only, so they hold on every platform.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

# Who a view names for the bridge's own comments and changes.
BRIDGE = "sla-bridge"


@dataclass(frozen=True)
class SeenComment:
    """A comment: its author (a person's name, or :data:`BRIDGE`), whether the customer sees
    it, its text, when, and the bridge's idempotency key without the ``platform:ticket:``
    prefix (``add_comment:intake:ask``) for the bridge's own."""

    author: str
    public: bool
    body: str
    at: datetime
    key: str | None = None


@dataclass(frozen=True)
class SeenChange:
    """One change in the ticket's history: ``field`` is ``status``, ``assignee`` (a name),
    ``group``, ``tag_added`` or ``tag_removed``; ``by`` a person's name, :data:`BRIDGE`, or
    the helpdesk's own automation."""

    at: datetime
    field: str
    value: str | None
    by: str

    @classmethod
    def tags(cls, at: datetime, before: Iterable[str], after: Iterable[str],
             by: str) -> list[SeenChange]:
        """One tag list replaced by another, as the tags added and removed (sorted)."""
        old, new = set(before), set(after)
        return ([cls(at, "tag_added", t, by) for t in sorted(new - old)]
                + [cls(at, "tag_removed", t, by) for t in sorted(old - new)])


@dataclass(frozen=True)
class SeenApproval:
    """An approval the bridge asked of a group (an approval, or a note and a tag where the
    platform has no approvals)."""

    at: datetime
    group: str
    summary: str
    key: str | None = None

    @classmethod
    def from_note(cls, at: datetime, note: str, key: str | None = None,
                  group: str = "") -> SeenApproval:
        """The approval an internal note asks for: ``[group] summary`` (the note platforms
        without approvals post), or ``summary`` alone, asked of ``group``."""
        if note.startswith("[") and "] " in note:
            group, _, note = note[1:].partition("] ")
        return cls(at, group, note, key)


@dataclass(frozen=True)
class TicketView:
    """A ticket in neutral terms.

    ``severity`` is the severity in force as the ticket's policy names it (its id);
    ``due`` the bridge's due instants by metric (``first_response``, ``next_update``);
    ``awaiting_approval`` whether an approval the bridge asked for is still open.
    """

    id: str
    status: str
    severity: str | None
    group: str | None
    assignee: str | None
    tags: frozenset[str]
    due: Mapping[str, datetime] = field(default_factory=dict)
    comments: tuple[SeenComment, ...] = ()
    changes: tuple[SeenChange, ...] = ()
    approvals: tuple[SeenApproval, ...] = ()
    awaiting_approval: bool = False
    follow_up_of: str | None = None

    def by_bridge(self, public: bool | None = None) -> list[SeenComment]:
        """The bridge's comments (public replies, internal notes, or both)."""
        return [c for c in self.comments if c.author == BRIDGE
                and (public is None or c.public == public)]

    def starting(self, prefix: str) -> list[SeenComment]:
        """The bridge's comments that start with ``prefix``."""
        return [c for c in self.by_bridge() if c.body.startswith(prefix)]

    def keys(self) -> Counter[str]:
        """How many comments and approvals carry each bridge key: every count must be 1."""
        return Counter([c.key for c in self.comments if c.key]
                       + [a.key for a in self.approvals if a.key])

    def status_changes(self, by: str | None = None) -> list[SeenChange]:
        """The status changes (by ``by`` only, when given), oldest first."""
        return [c for c in self.changes if c.field == "status" and (by is None or c.by == by)]

    def assignments(self, by: str | None = None) -> list[SeenChange]:
        """The assignee changes (by ``by`` only, when given), oldest first."""
        return [c for c in self.changes
                if c.field == "assignee" and (by is None or c.by == by)]

    def tags_added(self) -> Counter[str]:
        """How many times each tag was added: every count must be 1."""
        return Counter(c.value for c in self.changes if c.field == "tag_added" and c.value)

    def added(self, tag: str) -> list[datetime]:
        """When ``tag`` was added."""
        return [c.at for c in self.changes if c.field == "tag_added" and c.value == tag]
