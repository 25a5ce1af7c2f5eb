"""Zendesk's OpenAPI documents, as the tests check the plugin's calls and the sandbox's answers.

The tests read the trimmed copies vendored in ``plugins/zendesk/specs`` (made by
``trim_specs.py`` there), nothing outside the checkout. For a one-off check against the full
published documents, set ``SLA_BRIDGE_ZENDESK_FULL_SPECS`` to the folder holding
``zendesk-support-openapi.yaml`` and ``zendesk-webhooks-openapi.yaml``.

Where the published documents are narrower than what the API is documented to send or take
(and real accounts do), the check is relaxed, and only there: :data:`NULLABLE`,
:data:`CORRECTIONS`, :data:`EXPORTED_TICKETS`, :data:`COMMON_QUERY`, :data:`REQUEST_BODIES` and
:data:`PARTIAL_UPDATES` say where and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from sla_bridge.testing import OpenApiChecker, log_problems, vendored_document

SPECS = Path(__file__).resolve().parents[1] / "specs"
DOCUMENTS = {"support": "zendesk-support-openapi", "webhooks": "zendesk-webhooks-openapi"}
FULL_SPECS = "SLA_BRIDGE_ZENDESK_FULL_SPECS"

# Properties the API sends as null (an unset assignee, group, organization, due date, custom
# field value, type or priority) although the schema gives them a plain type.
NULLABLE: dict[str, set[str]] = {
    "TicketObject": {"assignee_id", "group_id", "organization_id", "due_at", "type", "priority",
                     "external_id", "problem_id", "forum_topic_id", "recipient", "brand_id",
                     "ticket_form_id", "custom_status_id", "satisfaction_rating"},
    "#/components/schemas/TicketObject/properties/custom_fields/items": {"value"},
    "UserForAdmin": {"organization_id", "default_group_id", "phone", "photo", "role_type",
                     "last_login_at", "ticket_restriction", "custom_role_id", "external_id"},
    "TicketFieldObject": {"regexp_for_validation", "tag", "agent_description"},
    "TriggerObject": {"description"},
    "MacroCommonObject": {"description", "restriction"},
    # A macro for everyone: "restriction": null, as the Macros page says.
    "MacroInput": {"restriction"},
    "OrganizationObject": {"group_id"},
    # A request is its ticket as the requester sees it: the same unset values.
    "RequestObject": {"assignee_id", "group_id", "organization_id", "due_at", "type",
                      "priority", "recipient", "ticket_form_id", "custom_status_id",
                      "followup_source_id"},
    "#/components/schemas/RequestObject/properties/custom_fields/items": {"value"},
}
CORRECTIONS: dict[str, dict[str, Any]] = {
    # Audit events carry lists (tags) and nulls (an unassigned ticket) as values.
    "#/components/schemas/AuditObject/properties/events/items/properties/value": {},
    # A ticket's custom field values are {id, value} ("Setting custom field values"); the
    # document points at the definition of a field (key, type, title ...) instead.
    "#/components/schemas/TicketUpdateInput/properties/custom_fields/items": {
        "type": "object", "required": ["id"],
        "properties": {"id": {"type": "integer"}, "value": {}}},
    # The cursor export's first page names start_time, the next ones the cursor instead
    # ("the cursor pointer to work with for all subsequent exports after the initial
    # request"); the document makes start_time required on every request.
    "#/components/parameters/IncrementalUnixTime": {
        "name": "start_time", "in": "query", "schema": {"type": "integer"}},
}
# The export lists deleted tickets with the status "deleted" ("Excluding deleted tickets" in
# Using the Incremental Exports API), which TicketObject's status does not have.
EXPORTED_TICKETS = ("#/components/schemas/CursorBasedExportIncrementalTicketsResponse/"
                    "properties/tickets/items")
# Pagination, documented once for the whole API ("Pagination"), not per operation.
# Side-loading (``include``) is not among them: the plugin side-loads nothing, so an
# ``include`` is checked only where an operation names it (zenpy's literal ``include=None``,
# which the client leaves out, fails the check everywhere else).
COMMON_QUERY: dict[str, dict[str, Any]] = {
    "page[size]": {"type": "integer", "minimum": 1},
    "page[after]": {"type": "string"},
    "page[before]": {"type": "string"},
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1},
}
_TAGS = {"type": "object", "required": ["tags"],
         "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}
# Bodies the reference pages show and the document leaves out.
_REQUEST_COMMENT = {"type": "object", "required": ["body"], "properties": {
    "body": {"type": "string"}, "html_body": {"type": "string"}, "uploads": {"type": "array"}}}
REQUEST_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/api/v2/tickets/{ticket_id}/tags"): _TAGS,
    ("POST", "/api/v2/tickets/{ticket_id}/tags"): _TAGS,
    ("DELETE", "/api/v2/tickets/{ticket_id}/tags"): _TAGS,
    ("POST", "/api/v2/ticket_fields"): {
        "type": "object", "required": ["ticket_field"],
        "properties": {"ticket_field": {"$ref": "#/components/schemas/TicketFieldObject"}}},
    ("POST", "/api/v2/organization_fields"): {
        "type": "object", "required": ["organization_field"],
        "properties": {"organization_field": {"$ref": "#/components/schemas/CustomFieldObject"}}},
    # Create Request: the writable request properties plus "comment" (mandatory) and
    # "via_followup_source_id" ("Additional properties", "Creating follow-up requests").
    ("POST", "/api/v2/requests"): {
        "type": "object", "required": ["request"], "properties": {"request": {
            "type": "object", "required": ["comment"], "properties": {
                **{name: {"$ref": f"#/components/schemas/RequestObject/properties/{name}"}
                   for name in ("subject", "priority", "type", "custom_fields", "due_at",
                                "ticket_form_id", "recipient")},
                "comment": _REQUEST_COMMENT, "via_followup_source_id": {"type": "integer"}}}}},
    # Update Request: "This endpoint can only update the following properties".
    ("PUT", "/api/v2/requests/{request_id}"): {
        "type": "object", "required": ["request"], "properties": {"request": {
            "type": "object", "properties": {
                "comment": _REQUEST_COMMENT, "solved": {"type": "boolean"},
                "additional_collaborators": {"type": "array"}}}}},
}
# Updates that send only what changes ("only the properties given are updated"; setup
# switching to event webhooks sends {"trigger": {"active": false}}), where the document makes
# the update body the whole object: (method, path) -> (the body's key, the object's schema).
PARTIAL_UPDATES = {("PUT", "/api/v2/triggers/{trigger_id}"): ("trigger", "TriggerObject"),
                   # Update Ticket Field / Organization Field / Organization: what changes.
                   ("PUT", "/api/v2/ticket_fields/{ticket_field_id}"): (
                       "ticket_field", "TicketFieldObject"),
                   ("PUT", "/api/v2/organization_fields/{organization_field_id}"): (
                       "organization_field", "CustomFieldObject"),
                   ("PUT", "/api/v2/organizations/{organization_id}"): (
                       "organization", "OrganizationObject")}
RELAXATIONS: dict[str, dict[str, Any]] = {
    "support": {"nullable": NULLABLE, "corrections": CORRECTIONS, "common_query": COMMON_QUERY,
                "request_bodies": REQUEST_BODIES},
    "webhooks": {},
}
# The sandbox's own routes, and one route Zendesk documents in prose ("List Users" of an
# organization) that the document does not have.
UNDOCUMENTED = ("/_sandbox/",)
ORGANIZATION_USERS = "/api/v2/organizations/{id}/users"


def _document(kind: str) -> Mapping[str, Any]:
    return vendored_document(
        SPECS, DOCUMENTS[kind], full_specs=FULL_SPECS,
        read_full=lambda folder, trim_specs: trim_specs.load_yaml(
            folder / f"{DOCUMENTS[kind]}.yaml"))


def _partial_update(document: Mapping[str, Any], key: str, schema: str) -> dict[str, Any]:
    """A body ``{key: {...}}`` with any of the properties of ``schema``, none required."""
    names = document["components"]["schemas"][schema]["properties"]
    return {"type": "object", "required": [key], "properties": {key: {
        "type": "object",
        "properties": {name: {"$ref": f"#/components/schemas/{schema}/properties/{name}"}
                       for name in names}}}}


def _exported_ticket(document: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket as the export lists it: a TicketObject whose status may be ``deleted``."""
    ticket = document["components"]["schemas"]["TicketObject"]
    status = ticket["properties"]["status"]
    return {"type": "object", "required": ["id", "status"], "properties": {
        **{name: {"$ref": f"#/components/schemas/TicketObject/properties/{name}"}
           for name in ticket["properties"] if name != "status"},
        "status": {**status, "enum": [*status["enum"], "deleted"]}}}


@cache
def checker(kind: str) -> OpenApiChecker:
    """The checker of the Support (``support``) or Webhooks (``webhooks``) document."""
    document = _document(kind)
    relaxations = dict(RELAXATIONS[kind])
    if kind == "support":
        relaxations["request_bodies"] = {
            **REQUEST_BODIES, **{operation: _partial_update(document, key, schema)
                                 for operation, (key, schema) in PARTIAL_UPDATES.items()}}
        relaxations["corrections"] = {**CORRECTIONS,
                                      EXPORTED_TICKETS: _exported_ticket(document)}
    return OpenApiChecker(document, **relaxations)


def checkers() -> list[OpenApiChecker]:
    """Both checkers, the Webhooks API's first (its paths are under the Support API's)."""
    return [checker("webhooks"), checker("support")]


def _for(method: str, path: str) -> OpenApiChecker:
    found = next((c for c in checkers() if c.operation(method, path)), None)
    assert found is not None, f"no Zendesk document describes {method} {path}"
    return found


def _path(url_path: str) -> str:
    return url_path.split("?")[0].removesuffix(".json")


def check(method: str, path: str, status: int, body: Any) -> None:
    """Assert that an answer follows the document's schema for that operation and status."""
    _for(method, _path(path)).assert_response(method, _path(path), status, body)


def check_request(method: str, path: str, body: Any = None) -> None:
    """Assert that a request (``path`` with its query) is one the document describes."""
    query = path.partition("?")[2]
    _for(method, _path(path)).assert_request(method, _path(path), query, body)


def _undocumented(entry: Mapping[str, Any]) -> bool:
    path = str(entry["path"])
    parts = path.split("/")
    is_org_users = (len(parts) == 6 and parts[3] == "organizations" and parts[5] == "users")
    return path.startswith(UNDOCUMENTED) or is_org_users


def problems_in_log(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every request in a sandbox's log (and every answer it kept) that differs from the
    documents; the sandbox's own routes and the organization's users list are left out."""
    return log_problems(entries, checkers(), skip=_undocumented)
