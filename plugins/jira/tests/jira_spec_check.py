"""Atlassian's OpenAPI documents, as the tests check the client's calls and the sandbox's
answers.

The tests read the trimmed copies vendored in ``plugins/jira/specs`` (made by
``trim_specs.py`` there; the platform operations under their ``/rest/api/2`` paths), nothing
outside the checkout. For a one-off check against the full published documents, set
``SLA_BRIDGE_JIRA_FULL_SPECS`` to the folder holding ``jira-platform-openapi-v3.json`` and
``jira-service-management-openapi.json``.

Where the documents are narrower than what the API is documented to send or take (and the
``jira`` library sends), the check is relaxed, and only there: :data:`PLATFORM_CORRECTIONS`,
:data:`SERVICEDESK_CORRECTIONS` and :data:`UNDOCUMENTED` say where and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from sla_bridge.testing import OpenApiChecker, log_problems, vendored_document

SPECS = Path(__file__).resolve().parents[1] / "specs"
DOCUMENTS = {"platform": ("jira-platform-openapi", "jira-platform-openapi-v3.json"),
             "servicedesk": ("jira-service-management-openapi",
                             "jira-service-management-openapi.json")}
FULL_SPECS = "SLA_BRIDGE_JIRA_FULL_SPECS"

# No query parameter is common to every operation.
COMMON_QUERY: dict[str, dict[str, Any]] = {}
# The platform API's error body, ``components.schemas.ErrorCollection`` of the full document
# (not referenced by the operations kept, so written out here).
ERROR_COLLECTION = {"type": "object", "properties": {
    "errorMessages": {"type": "array", "items": {"type": "string"}},
    "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    "status": {"type": "integer"}}}
PLATFORM_CORRECTIONS: dict[str, dict[str, Any]] = {
    # The library sends a numeric transition id as a JSON number (``transition_issue``,
    # jira/client.py 2629-2700), which Jira accepts; the document says string.
    "#/components/schemas/IssueTransition/properties/id": {"type": ["string", "integer"]},
    # ``create_issue_link`` always sends ``"comment": null`` (client.py 2977-3064).
    "#/components/schemas/LinkIssueRequestJsonBean/properties/comment": {
        "anyOf": [{"$ref": "#/components/schemas/Comment"}, {"type": "null"}]},
    # "Returned if the issue is not found ...": with the ErrorCollection every error has.
    "#/paths/~1rest~1api~12~1issue~1{issueIdOrKey}/get/responses/404": {
        "description": "Not found, or not visible to the caller.",
        "content": {"application/json": {"schema": ERROR_COLLECTION}}},
}
SERVICEDESK_CORRECTIONS: dict[str, dict[str, Any]] = {
    # ``create_customer_request`` treats a string request type as a name and sends the id
    # as a number (client.py 2066-2117); the document says string.
    "#/components/schemas/RequestCreateDTO/properties/requestTypeId": {
        "type": ["string", "integer"]},
}
# Admin webhooks are registered through ``/rest/webhooks/1.0/webhook``, documented on the
# webhooks page (https://developer.atlassian.com/cloud/jira/platform/webhooks/), not in the
# OpenAPI document; the enhanced search ``/search/jql`` (what the client calls on Cloud) is
# newer than the shipped document, which has only the deprecated ``/search``; the sandbox's
# own routes are not Jira's.
UNDOCUMENTED = ("/rest/webhooks/1.0/", "/rest/api/2/search/jql", "/_sandbox/")


def _full_document(kind: str) -> Callable[[Path, ModuleType], Mapping[str, Any]]:
    def read(folder: Path, trim_specs: ModuleType) -> Mapping[str, Any]:
        """The whole published document, with the platform paths as the v2 the library
        calls."""
        document: dict[str, Any] = json.loads((folder / DOCUMENTS[kind][1]).read_text("utf-8"))
        trim_specs.as_v2(document)
        return document
    return read


def _document(kind: str) -> Mapping[str, Any]:
    return vendored_document(SPECS, DOCUMENTS[kind][0], full_specs=FULL_SPECS,
                             read_full=_full_document(kind))


@cache
def checker(kind: str) -> OpenApiChecker:
    """The checker of the platform (``platform``) or service desk (``servicedesk``) API."""
    relaxations: dict[str, Any] = {"common_query": COMMON_QUERY, "corrections": (
        PLATFORM_CORRECTIONS if kind == "platform" else SERVICEDESK_CORRECTIONS)}
    return OpenApiChecker(_document(kind), base_path="", **relaxations)


def checkers() -> list[OpenApiChecker]:
    """Both checkers."""
    return [checker("platform"), checker("servicedesk")]


def _canonical(path: str) -> str:
    path = path.split("?")[0]
    return ("/rest/api/2/" + path.removeprefix("/rest/api/latest/")
            if path.startswith("/rest/api/latest/") else path)


def check(method: str, path: str, status: int, body: Any) -> None:
    """Assert that an answer follows the document's schema for that operation and status."""
    found = next(c for c in checkers() if c.operation(method, _canonical(path)))
    found.assert_response(method, _canonical(path), status, body)


def _undocumented(entry: Mapping[str, Any]) -> bool:
    return str(entry["path"]).startswith(UNDOCUMENTED)


def problems_in_log(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every request in a sandbox's log (and every answer it kept) that differs from the
    documents; the admin webhook routes and the sandbox's own are left out."""
    return log_problems(entries, checkers(), skip=_undocumented)
