"""Make the trimmed copies of Atlassian's OpenAPI documents that the tests read.

::

    python plugins/jira/specs/trim_specs.py SOURCE_DIR

reads ``jira-platform-openapi-v3.json`` ("The Jira Cloud platform REST API") and
``jira-service-management-openapi.json`` ("Service Management Public REST API"), both
version 1001.0.0-SNAPSHOT as Atlassian publishes them for download on
https://developer.atlassian.com/cloud/jira/platform/rest/v3/ and
https://developer.atlassian.com/cloud/jira/service-desk/rest/, from ``SOURCE_DIR``, and
writes next to this script ``jira-platform-openapi.trimmed.json`` and
``jira-service-management-openapi.trimmed.json``: only the operations below (those the
sandbox serves and the plugin calls) and what they reference (the closure of ``$ref``),
without examples. ``info.x-sla-bridge-trimmed`` records the source file's name, its sha256
and the date.

The ``jira`` library calls the platform API's version 2 (``/rest/api/2/...``), whose
operations, parameters and statuses are those of version 3; only rich-text bodies differ
(plain strings in v2, Atlassian Document Format in v3), and the v3 document leaves those
untyped. So the platform operations are kept under their v2 paths (``/rest/api/3/x`` is
written as ``/rest/api/2/x``; ``info.x-sla-bridge-trimmed.paths_from`` says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sla_bridge.testing import write_trimmed_specs

V3, V2 = "/rest/api/3/", "/rest/api/2/"
PLATFORM_OPERATIONS = {
    "/rest/api/3/serverInfo": ["get"],
    "/rest/api/3/myself": ["get"],
    "/rest/api/3/user/search": ["get"],
    "/rest/api/3/field": ["get", "post"],
    "/rest/api/3/project/{projectIdOrKey}": ["get"],
    "/rest/api/3/project/{projectIdOrKey}/statuses": ["get"],
    "/rest/api/3/groups/picker": ["get"],
    "/rest/api/3/issue/{issueIdOrKey}": ["get", "put"],
    "/rest/api/3/issue/{issueIdOrKey}/assignee": ["put"],
    "/rest/api/3/issue/{issueIdOrKey}/changelog": ["get"],
    "/rest/api/3/issue/{issueIdOrKey}/comment": ["get", "post"],
    "/rest/api/3/issue/{issueIdOrKey}/comment/{id}": ["get", "put"],
    "/rest/api/3/issue/{issueIdOrKey}/transitions": ["get", "post"],
    "/rest/api/3/issue/{issueIdOrKey}/properties": ["get"],
    "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}": ["get", "put", "delete"],
    "/rest/api/3/comment/{commentId}/properties": ["get"],
    "/rest/api/3/comment/{commentId}/properties/{propertyKey}": ["get", "put", "delete"],
    "/rest/api/3/issueLink": ["post"],
    "/rest/api/3/issueLinkType": ["get"],
}
SERVICEDESK_OPERATIONS = {
    "/rest/servicedeskapi/servicedesk": ["get"],
    "/rest/servicedeskapi/servicedesk/{serviceDeskId}": ["get"],
    "/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype": ["get"],
    "/rest/servicedeskapi/request": ["post"],
    "/rest/servicedeskapi/request/{issueIdOrKey}": ["get"],
    "/rest/servicedeskapi/request/{issueIdOrKey}/comment": ["get", "post"],
    "/rest/servicedeskapi/request/{issueIdOrKey}/participant": ["get", "post", "delete"],
    "/rest/servicedeskapi/request/{issueIdOrKey}/approval": ["get"],
    "/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}": ["get", "post"],
    "/rest/servicedeskapi/organization": ["get"],
    "/rest/servicedeskapi/organization/{organizationId}": ["get"],
    "/rest/servicedeskapi/organization/{organizationId}/user": ["get"],
    "/rest/servicedeskapi/organization/{organizationId}/property": ["get"],
    "/rest/servicedeskapi/organization/{organizationId}/property/{propertyKey}": [
        "get", "put", "delete"],
}
DOCUMENTS = {
    "jira-platform-openapi-v3.json": ("jira-platform-openapi.trimmed.json",
                                      PLATFORM_OPERATIONS),
    "jira-service-management-openapi.json": ("jira-service-management-openapi.trimmed.json",
                                             SERVICEDESK_OPERATIONS),
}


def as_v2(trimmed: dict[str, Any]) -> dict[str, str]:
    """Write the platform operations under the v2 paths the library calls (in place); the
    note the trimmed document's record then carries."""
    renamed = any(p.startswith(V3) for p in trimmed["paths"])
    trimmed["paths"] = {V2 + p.removeprefix(V3) if p.startswith(V3) else p: item
                        for p, item in trimmed["paths"].items()}
    return {"paths_from": "/rest/api/3 written as /rest/api/2"} if renamed else {}


def main(argv: list[str] | None = None) -> int:
    """Write the trimmed documents; print each one's name and size."""
    return write_trimmed_specs(argv, description=__doc__.split("\n\n")[0],
                               documents=DOCUMENTS, script=Path(__file__).resolve(),
                               vendor="Atlassian", rewrite=as_v2)


if __name__ == "__main__":
    raise SystemExit(main())
