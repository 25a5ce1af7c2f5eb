"""The site's fields: what ``GET /rest/api/2/field`` lists and what an edit may write.

System fields and the custom fields of a Jira Service Management project (Request Type,
Request participants, Organizations, Approvers, the native SLA "Time to resolution"), plus the
custom fields a test or an admin adds (a severity select, text and date-time fields). A
field's ``kind`` says how a value is written and kept:

``text``, ``textarea``, ``datetime``, ``date``
    a string (a date-time in Jira's ``2024-06-01T10:00:00.000+0000``);
``select``
    ``{"value": ...}`` or ``{"id": ...}`` naming one of its options;
``priority``
    ``{"name": ...}`` or ``{"id": ...}``;
``user``, ``users``
    ``{"accountId": ...}`` (or ``null``), a list of them;
``organizations``
    a list of organization ids;
``group``
    ``{"name": ...}`` or ``{"groupId": ...}`` naming a group of the site (or ``null``);
``labels``
    a list of labels without spaces;
``request_type``
    the request type's id as a string;
``readonly``
    not on any screen (status, resolution, created, the SLA): an edit naming it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._errors import ApiError, bad_request

PRIORITIES = {"1": "Highest", "2": "High", "3": "Medium", "4": "Low", "5": "Lowest"}
CUSTOM = "com.atlassian.jira.plugin.system.customfieldtypes:"
SERVICEDESK = "com.atlassian.servicedesk:"
_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "custom": CUSTOM + "textfield"},
    "textarea": {"type": "string", "custom": CUSTOM + "textarea"},
    "datetime": {"type": "datetime", "custom": CUSTOM + "datetime"},
    "select": {"type": "option", "custom": CUSTOM + "select"},
    "users": {"type": "array", "items": "user", "custom": CUSTOM + "multiuserpicker"},
    "group": {"type": "group", "custom": CUSTOM + "grouppicker"},
}


@dataclass
class FieldDef:
    """One field of the site."""

    id: str
    name: str
    kind: str
    schema: dict[str, Any]
    options: list[dict[str, str]] = field(default_factory=list)

    @property
    def custom(self) -> bool:
        """Whether it is a custom field."""
        return self.id.startswith("customfield_")

    def json(self) -> dict[str, Any]:
        """The field as ``GET /rest/api/2/field`` lists it."""
        clause = [f"cf[{self.id.split('_')[1]}]", self.name] if self.custom else [self.id]
        body: dict[str, Any] = {
            "id": self.id, "key": self.id, "name": self.name, "custom": self.custom,
            "orderable": self.kind != "readonly", "navigable": True, "searchable": True,
            "clauseNames": clause, "schema": dict(self.schema)}
        if self.custom:
            body["schema"]["customId"] = int(self.id.split("_")[1])
        else:
            body["schema"]["system"] = self.id
        return body


def system_fields() -> list[FieldDef]:
    """The system fields the sandbox keeps."""
    def system(id_: str, name: str, kind: str, type_: str, items: str | None = None
               ) -> FieldDef:
        schema: dict[str, Any] = {"type": type_}
        if items:
            schema["items"] = items
        return FieldDef(id_, name, kind, schema)

    return [system("summary", "Summary", "text", "string"),
            system("description", "Description", "text", "string"),
            system("status", "Status", "readonly", "status"),
            system("priority", "Priority", "priority", "priority"),
            system("labels", "Labels", "labels", "array", "string"),
            system("assignee", "Assignee", "user", "user"),
            system("reporter", "Reporter", "user", "user"),
            system("resolution", "Resolution", "readonly", "resolution"),
            system("resolutiondate", "Resolved", "readonly", "datetime"),
            system("created", "Created", "readonly", "datetime"),
            system("updated", "Updated", "readonly", "datetime"),
            system("duedate", "Due date", "date", "date"),
            system("issuetype", "Issue Type", "readonly", "issuetype"),
            system("project", "Project", "readonly", "project"),
            system("issuelinks", "Linked Issues", "readonly", "array", "issuelinks"),
            system("comment", "Comment", "readonly", "comments-page")]


def service_desk_fields() -> list[FieldDef]:
    """The custom fields a service desk project comes with."""
    return [
        FieldDef("customfield_10010", "Request Type", "request_type",
                 {"type": "sd-customerrequesttype", "custom": SERVICEDESK + "vp-origin"}),
        FieldDef("customfield_10026", "Request participants", "users",
                 {"type": "array", "items": "user",
                  "custom": SERVICEDESK + "sd-request-participants"}),
        FieldDef("customfield_10002", "Organizations", "organizations",
                 {"type": "array", "items": "sd-customerorganization",
                  "custom": SERVICEDESK + "sd-customer-organizations"}),
        FieldDef("customfield_10003", "Approvers", "users", dict(_SCHEMAS["users"])),
        FieldDef("customfield_10020", "Time to resolution", "readonly",
                 {"type": "sd-servicelevelagreement", "custom": SERVICEDESK + "sd-sla-field"}),
    ]


def custom_field(number: int, name: str, kind: str,
                 options: list[str] | None = None) -> FieldDef:
    """A custom field added by an admin: ``text``, ``datetime``, ``select`` (with
    ``options``), ``users`` or ``group``."""
    if kind not in _SCHEMAS:
        raise ValueError(f"custom field kind {kind!r}: one of {', '.join(_SCHEMAS)}")
    choices = [{"id": str(number * 10 + i), "value": v}
               for i, v in enumerate(options or [], start=1)]
    return FieldDef(f"customfield_{number}", name, kind, dict(_SCHEMAS[kind]), choices)


def _invalid(definition: FieldDef, message: str) -> ApiError:
    return bad_request(**{definition.id: message})


def _account(definition: FieldDef, value: Any, users: dict[str, Any]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("accountId"), str):
        raise _invalid(definition, f"Specify a user as {{\"accountId\": ...}} for "
                       f"{definition.name}.")
    if value["accountId"] not in users:
        raise _invalid(definition, f"The user {value['accountId']} does not exist.")
    return str(value["accountId"])


def parse_value(definition: FieldDef, value: Any, *, users: dict[str, Any],
                organizations: dict[int, Any], request_types: dict[str, Any],
                groups: dict[str, Any]) -> Any:
    """The value kept for a written ``value``; 400 naming the field when it is not valid."""
    kind = definition.kind
    if kind == "readonly":
        raise _invalid(definition, f"Field '{definition.id}' cannot be set. It is not on "
                       "the appropriate screen, or unknown.")
    if value is None:
        if definition.id == "summary":
            raise _invalid(definition, "You must specify a summary of the issue.")
        return [] if kind in ("users", "organizations", "labels") else None
    if kind in ("text", "textarea", "date", "datetime"):
        if not isinstance(value, str):
            raise _invalid(definition, f"Operation value must be a string for "
                           f"{definition.name}.")
        if kind == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise _invalid(definition, f"Invalid date-time {value!r} for "
                               f"{definition.name}: use yyyy-MM-dd'T'HH:mm:ss.SSSZ.") from None
        return value
    if kind == "select":
        for option in definition.options:
            if isinstance(value, dict) and (value.get("value") == option["value"]
                                            or str(value.get("id")) == option["id"]):
                return dict(option)
        raise _invalid(definition, f"Option value '{_shown(value)}' is not valid")
    if kind == "priority":
        for pid, name in PRIORITIES.items():
            if isinstance(value, dict) and (value.get("name") == name
                                            or str(value.get("id")) == pid):
                return pid
        raise _invalid(definition, "The priority selected is invalid.")
    if kind == "user":
        return _account(definition, value, users)
    if kind == "users":
        if not isinstance(value, list):
            raise _invalid(definition, f"{definition.name} takes a list of users.")
        return [_account(definition, v, users) for v in value]
    if kind == "organizations":
        if not isinstance(value, list) or any(not isinstance(v, int) or v not in organizations
                                              for v in value):
            raise _invalid(definition, "Organizations take a list of organization ids.")
        return list(value)
    if kind == "labels":
        if not isinstance(value, list):
            raise _invalid(definition, "Labels take a list of strings.")
        return [check_label(definition, v) for v in value]
    if kind == "group":
        found = next((name for name, g in groups.items() if isinstance(value, dict) and (
            value.get("name") == name or value.get("groupId") == g["groupId"])), None)
        if found is None:
            raise _invalid(definition, f"The group '{_shown(value)}' does not exist: give "
                           "{\"name\": ...} or {\"groupId\": ...} of a group of the site.")
        return found
    if kind == "request_type":
        if not isinstance(value, str) or value not in request_types:
            raise _invalid(definition, f"The request type {value!r} is not valid: give the "
                           "request type's id as a string.")
        return value
    raise _invalid(definition, f"Field '{definition.id}' cannot be set.")


def check_label(definition: FieldDef, label: Any) -> str:
    """A label as written, or 400 (labels are non-empty strings without spaces)."""
    if not isinstance(label, str) or not label or " " in label:
        raise _invalid(definition, f"The label '{label}' contains spaces which is invalid.")
    return label


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("value", value.get("name", value.get("id", value))))
    return str(value)
