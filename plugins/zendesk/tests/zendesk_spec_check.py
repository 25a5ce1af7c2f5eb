"""Check the sandbox's answers against Zendesk's published OpenAPI documents.

The documents are OpenAPI 3.0: ``nullable: true`` becomes a JSON-Schema ``null`` type. Where
the published schema is narrower than what the API is documented to send (and real
accounts do send), the check is relaxed, and only there; :data:`ALSO_NULL` and
:data:`ALSO_LIST` list those places with the reason.
"""

from __future__ import annotations

import copy
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPECS = Path(os.environ.get("SLA_BRIDGE_VENDOR_SPECS", "/work/shared/vendor-specs"))
SUPPORT_SPEC = SPECS / "zendesk-support-openapi.yaml"
WEBHOOKS_SPEC = SPECS / "zendesk-webhooks-openapi.yaml"

# Properties the API sends as null (an unset assignee, group, organization, due date, custom
# field, type or priority) although the schema gives them a plain type.
ALSO_NULL = {
    "TicketObject": {"assignee_id", "group_id", "organization_id", "due_at", "type", "priority",
                     "external_id", "problem_id", "forum_topic_id", "recipient", "brand_id",
                     "ticket_form_id", "custom_status_id", "satisfaction_rating"},
    "CustomFieldObject": {"value"},
    "UserForAdmin": {"organization_id", "default_group_id", "phone", "photo", "role_type",
                     "last_login_at", "ticket_restriction", "custom_role_id", "external_id"},
    "TicketFieldObject": {"regexp_for_validation", "tag", "agent_description", "key",
                          "creator_app_name", "creator_user_id", "sub_type_id"},
    "TriggerObject": {"description"},
    "MacroCommonObject": {"description", "restriction"},
    "OrganizationObject": {"group_id"},
}
# Audit events carry lists (tags) and nulls (an unassigned ticket) as values.
ALSO_LIST = {"AuditObject"}


class _Loader(yaml.CSafeLoader):
    pass


# The document writes a literal "=" (a trigger's change marker), which YAML reads as a tag.
_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(
    node))  # type: ignore[arg-type]


def _nullable(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


def _allow_null(schema: dict[str, Any], names: set[str]) -> None:
    props = schema.get("properties") or {}
    for name in names:
        prop = props.get(name)
        if prop is None:
            continue
        if "$ref" in prop or "allOf" in prop or "oneOf" in prop or "anyOf" in prop:
            props[name] = {"anyOf": [prop, {"type": "null"}]}
        elif "type" in prop and not isinstance(prop["type"], list):
            prop["type"] = [prop["type"], "null"]
        if "enum" in props[name]:
            props[name]["enum"] = [*props[name]["enum"], None]


@cache
def load(path: Path) -> dict[str, Any]:
    """The document, with nulls allowed where the API sends them."""
    with path.open() as handle:
        spec = _nullable(yaml.load(handle, Loader=_Loader))
    schemas = spec.get("components", {}).get("schemas", {})
    for name, props in ALSO_NULL.items():
        if name in schemas:
            for part in [schemas[name], *schemas[name].get("allOf", [])]:
                _allow_null(part, props)
    # A custom field without a value is null in a ticket's custom_fields too.
    if "TicketObject" in schemas:
        ticket_fields = schemas["TicketObject"]["properties"]["custom_fields"]["items"]
        _allow_null(ticket_fields, {"value"})
    for name in ALSO_LIST:
        event = schemas.get(name, {}).get("properties", {}).get("events", {}).get("items", {})
        if "value" in event.get("properties", {}):
            event["properties"]["value"] = {}
    return spec


def _validator(path: Path, schema: dict[str, Any]) -> Draft202012Validator:
    spec = load(path)
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:zendesk", resource)
    return Draft202012Validator(_rebase(copy.deepcopy(schema)), registry=registry)


def _rebase(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: ("urn:zendesk" + v if k == "$ref" and v.startswith("#") else _rebase(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def response_schema(path: Path, method: str, route: str, status: int) -> dict[str, Any]:
    """The JSON schema of an operation's answer."""
    spec = load(path)
    operation = spec["paths"][route][method.lower()]
    answer = operation["responses"][str(status)]
    return dict(answer["content"]["application/json"]["schema"])


def errors(path: Path, schema: dict[str, Any], body: Any) -> list[str]:
    """Every place where ``body`` does not follow ``schema``."""
    validator = _validator(path, schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:200]}"
            for e in validator.iter_errors(body)]


def check(method: str, route: str, status: int, body: Any, *, webhooks: bool = False) -> None:
    """Assert that an answer follows the document's schema for that operation and status."""
    path = WEBHOOKS_SPEC if webhooks else SUPPORT_SPEC
    schema = response_schema(path, method, route, status)
    found = errors(path, schema, body)
    assert not found, f"{method} {route} {status} differs from the spec:\n" + "\n".join(found)


def route_of(url_path: str) -> str:
    """``/api/v2/tickets/12/audits.json`` -> ``/api/v2/tickets/{ticket_id}/audits``."""
    path = re.sub(r"\.json$", "", url_path)
    names = {"tickets": "ticket_id", "users": "user_id", "organizations": "organization_id",
             "triggers": "trigger_id", "ticket_fields": "ticket_field_id", "groups": "group_id",
             "macros": "macro_id"}
    parts = path.split("/")
    for i in range(1, len(parts)):
        if re.fullmatch(r"\d+", parts[i]) and parts[i - 1] in names:
            parts[i] = "{" + names[parts[i - 1]] + "}"
    return "/".join(parts)
