"""Every action type carries its own neutral meaning: what is still to write, what the ticket
looks like after it, how it reads in the audit trail."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest

from sla_bridge.actions import (
    Action,
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.tickets import Status, Ticket, TicketRef

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
REF = TicketRef(platform="sim", ticket_id="1")
TICKET = Ticket(ref=REF, status=Status.OPEN, created_at=NOW, updated_at=NOW)
ONE_OF_EACH: list[Action] = [
    AddComment(ref=REF, key="k", body="Hello", public=True),
    SetFields(ref=REF, key="k", fields={"vendor_severity": "2", "sla_first_response_due": "x"}),
    ChangeTags(ref=REF, key="k", add=("a",)),
    SetStatus(ref=REF, key="k", status=Status.PENDING),
    Assign(ref=REF, key="k", group="Tier 2", assignee_id="agent-1"),
    CreateFollowUp(ref=REF, key="k", subject="Again", body="It broke again"),
    RequestApproval(ref=REF, key="k", group="Managers", summary="Please decide"),
]


def test_one_of_each_covers_every_action_type() -> None:
    union = typing.get_args(typing.get_args(Action)[0])
    assert {type(action) for action in ONE_OF_EACH} == set(union)


@pytest.mark.parametrize("action", ONE_OF_EACH, ids=lambda a: a.kind)
def test_an_applied_action_is_no_longer_pending(action: Action) -> None:
    assert action.pending_on(TICKET) == action
    after = action.applied_to(TICKET, NOW)
    if action.writes_to_ticket:
        assert after != TICKET
    if not action.one_off or isinstance(action, AddComment):
        assert action.pending_on(after) is None
    assert action.describe()


def test_only_the_missing_part_of_a_state_action_is_pending() -> None:
    ticket = TICKET.model_copy(update={"vendor_severity": "2", "tags": frozenset({"a"})})
    fields = SetFields(ref=REF, key="k", fields={"vendor_severity": "2", "x": 1})
    assert fields.pending_on(ticket) == fields.model_copy(update={"fields": {"x": 1}})
    tags = ChangeTags(ref=REF, key="k", add=("a", "c"))
    assert tags.pending_on(ticket) == tags.model_copy(update={"add": ("c",)})
