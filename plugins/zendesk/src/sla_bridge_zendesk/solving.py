"""Solving on Zendesk: the ticket fields required on solve.

Zendesk refuses (422) an update that solves a ticket while a field whose ``required`` is set
is empty ("If true, agents must enter a value in the field to change the ticket status to
solved": https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/). The
bridge checks before it writes: a solve that would be refused is not sent, the public reply
announcing it is held back with it (the worker sends a reply only with what it announces),
and the agents get one internal note naming the fields to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sla_bridge.actions import Action

__all__ = ["blocked_note", "empty_required_fields"]


def empty_required_fields(required: Mapping[int, str], current: Mapping[str, Any],
                          payload: Mapping[str, Any]) -> list[str]:
    """The titles of the ``required`` fields (id -> title) that would still be empty once
    ``payload`` (an update's ``custom_fields`` included) is applied to ``current``."""
    values = {int(f["id"]): f.get("value") for f in current.get("custom_fields") or []
              if f.get("id") is not None}
    values.update({int(f["id"]): f.get("value") for f in payload.get("custom_fields") or []
                   if f.get("id") is not None})
    return [title for field_id, title in sorted(required.items())
            if values.get(field_id) in (None, "", [])]


def blocked_note(action: Action, fields: list[str]) -> str:
    """The internal note saying why the bridge did not solve the ticket."""
    names = ", ".join(repr(name) for name in fields)
    why = f" ({action.reason})" if action.reason else ""
    return (f"sla-bridge did not mark this ticket solved{why}: Zendesk requires the field"
            f"{'s' if len(fields) > 1 else ''} {names} to solve a ticket, and "
            f"{'they are' if len(fields) > 1 else 'it is'} empty. Fill "
            f"{'them' if len(fields) > 1 else 'it'} in, then solve the ticket.")
