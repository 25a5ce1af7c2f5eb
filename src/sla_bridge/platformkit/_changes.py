"""One batch of actions as the changes they make to a ticket, for a platform's single update.

A platform that writes a batch in one vendor call (``PlatformBase.write_batch``) folds the
actions into a :class:`TicketChanges` with :func:`collect_changes`, then renders that in its
own wire format: the comments, the tags added and removed, the status, the group and agent,
and the neutral fields, each as the last action of the batch left it. An approval request
becomes its fallback (an internal note and the ``sla_approval_requested`` tag), as
``PlatformBase.request_approval`` writes it alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sla_bridge import actions
from sla_bridge.actions import Action
from sla_bridge.tickets import Status


@dataclass(frozen=True)
class CommentChange:
    """A comment of the batch: the action that asks for it, its body and visibility."""

    action: Action
    body: str
    public: bool


@dataclass
class TicketChanges:
    """What a batch of actions changes on one ticket, in neutral terms."""

    actions: tuple[Action, ...]
    comments: list[CommentChange] = field(default_factory=list)
    # Tag -> True (added) or False (removed): the batch's last word on each tag.
    tags: dict[str, bool] = field(default_factory=dict)
    status: Status | None = None
    group: str | None = None
    assignee_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The idempotency keys of the batch's actions, in order."""
        return [a.idempotency_key for a in self.actions]

    def tags_after(self, current: Iterable[str]) -> list[str]:
        """The ticket's tags once the batch is written (``current`` with the changes)."""
        kept = [t for t in current if self.tags.get(t, True)]
        return kept + [t for t, added in self.tags.items() if added and t not in kept]


def collect_changes(batch: Sequence[Action]) -> TicketChanges:
    """Fold ``batch`` (one ticket's writes, in order) into the changes they make; raise
    ``ValueError`` for an action that is not a write to the ticket (a follow-up)."""
    changes = TicketChanges(tuple(batch))
    for action in batch:
        if isinstance(action, actions.AddComment):
            changes.comments.append(CommentChange(action, action.body, action.public))
        elif isinstance(action, actions.RequestApproval):
            changes.comments.append(CommentChange(action, action.note, False))
            changes.tags[actions.APPROVAL_REQUESTED_TAG] = True
        elif isinstance(action, actions.ChangeTags):
            changes.tags.update(dict.fromkeys(action.add, True))
            changes.tags.update(dict.fromkeys(action.remove, False))
        elif isinstance(action, actions.SetStatus):
            changes.status = action.status
        elif isinstance(action, actions.Assign):
            changes.group = action.group if action.group is not None else changes.group
            changes.assignee_id = (action.assignee_id if action.assignee_id is not None
                                   else changes.assignee_id)
        elif isinstance(action, actions.SetFields):
            changes.fields.update(action.fields)
        else:
            raise ValueError(f"{action.kind} does not write to its ticket; it cannot be part "
                             "of a ticket's batched update")
    return changes
