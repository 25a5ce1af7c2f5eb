"""The first read of a Zendesk ticket from its audits alone, when they start with its creation.

What it rests on, from Zendesk's documentation:

* the audit that creates a ticket holds a ``Create`` event per property: "A ticket property
  was set on a newly created ticket. A separate event is created for each property set"
  (Ticket Audit events reference,
  https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-audit-events-reference):
  the ``Create`` events are the ticket's initial values, and a property with none was not
  set (empty); the ``Change`` events of that audit and the later ones are folded on as for
  any read (:func:`~.audit_fold.fold_changes`);
* an audit's ``via`` "Describes how the object was created" (Ticket Audits,
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/), a ticket's
  "how the ticket was created" (Via object reference,
  https://developer.zendesk.com/documentation/ticketing/reference-guides/via-object-reference):
  the creation audit's ``via`` is taken as the ticket's ([inferred]: the documents do not say
  the two are equal; a real creation response published in a public repository shows them
  equal), its time as the ticket's ``created_at``;
* ``description`` is the "Read-only first comment on the ticket" (Tickets API): the creation
  audit's comment.

Where this cannot hold, the read is a full one (:func:`initial_ticket` says why): no
``Create`` event (the audits do not start with the creation); none for the status or the
requester, which every ticket has; no comment; no organization event for a requester who
belongs to one (a ticket's organization is "The organization of the requester", which Zendesk
may set itself); an assignee set with no group (Zendesk may give the agent's default group).
Which properties Zendesk itself sets without a ``Create`` event is not documented (a public
real creation audit shows a brand with no event): :func:`differences` compares a first read
with the ticket itself, and :mod:`.reads` makes that check now and then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .audit_fold import FOLDED_FIELDS, blank, fold_changes, property_value, ticket_value

__all__ = ["differences", "initial_ticket"]

# Properties every ticket has a value for: without a Create event the audits cannot tell them.
ALWAYS_SET = ("status", "requester_id")


def initial_ticket(ticket_id: int, audits: Sequence[Mapping[str, Any]],
                   field_types: Callable[[], Mapping[int, str]],
                   requester_has_organization: Callable[[int], bool],
                   ) -> tuple[dict[str, Any] | None, str]:
    """The ticket as its audits tell it (``(ticket, "")``), or ``(None, why not)``.

    ``field_types`` gives the custom ticket fields by id (an unset checkbox reads ``False``,
    as the ticket shows it); ``requester_has_organization`` whether a user belongs to an
    organization (or is unknown)."""
    if not audits:
        return None, "no audits"
    creation = audits[0]
    created = {str(e.get("field_name")): e.get("value") for e in creation.get("events") or []
               if isinstance(e, Mapping) and e.get("type") == "Create"}
    if not created:
        return None, "the audits do not start with the ticket's creation"
    missing = [name for name in ALWAYS_SET if created.get(name) in (None, "")]
    if missing:
        return None, f"no Create event for {', '.join(missing)}"
    comment = next((e for e in creation.get("events") or []
                    if isinstance(e, Mapping) and e.get("type") == "Comment"), None)
    if comment is None:
        return None, "no comment in the creation audit (the description)"
    requester = int(str(created["requester_id"]))
    if "organization_id" not in created and requester_has_organization(requester):
        return None, f"no organization event, and requester {requester} has an organization"
    if created.get("assignee_id") not in (None, "") and "group_id" not in created:
        return None, "an assignee with no group event"
    types = field_types()
    base: dict[str, Any] = {name: property_value(name, created.get(name))
                            for name in FOLDED_FIELDS}
    base["subject"] = base["subject"] or ""
    custom = {fid: (False if kind == "checkbox" else None) for fid, kind in types.items()}
    for name, value in created.items():
        if name.isdigit():
            custom[int(name)] = ticket_value(value, types.get(int(name)))
    base.update({
        "id": ticket_id, "created_at": creation.get("created_at"),
        "updated_at": creation.get("created_at"), "via": creation.get("via") or {},
        "description": str(comment.get("body") or comment.get("plain_body") or ""),
        "custom_fields": [{"id": fid, "value": value} for fid, value in sorted(custom.items())],
    })
    return fold_changes(base, audits, field_types), ""


def differences(folded: Mapping[str, Any], ticket: Mapping[str, Any]) -> list[str]:
    """What a first read from the audits tells otherwise than the ticket itself: the folded
    properties, custom fields (those both show), the description, the creation time and
    what the mapping reads of ``via`` (the channel, a follow-up's source)."""
    wrong = [name for name in FOLDED_FIELDS
             if property_value(name, folded.get(name)) != property_value(name, ticket.get(name))]
    if str(folded.get("description") or "") != str(ticket.get("description") or ""):
        wrong.append("description")
    if _instant(folded.get("created_at")) != _instant(ticket.get("created_at")):
        wrong.append("created_at")
    if _via(folded) != _via(ticket):
        wrong.append("via")
    mine = _custom(folded)
    wrong += [f"custom field {fid}" for fid, value in sorted(_custom(ticket).items())
              if fid in mine and blank(mine[fid]) != blank(value)]
    return wrong


def _custom(ticket: Mapping[str, Any]) -> dict[int, Any]:
    return {int(f["id"]): f.get("value") for f in ticket.get("custom_fields") or []
            if f.get("id") is not None}


def _via(ticket: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    via = ticket.get("via") or {}
    source = via.get("source") or {}
    origin = source.get("from") or {}
    return via.get("channel"), source.get("rel"), origin.get("ticket_id")


def _instant(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
