"""How Salesforce deliveries are made valid, for the core's hostile-input suite.

:class:`SalesforceSigner` is the plugin's :class:`sla_bridge.testing.WebhookSigner`
(registered by ``sla_bridge_register_webhook_signers`` in :mod:`.plugin`). The suite mutates
JSON bodies, so it signs Flow HTTP callouts: the shared secret in ``X-Sla-Bridge-Secret``.
Outbound Messages (SOAP) carry no secret; their hostile cases (DTDs, entities, billion laughs,
another org) are the plugin's own tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .inbound import FLOW_HEADER
from .settings import ENV_PREFIX, PLATFORM

ORGANIZATION_ID = "00D5g000004XyZaEAK"


class SalesforceSigner:
    """Flow callouts carrying ``secret``."""

    platform = PLATFORM

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def environment(self) -> Mapping[str, str]:
        """An org that registers the platform; it points nowhere (127.0.0.1:9), as parsing a
        webhook never calls Salesforce."""
        return {f"{ENV_PREFIX}INSTANCE_URL": "https://127.0.0.1:9",
                f"{ENV_PREFIX}ORGANIZATION_ID": ORGANIZATION_ID,
                f"{ENV_PREFIX}ACCESS_TOKEN": "not-a-real-token",
                f"{ENV_PREFIX}FLOW_SECRET": self.secret}

    def sign(self, body: bytes, *, at: datetime, delivery: str) -> dict[str, str]:
        """The headers a Flow callout sends: the secret (Flows sign nothing and send no
        delivery id: the bridge derives one from the body)."""
        return {"content-type": "application/json", FLOW_HEADER: self.secret}

    def bodies(self) -> Sequence[Mapping[str, Any]]:
        """A case created, a case updated by an agent, and a customer's e-mail reply."""
        case = {"Id": "5005g00000AbCdEAAV", "Status": "New", "IsClosed": False,
                "Priority": "High", "LastModifiedDate": "2026-11-25T10:00:00.000Z"}
        reply = {"Id": "02s5g00000EmAilAAC", "ParentId": "5005g00000AbCdEAAV",
                 "Incoming": True, "LastModifiedDate": "2026-11-25T10:05:00.000Z"}
        common = {"organizationId": ORGANIZATION_ID, "flow": "SLA_Bridge_Callout"}
        return [
            {**common, "objectType": "Case", "changeType": "created", "changedFields": [],
             "modifiedById": "0055g00000Cust1AAC", "record": case},
            {**common, "objectType": "Case", "changeType": "updated",
             "changedFields": ["Status"], "modifiedById": "0055g00000Agnt1AAC",
             "record": {**case, "Status": "Working"}},
            {**common, "objectType": "EmailMessage", "changeType": "created",
             "changedFields": [], "modifiedById": "0055g00000Cust1AAC", "record": reply},
        ]
