"""Neutral field values and labels to one Jira issue edit.

``PUT /rest/api/2/issue/{key}`` takes ``fields`` (set a value) and ``update`` (operations:
``{"labels": [{"add": "sla_breached"}, {"remove": "sla_warning"}]}`` adds and removes
labels without replacing the others), see
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-put.
Values are written in the form the field's schema takes: an option ``{"value": ...}``, a
user ``{"accountId": ...}``, a date-time ``2024-06-01T10:00:00.000+0000``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sla_bridge.platformkit import prefixed_tags

from .mapping import JiraField, field_output, parse_time, plain, read_history
from .settings import ENV_PREFIX, JiraSettings, Source


@dataclass
class IssueEdit:
    """What one batch of neutral changes becomes in a Jira issue edit."""

    fields: dict[str, Any] = field(default_factory=dict)
    add_labels: list[str] = field(default_factory=list)
    remove_labels: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # The bridge's issue property (BRIDGE_PROPERTY), when the edit changes what it records.
    bridge_property: dict[str, Any] | None = None
    # Date-times as the bridge wrote them, recorded in the bridge's issue property.
    written: dict[str, str] = field(default_factory=dict)

    def label(self, name: str, add: bool) -> None:
        """Add (or remove) the label ``name``; the last word on a label wins."""
        target, other = ((self.add_labels, self.remove_labels) if add
                         else (self.remove_labels, self.add_labels))
        if name in other:
            other.remove(name)
        if name not in target:
            target.append(name)

    def body(self, current_labels: list[str]) -> dict[str, Any]:
        """The edit's JSON, with only the label operations that change something."""
        labels = set(current_labels)
        operations = [{"add": t} for t in self.add_labels if t not in labels]
        operations += [{"remove": t} for t in self.remove_labels if t in labels]
        body: dict[str, Any] = {}
        if self.fields:
            body["fields"] = dict(self.fields)
        if operations:
            body["update"] = {"labels": operations}
        return body


def field_input(target: JiraField, value: Any) -> Any:
    """``value`` in the form ``target``'s schema takes (``None`` clears the field)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        if target.type == "date":
            return value.date().isoformat()
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"
    if isinstance(value, date):
        return value.isoformat()
    if target.type == "option":
        return {"value": str(value)}
    if target.type == "array" and target.items == "option":
        return [{"value": str(value)}]
    if target.type == "user":
        return {"accountId": str(value)}
    if target.type == "group":
        return {"name": str(value)}
    if target.type == "array" and target.items == "group":
        return [{"name": str(value)}]
    if target.type == "number":
        return float(value)
    if target.type == "datetime" and isinstance(value, str):
        return value
    return value if isinstance(value, bool | int | float) else str(value)


def plan_edit(values: Mapping[str, Any], issue: Mapping[str, Any], settings: JiraSettings,
              field_of: Callable[[str], JiraField | None]) -> IssueEdit:
    """The smallest edit that gives ``issue`` the neutral ``values``."""
    edit = IssueEdit()
    current = issue.get("fields") or {}
    labels = list(current.get("labels") or [])
    history = read_history(issue)
    severity: tuple[str, str] | None = None  # (priority, the severity as written)
    raised: str | None = None  # a priority set for itself (a breach), not as a severity
    for name, value in values.items():
        sources: tuple[Source, ...] = ((Source("priority"),) if name == "priority"
                                       else settings.fields.sources(name))
        target = next((s for s in sources if s.writable), None)
        if target is None and name == "escalation_decision" and settings.approval_status:
            continue  # JSM's approval holds the decision: a new approval clears it
        if target is None:
            where = ", ".join(map(str, sources))
            edit.skipped.append(f"{name}: kept in {where}, which the bridge does not write "
                                f"(map it with {ENV_PREFIX}FIELDS__{name.upper()})")
            continue
        if target.kind == "priority":
            if name == "customer_severity":
                edit.skipped.append(f"{name}: the priority the request was raised with cannot "
                                    "be rewritten")
                continue
            priority = settings.priority_for(value) if value is not None else None
            if priority is None:
                edit.skipped.append(f"{name}: no Jira priority for {value!r}; add it to "
                                    f"{ENV_PREFIX}PRIORITY_MAP")
            elif name == "vendor_severity":
                severity = (priority, str(value))
            else:
                raised = priority
        elif target.kind == "field":
            found = field_of(target.arg)
            if found is None:
                edit.skipped.append(f"{name}: no Jira field {target.arg!r} (create it, or map "
                                    f"{ENV_PREFIX}FIELDS__{name.upper()} to field:<id>)")
                continue
            if found.type == "datetime" and isinstance(value, str) and value:
                edit.written[name] = value  # read back as written, not in Jira's UTC
                value = parse_time(value)
            wanted = field_input(found, value)
            if field_output(found, current.get(found.id)) != field_output(found, wanted):
                edit.fields[found.id] = wanted
        else:
            # A label holds no spaces (Jira refuses them): tag_text writes them as "_".
            wanted_label, stale_labels = prefixed_tags(labels, target.arg, value)
            for stale in stale_labels:
                edit.label(stale, add=False)
            if wanted_label is not None:
                edit.label(wanted_label, add=True)
    _plan_priority(edit, current, history.vendor_severity, severity, raised)
    return edit


def _plan_priority(edit: IssueEdit, current: Mapping[str, Any], vendor_severity: str | None,
                   severity: tuple[str, str] | None, raised: str | None) -> None:
    """The priority a severity or a raise asks for (the severity wins), and what the bridge
    records of it: Jira logs no change to an equal priority and keeps no severity id, and a
    raise (a breach) is not the vendor's severity."""
    chosen = severity[0] if severity is not None else raised
    if chosen is None:
        return
    if chosen != plain(current.get("priority")):
        edit.fields["priority"] = {"name": chosen}
    recorded: dict[str, Any] = {}
    if severity is not None and vendor_severity != severity[1]:
        recorded.update(vendor_severity=severity[1], priority=severity[0])
    elif severity is None and chosen != plain(current.get("priority")):
        recorded.update(raised=chosen, severity_before=vendor_severity)
    if recorded:
        edit.bridge_property = {**(edit.bridge_property or {}), **recorded}
