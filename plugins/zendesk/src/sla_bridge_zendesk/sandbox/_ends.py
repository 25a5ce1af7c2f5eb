"""Tickets that end other than by being solved and closed: deleted, marked as spam, merged.

Rules emulated (the plugin's README cites the pages):

* ``DELETE /tickets/{id}`` deletes softly: from then on the ticket answers 404 to every call
  (show, update, audits, comments, tags; ``show_many`` leaves it out), ``GET
  /deleted_tickets`` lists it (who deleted it, when, its status before), and the
  Incremental Ticket Export shows it with the status ``deleted``. Deleting it again is 404.
  Deleting updates no ticket, so no trigger runs.
* ``PUT /tickets/{id}/mark_as_spam`` deletes the ticket and suspends its requester.
* ``POST /tickets/{id}/merge`` with ``{"ids": [...]}`` closes every source ticket, whatever
  its status, with a private comment saying where it went (``source_comment``) and the tag
  ``closed_by_merge``, and adds a private comment to the target (``target_comment``);
  ``*_comment_is_public`` makes them public. Closed tickets cannot be merged, nor can a
  ticket be merged into itself. Zendesk runs the merge as a background job; the sandbox
  does it at once and answers the finished ``job_status``.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from ._errors import bad_request, not_found, record_invalid
from ._state import SandboxState, TicketRecord

MERGED_TAG = "closed_by_merge"


@dataclass
class DeletedTicket:
    """A soft-deleted ticket: its record as it was, and who deleted it when."""

    record: TicketRecord
    actor: dict[str, Any]
    deleted_at: str
    previous_state: str

    def listing(self) -> dict[str, Any]:
        """The ticket as ``GET /deleted_tickets`` lists it."""
        data = self.record.data
        return {"id": data["id"], "subject": data["subject"],
                "description": data["description"], "deleted_at": self.deleted_at,
                "previous_state": self.previous_state,
                "actor": {"id": self.actor["id"], "name": self.actor["name"]}}


def delete_ticket(state: SandboxState, ticket_id: int, actor: dict[str, Any]) -> None:
    """Soft-delete a ticket (404 when there is no such ticket, or it is deleted already)."""
    with state.lock:
        record = state.tickets.get(ticket_id)
        if record is None:
            raise not_found()
        del state.tickets[ticket_id]
        # Every change moves generated_timestamp: the export shows the deletion.
        record.data["generated_timestamp"] = int(state.clock().timestamp())
        state.deleted[ticket_id] = DeletedTicket(record, copy.deepcopy(actor), state.now(),
                                                 str(record.data["status"]))


def mark_as_spam(state: SandboxState, ticket_id: int, actor: dict[str, Any]) -> None:
    """Delete the ticket and suspend its requester."""
    with state.lock:
        requester_id = state.ticket(ticket_id)["requester_id"]
        delete_ticket(state, ticket_id, actor)
        if requester_id in state.users:
            state.users[requester_id]["suspended"] = True


def deleted_tickets(state: SandboxState) -> list[dict[str, Any]]:
    """``GET /deleted_tickets``: oldest first, as Zendesk orders them by default."""
    with state.lock:
        return [state.deleted[number].listing() for number in sorted(state.deleted)]


@dataclass(frozen=True)
class Merge:
    """What ``POST /tickets/{id}/merge`` asks."""

    target: int
    sources: tuple[int, ...]
    target_comment: str | None = None
    source_comment: str | None = None
    target_public: bool = False
    source_public: bool = False

    @classmethod
    def of(cls, target: int, body: dict[str, Any]) -> Merge:
        """Read the request body; 400 when ``ids`` is not a list of ticket ids."""
        ids = body.get("ids")
        if not isinstance(ids, list) or not ids or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise bad_request("ids must be a list of ticket ids")

        def text(name: str) -> str | None:
            value = body.get(name)
            return str(value) if value not in (None, "") else None

        return cls(target, tuple(ids), text("target_comment"), text("source_comment"),
                   body.get("target_comment_is_public") is True,
                   body.get("source_comment_is_public") is True)


def merge_tickets(state: SandboxState, merge: Merge, actor: dict[str, Any]) -> dict[str, Any]:
    """Merge the sources into the target; the finished job status."""
    with state.lock:
        target = state.ticket(merge.target)
        sources = [state.ticket(number) for number in merge.sources]
        if merge.target in merge.sources:
            raise record_invalid("ids", "Ids: a ticket cannot be merged into itself")
        for ticket in (target, *sources):
            if ticket["status"] == "closed":
                raise record_invalid("ids", f"Ids: ticket #{ticket['id']} is closed and "
                                     "cannot be merged")
    for source in sources:
        body = merge.source_comment or (f"This request was closed and merged into request "
                                        f"#{target['id']} \"{target['subject']}\".")
        state.update_ticket(source["id"], {
            "status": "closed", "additional_tags": [MERGED_TAG],
            "comment": {"body": body, "public": merge.source_public}}, actor, by_merge=True)
        note = merge.target_comment or (f"Request #{source['id']} \"{source['subject']}\" "
                                        "was closed and merged into this request.")
        state.update_ticket(target["id"], {"comment": {"body": note,
                                                       "public": merge.target_public}}, actor)
    count = len(sources)
    return {"job_status": {
        "id": uuid.uuid4().hex, "job_type": "MergeTicketsJob", "status": "completed",
        "message": f"Completed at {state.now()}", "progress": count, "total": count,
        "results": [{"id": s["id"], "action": "update", "success": True,
                                  "status": "Updated"} for s in sources]}}
