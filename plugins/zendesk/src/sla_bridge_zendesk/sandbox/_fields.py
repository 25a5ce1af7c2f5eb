"""What customers see and edit of the account's fields, and the organization fields.

Rules emulated:

* a custom ticket field is for agents only unless ``visible_in_portal`` (customers see it in
  the Help Center) and ``editable_in_portal`` (they fill it in); a value a customer sends
  for a field they cannot edit is ignored, and the ticket fields listed to a customer are the
  visible ones only;
* a field's ``type`` is chosen when it is created and cannot change (422);
* an organization's ``organization_fields`` hold values of the organization fields defined
  in the account (``/api/v2/organization_fields``) only: a value for an undefined key is
  ignored; a field's ``key`` is letters, numbers and underscores, not only numbers, and
  unique (422).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._account import AGENT_ROLES
from ._errors import not_found, record_invalid
from ._state import SandboxState

#: The ticket field properties about the Help Center an admin sets.
PORTAL_FLAGS = ("visible_in_portal", "editable_in_portal", "required_in_portal")
_UPDATABLE = ("title", "description", "active", "position", "title_in_portal",
              "agent_description", "required", "collapsed_for_agents", *PORTAL_FLAGS)
ORGANIZATION_FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal",
                            "regexp", "dropdown", "lookup", "multiselect")
_KEY = re.compile(r"^(?![0-9]+$)[A-Za-z0-9_]+$")


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise record_invalid(name, f"{name.replace('_', ' ').capitalize()}: must be true or "
                             "false")
    return value


def update_ticket_field(state: SandboxState, field_id: int,
                        data: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /ticket_fields/{id}``: the properties given change; the type cannot."""
    with state.lock:
        field = state.ticket_fields.get(field_id)
        if field is None:
            raise not_found()
        if "type" in data and data["type"] != field["type"]:
            raise record_invalid("type", "Type: cannot be changed after the field is created")
        if "title" in data and not str(data["title"] or "").strip():
            raise record_invalid("title", "Title: cannot be blank", "BlankValue")
        changes = {k: data[k] for k in _UPDATABLE if k in data}
        for name in (*PORTAL_FLAGS, "active", "required"):
            if name in changes:
                changes[name] = _flag(changes, name)
        field.update(changes)
        if "title" in changes:
            field["raw_title"] = changes["title"]
        if "title_in_portal" in changes:
            field["raw_title_in_portal"] = changes["title_in_portal"]
        if "description" in changes:
            field["raw_description"] = changes["description"]
        field["updated_at"] = state.now()
        return copy.deepcopy(field)


def customer_can_edit(field: Mapping[str, Any]) -> bool:
    """Whether a customer fills this ticket field in (in the Help Center's form)."""
    return bool(field.get("active") and field.get("visible_in_portal")
                and field.get("editable_in_portal"))


def customer_values(state: SandboxState, user: Mapping[str, Any], values: Any) -> Any:
    """The custom field values ``user`` may set: all of them for an agent; for a customer,
    those of the fields editable in the Help Center (the others are ignored, as Zendesk
    ignores them)."""
    if user.get("role") in AGENT_ROLES or not isinstance(values, list):
        return values
    kept = []
    with state.lock:
        for item in values:
            field_id = _known(state, item.get("id")) if isinstance(item, dict) else None
            if field_id is not None and customer_can_edit(state.ticket_fields[field_id]):
                kept.append(item)
    return kept


def _known(state: SandboxState, field_id: Any) -> int | None:
    try:
        number = int(field_id)
    except (TypeError, ValueError):
        return None
    return number if number in state.ticket_fields else None


def visible_fields(state: SandboxState, user: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ticket fields ``user`` is shown: all for agents, the visible ones for customers."""
    with state.lock:
        fields = [copy.deepcopy(f) for _, f in sorted(state.ticket_fields.items())]
    if user.get("role") in AGENT_ROLES:
        return fields
    return [f for f in fields if f.get("visible_in_portal")]


# -- organization fields -------------------------------------------------------------------


def add_organization_field(state: SandboxState, data: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /organization_fields``: a custom organization field (text by default)."""
    key = str(data.get("key") or "")
    title = str(data.get("title") or "")
    type_ = str(data.get("type") or "text")
    if not _KEY.match(key):
        raise record_invalid("key", "Key: must be letters, numbers and underscores, not only "
                             "numbers")
    if not title.strip():
        raise record_invalid("title", "Title: cannot be blank", "BlankValue")
    if type_ not in ORGANIZATION_FIELD_TYPES:
        raise record_invalid("type", f"Type: {type_} is not a valid field type")
    description = str(data.get("description") or "")
    with state.lock:
        if any(f["key"] == key for f in state.organization_field_defs.values()):
            raise record_invalid("key", f"Key: {key} has already been taken")
        field_id = state.next_id("field")
        now = state.now()
        field = {"id": field_id, "key": key, "type": type_, "title": title, "raw_title": title,
                 "description": description, "raw_description": description,
                 "position": len(state.organization_field_defs), "active": True,
                 "system": False, "regexp_for_validation": None, "created_at": now,
                 "updated_at": now}
        state.organization_field_defs[field_id] = field
        return copy.deepcopy(field)


def update_organization_field(state: SandboxState, field_id: int,
                              data: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /organization_fields/{id}``: title, description, position, active."""
    with state.lock:
        field = state.organization_field_defs.get(field_id)
        if field is None:
            raise not_found()
        for name in ("key", "type"):
            if name in data and data[name] != field[name]:
                raise record_invalid(name, f"{name.capitalize()}: cannot be changed")
        for name in ("title", "description", "position", "active"):
            if name in data:
                field[name] = _flag(data, name) if name == "active" else data[name]
        field["raw_title"], field["raw_description"] = field["title"], field["description"]
        field["updated_at"] = state.now()
        return copy.deepcopy(field)


def organization_field_keys(state: SandboxState) -> set[str]:
    """The keys of the organization fields defined in the account."""
    with state.lock:
        return {str(f["key"]) for f in state.organization_field_defs.values()}


def define_organization_fields(state: SandboxState, keys: Iterable[str]) -> None:
    """Define the organization fields ``keys`` that do not exist yet (as text fields), as an
    admin would have before giving organizations values for them."""
    for key in keys:
        if key not in organization_field_keys(state):
            add_organization_field(state, {"key": key, "title": key.replace("_", " ")
                                           .capitalize()})


def update_organization(state: SandboxState, org_id: int,
                        data: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /organizations/{id}``: name, details, notes, tags, and values of the defined
    organization fields (a value for an undefined key is ignored; ``null`` clears one)."""
    with state.lock:
        org = state.organizations.get(org_id)
        if org is None:
            raise not_found()
        if "name" in data and not str(data["name"] or "").strip():
            raise record_invalid("name", "Name: cannot be blank", "BlankValue")
        for name in ("name", "details", "notes", "group_id", "external_id"):
            if name in data:
                org[name] = data[name]
        if "tags" in data:
            org["tags"] = sorted({str(t).lower() for t in data["tags"] or []})
        given = data.get("organization_fields")
        if isinstance(given, dict):
            defined = organization_field_keys(state)
            for key, value in given.items():
                if key in defined:
                    org["organization_fields"][key] = value
        org["updated_at"] = state.now()
        return copy.deepcopy(org)
