"""Changelog items, as ``expand=changelog`` and the ``jira:issue_updated`` webhook show a
change: ``field``, ``fieldtype``, ``fieldId``, ``from`` / ``to`` (ids, where the value has
one) and ``fromString`` / ``toString`` (the value as people read it)
(https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-changelog-get)."""

from __future__ import annotations

from typing import Any

from ._fields import PRIORITIES, FieldDef
from ._workflow import BY_NAME


def changelog_item(definition: FieldDef, before: Any, after: Any,
                   users: dict[str, Any]) -> dict[str, Any]:
    """The item of one field's change from ``before`` to ``after`` (kept values)."""
    return {"field": definition.name if definition.custom else definition.id,
            "fieldtype": "custom" if definition.custom else "jira", "fieldId": definition.id,
            "from": _raw(definition, before), "fromString": _shown(definition, before, users),
            "to": _raw(definition, after), "toString": _shown(definition, after, users)}


def _raw(definition: FieldDef, value: Any) -> str | None:
    if value is None or value == []:
        return None
    if definition.id == "status":
        return BY_NAME[value].id
    if isinstance(value, dict):
        found = value.get("id")
        return None if found is None else str(found)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if definition.kind != "labels" else None
    return str(value) if definition.kind in ("priority", "user", "request_type") else None


def _shown(definition: FieldDef, value: Any, users: dict[str, Any]) -> str | None:
    if value is None or value == []:
        return None
    if definition.kind == "priority":
        return PRIORITIES[value]
    if definition.kind == "user":
        return str(users[value]["displayName"])
    if isinstance(value, dict):
        return str(value.get("value", value.get("name")))
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)
