"""Flow HTTP callouts: a record-triggered Flow posting the changed record as JSON to the
bridge, with the shared secret in a static header of its Named Credential.

An HTTP Callout action sends what its External Service schema says, with the headers of the
External Credential's principal
(https://help.salesforce.com/s/articleView?id=platform.flow_http_callout_guidelines_authenticating.htm&type=5).
The body here is the one ``sla-bridge salesforce setup`` generates the Flow for; a failed
callout is not retried by the platform [inferred].
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sla_bridge.sandbox import Delivery, RetryRule, WebhookSender

from ._store import Record, Store
from ._values import to_json

SECRET_HEADER = "X-Sla-Bridge-Secret"
#: One attempt: a Flow's callout that fails is not sent again [inferred].
FLOW_RETRY = RetryRule(attempts=1, retry_unanswered=False, timeout=10.0)


@dataclass(frozen=True)
class FlowCallout:
    """A record-triggered Flow with an HTTP callout to ``endpoint``."""

    name: str
    object_name: str
    fields: tuple[str, ...]
    endpoint: str
    secret: str


def callout_body(flow: FlowCallout, organization_id: str, record: Record,
                 changed: dict[str, Any], actor: str, created: bool) -> bytes:
    """``{"organizationId", "flow", "objectType", "changeType", "changedFields",
    "modifiedById", "record": {...}}``."""
    return json.dumps({
        "organizationId": organization_id, "flow": flow.name, "objectType": flow.object_name,
        "changeType": "created" if created else "updated", "changedFields": sorted(changed),
        "modifiedById": actor,
        "record": {name: to_json(record.get(name)) for name in ("Id", *flow.fields)}},
    ).encode()


class FlowCallouts:
    """Fires the defined Flows on the store's changes through the kit's sender."""

    def __init__(self, store: Store, sender: WebhookSender, organization_id: str) -> None:
        self.sender = sender
        self.organization_id = organization_id
        self.flows: list[FlowCallout] = []
        store.listeners.append(self._changed)

    def define(self, flow: FlowCallout) -> FlowCallout:
        """Activate a Flow."""
        self.flows.append(flow)
        return flow

    def headers(self, delivery: Delivery) -> dict[str, str]:
        """The callout's headers: JSON, and the Named Credential's secret header."""
        flow = next(f for f in self.flows if f.name == delivery.webhook_id)
        return {"Content-Type": "application/json", SECRET_HEADER: flow.secret}

    def _changed(self, object_name: str, record: Record, changed: dict[str, Any],
                 actor: str, created: bool) -> None:
        for flow in self.flows:
            if flow.object_name == object_name:
                self.sender.send(webhook_id=flow.name, endpoint=flow.endpoint,
                                 body=callout_body(flow, self.organization_id, record,
                                                   changed, actor, created),
                                 event_type=f"{object_name}.{'created' if created else 'updated'}")
