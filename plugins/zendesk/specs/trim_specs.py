"""Make the trimmed copies of Zendesk's OpenAPI documents that the tests read.

::

    python plugins/zendesk/specs/trim_specs.py SOURCE_DIR

reads ``zendesk-support-openapi.yaml`` and ``zendesk-webhooks-openapi.yaml`` (Zendesk's
published documents) from ``SOURCE_DIR`` and writes next to this script
``zendesk-support-openapi.trimmed.json`` and ``zendesk-webhooks-openapi.trimmed.json``: only
the operations below (those the sandbox serves and the plugin calls) and what they reference
(the closure of ``$ref``), without examples. ``info.x-sla-bridge-trimmed`` records the source
file's name, its sha256 and the date. Needs PyYAML and sla-bridge (the ``test`` extras).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sla_bridge.testing import write_trimmed_specs

SUPPORT_OPERATIONS = {
    "/api/v2/users/me": ["get"],
    "/api/v2/users/show_many": ["get"],
    "/api/v2/users/{user_id}": ["get"],
    "/api/v2/users": ["get"],
    "/api/v2/organizations/{organization_id}": ["get", "put"],
    "/api/v2/organization_fields/{organization_field_id}": ["get", "put"],
    "/api/v2/organization_fields": ["get", "post"],
    "/api/v2/requests/{request_id}": ["get", "put"],
    "/api/v2/requests": ["get", "post"],
    "/api/v2/organizations": ["get"],
    "/api/v2/groups/{group_id}": ["get"],
    "/api/v2/groups": ["get"],
    "/api/v2/group_memberships": ["get"],
    "/api/v2/ticket_fields/{ticket_field_id}": ["get", "put"],
    "/api/v2/ticket_fields": ["get", "post"],
    "/api/v2/tickets/show_many": ["get"],
    "/api/v2/tickets/{ticket_id}/comments": ["get"],
    "/api/v2/tickets/{ticket_id}/audits": ["get"],
    "/api/v2/tickets/{ticket_id}/tags": ["get", "put", "post", "delete"],
    "/api/v2/tickets/{ticket_id}": ["get", "put", "delete"],
    "/api/v2/tickets/{ticket_id}/merge": ["post"],
    "/api/v2/tickets/{ticket_id}/mark_as_spam": ["put"],
    "/api/v2/deleted_tickets": ["get"],
    "/api/v2/incremental/tickets/cursor": ["get"],
    "/api/v2/tickets": ["get", "post"],
    "/api/v2/triggers/{trigger_id}": ["get", "put", "delete"],
    "/api/v2/triggers": ["get", "post"],
    "/api/v2/macros/{macro_id}": ["get", "put", "delete"],
    "/api/v2/macros": ["get", "post"],
}
WEBHOOKS_OPERATIONS = {
    "/webhooks": ["get", "post"],
    "/webhooks/{webhook_id}": ["get", "put", "patch", "delete"],
    "/webhooks/{webhook_id}/signing_secret": ["get", "post"],
    "/webhooks/{webhook_id}/invocations": ["get"],
}
DOCUMENTS = {
    "zendesk-support-openapi.yaml": ("zendesk-support-openapi.trimmed.json",
                                     SUPPORT_OPERATIONS),
    "zendesk-webhooks-openapi.yaml": ("zendesk-webhooks-openapi.trimmed.json",
                                      WEBHOOKS_OPERATIONS),
}


class _Loader(yaml.CSafeLoader):
    pass


# The support document writes a literal "=" (a trigger's change marker), which YAML reads
# as the "value" tag.
_Loader.add_constructor("tag:yaml.org,2002:value",
                        lambda loader, node: loader.construct_scalar(node))


def load_yaml(path: Path) -> Any:
    """A YAML document as Zendesk publishes it."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)


def main(argv: list[str] | None = None) -> int:
    """Write the trimmed documents; print each one's name and size."""
    return write_trimmed_specs(argv, description=__doc__.split("\n\n")[0],
                               documents=DOCUMENTS, script=Path(__file__).resolve(),
                               vendor="Zendesk", load=load_yaml)


if __name__ == "__main__":
    raise SystemExit(main())
