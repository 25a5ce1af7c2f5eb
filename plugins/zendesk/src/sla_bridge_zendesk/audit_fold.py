"""A Zendesk ticket brought up to date from its audits, so that a reconcile reads it in one
request.

The mapping needs the ticket's audits anyway (comments with their authors and public flag,
the bridge's keys in the audit metadata, who set the priority). They also carry every change
of the ticket's properties, so a ticket read in full once can be brought up to date from the
audits that came after, without reading it again:

* "When a ticket is updated in Zendesk Support, an audit is stored. Each audit represents a
  single update to the ticket" (Ticket Audits,
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/);
* a ``Change`` event: "A ticket property was updated. The event describes the previous and
  newly updated value of each ticket property", custom fields named by their id; "value and
  previous_value are normally strings. However, the attribute is an array when the value of
  field_name is tags" (Ticket Audit events reference,
  https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-audit-events-reference);
* "The ``updated_at`` value is updated only if the update generates a ticket event"
  (Incremental Ticket Export, Time Based, in the Support API's OpenAPI document): the last
  audit's ``created_at`` is the ticket's ``updated_at``, the ``updated_stamp`` of a safe
  update. Where it is not (a change no audit shows), the safe update answers 409 and the
  plugin reads the ticket itself and writes again (:mod:`.reads`).

A ticket's first read starts from its creation audit's ``Create`` events instead
(:mod:`.first_read`, with its guards and checks). The strings of a change are read back as
the ticket shows the field (:func:`ticket_value`); how a checkbox or a multi-select is
written in an audit is not documented ([inferred] ``"true"``/``"1"``, and a list or a
space-separated string), so every full read checks the changes it can against the ticket
(:func:`disagreements`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["FOLDED_FIELDS", "blank", "disagreements", "fold_changes", "property_value",
           "ticket_value"]

# The ticket's own properties whose changes the fold applies.
FOLDED_FIELDS = ("subject", "status", "priority", "type", "requester_id", "assignee_id",
                 "group_id", "organization_id", "tags", "brand_id", "ticket_form_id",
                 "external_id", "due_at")
_IDS = frozenset({"requester_id", "assignee_id", "group_id", "organization_id", "brand_id",
                  "ticket_form_id"})
_TRUE = frozenset({"true", "1", "yes"})


def fold_changes(base: Mapping[str, Any], audits: Sequence[Mapping[str, Any]],
                 field_types: Callable[[], Mapping[int, str]]) -> dict[str, Any]:
    """``base`` (the ticket as the API showed it) with the changes of ``audits`` (the ones
    after it, oldest first) applied; its ``updated_at`` the last audit's time.
    ``field_types`` (custom field id -> type) is asked only when a custom field changed."""
    ticket = copy.deepcopy(dict(base))
    custom = {int(f["id"]): f.get("value") for f in ticket.get("custom_fields") or []
              if f.get("id") is not None}
    for name, value in _changes(audits):
        if name.isdigit():
            custom[int(name)] = ticket_value(value, field_types().get(int(name)))
        else:
            ticket[name] = property_value(name, value)
    ticket["custom_fields"] = [{"id": fid, "value": value} for fid, value in custom.items()]
    ticket["fields"] = copy.deepcopy(ticket["custom_fields"])
    if audits:
        ticket["updated_at"] = audits[-1].get("created_at")
    return ticket


def disagreements(audits: Sequence[Mapping[str, Any]], ticket: Mapping[str, Any],
                  field_types: Callable[[], Mapping[int, str]]) -> list[str]:
    """The properties and custom fields whose last change in ``audits`` (all of them) reads
    otherwise than ``ticket`` shows them now."""
    last = dict(_changes(audits))
    custom = {int(f["id"]): f.get("value") for f in ticket.get("custom_fields") or []
              if f.get("id") is not None}
    wrong = []
    for name, value in last.items():
        if name.isdigit():
            if int(name) in custom and blank(ticket_value(
                    value, field_types().get(int(name)))) != blank(custom[int(name)]):
                wrong.append(f"custom field {name}")
        elif property_value(name, value) != property_value(name, ticket.get(name)):
            wrong.append(name)
    return wrong


def ticket_value(value: Any, field_type: str | None) -> Any:
    """A custom field's value from an audit, as the ticket shows a field of that type."""
    if value in (None, ""):
        return None
    if field_type == "checkbox":
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    if field_type == "integer":
        return int(value)
    if field_type == "decimal":
        return float(value)
    if field_type == "multiselect":
        return sorted(value.split() if isinstance(value, str) else (str(v) for v in value))
    return value


def _changes(audits: Sequence[Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """``(field_name, value)`` of every Change event of a folded property or custom field."""
    return [(str(e.get("field_name")), e.get("value")) for a in audits
            for e in a.get("events") or [] if isinstance(e, Mapping)
            and e.get("type") == "Change" and (str(e.get("field_name")).isdigit()
                                              or e.get("field_name") in FOLDED_FIELDS)]


def property_value(name: str, value: Any) -> Any:
    """A property's value as the ticket shows it: ids as numbers, tags a sorted list."""
    if name == "tags":
        items = value.split() if isinstance(value, str) else list(value or [])
        return sorted({str(t) for t in items})
    if value in (None, ""):
        return None
    return int(value) if name in _IDS else value


def blank(value: Any) -> Any:
    """Empty alike, whether unset, blank or an unchecked checkbox; else compared as text."""
    if value in ("", [], None) or value is False:
        return None
    return sorted(map(str, value)) if isinstance(value, list) else str(value)
