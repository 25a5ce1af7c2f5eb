"""Neutral changes as the Case fields one ``PATCH /sobjects/Case/{id}`` writes.

A batch of the bridge's writes to a case (fields, tags, status, owner) becomes one update:
:func:`case_update` folds them (the kit's :func:`~sla_bridge.platformkit.collect_changes`) into
Case field API names and values. Cases have no tags: the bridge's tags live in a text field
(``TAGS_FIELD``, space-separated) and ``sla_approval_requested`` is also the checkbox
``APPROVAL_FLAG_FIELD``, which list views and reports can filter on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sla_bridge.actions import APPROVAL_REQUESTED_TAG, Action
from sla_bridge.platformkit import collect_changes

from .settings import PRIORITIES, SalesforceSettings

# Neutral names that are not Case fields of the mapping.
NOT_FIELDS = frozenset({"group", "organization_id", "requester_id", "follow_up_of"})


class UnmappedValue(ValueError):
    """A neutral value the org cannot hold (e.g. a severity without a Priority)."""


def to_priority(value: Any, settings: SalesforceSettings) -> str:
    """The Case Priority of a severity or priority; :class:`UnmappedValue` naming the setting."""
    text = str(value).strip()
    if text in PRIORITIES:
        return text
    mapped = settings.priorities.get(text.lower())
    if mapped is None:
        raise UnmappedValue(f"no Case Priority for {text!r}; add it to "
                            f"{settings.variable('priority_map')}, e.g. "
                            f'{{"{text.lower()}": "High"}}')
    return mapped


def wire(value: Any) -> Any:
    """A neutral value as the REST API takes it (instants as ISO 8601 text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def field_values(fields: Mapping[str, Any], settings: SalesforceSettings) -> dict[str, Any]:
    """Case field API name -> value for neutral fields, each to its first writable source;
    a name without one is left out (it is not kept in Salesforce)."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in NOT_FIELDS:
            continue
        if name == "priority":
            values["Priority"] = to_priority(value, settings) if value is not None else None
            continue
        target = next((s for s in settings.fields.sources(name) if s.writable), None)
        if target is None:
            continue
        if target.kind == "priority":
            values["Priority"] = to_priority(value, settings) if value is not None else None
        else:
            values[target.field] = wire(value)
    return values


def tag_values(tags: Mapping[str, bool], current: Iterable[str],
               settings: SalesforceSettings) -> dict[str, Any]:
    """The tags field (and the approval flag) after adding (True) and removing (False) tags."""
    kept = [t for t in current if tags.get(t, True)]
    after = kept + [t for t, added in tags.items() if added and t not in kept]
    values: dict[str, Any] = {}
    if settings.tags_field:
        values[settings.tags_field] = " ".join(after) or None
    if settings.approval_flag_field and APPROVAL_REQUESTED_TAG in tags:
        values[settings.approval_flag_field] = tags[APPROVAL_REQUESTED_TAG]
    return values


def case_update(batch: Sequence[Action], settings: SalesforceSettings,
                queue_id: Callable[[str], str], current_tags: Callable[[], Iterable[str]],
                ) -> dict[str, Any]:
    """The Case fields a batch of writes sets. ``queue_id`` finds a group's queue;
    ``current_tags`` reads the case's tags (called only when the batch changes tags)."""
    changes = collect_changes(batch)
    values = field_values(changes.fields, settings)
    if changes.status is not None:
        values["Status"] = settings.targets[changes.status]
    group = changes.group or changes.fields.get("group")
    # A case has one owner: an agent, else a queue (the agent wins when both are asked).
    if changes.assignee_id:
        values["OwnerId"] = changes.assignee_id
    elif group:
        values["OwnerId"] = queue_id(str(group))
    if changes.tags:
        values.update(tag_values(changes.tags, current_tags(), settings))
    return values
