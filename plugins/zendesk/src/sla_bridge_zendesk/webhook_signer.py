"""How Zendesk webhooks are made valid, for the core's hostile-input suite.

:class:`ZendeskSigner` is the plugin's :class:`sla_bridge.testing.WebhookSigner`
(registered by ``sla_bridge_register_webhook_signers`` in :mod:`.plugin`): the signature
headers Zendesk sends (``X-Zendesk-Webhook-Signature``: base64 HMAC-SHA256 of the timestamp
followed by the body, with ``X-Zendesk-Webhook-Signature-Timestamp``), and the two kinds of
body the bridge receives: the trigger body ``sla-bridge zendesk setup`` pastes, rendered,
and event-subscribed ticket events (with and without a comment, and an event that is not
about a ticket).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .inbound import EVENT_PREFIX, TRIGGER_BODY
from .settings import ENV_PREFIX, PLATFORM
from .signature import (
    INVOCATION_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_ID_HEADER,
    format_timestamp,
    sign,
)

_WEBHOOK_ID = "01HQHOSTILE0WEBHOOK0000000"


class ZendeskSigner:
    """Zendesk's webhook signature over generated bodies, with ``secret``."""

    platform = PLATFORM

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def environment(self) -> Mapping[str, str]:
        """An account that registers the platform; it points nowhere (127.0.0.1:9), as
        parsing a webhook never calls Zendesk."""
        return {f"{ENV_PREFIX}SUBDOMAIN": "hostile", f"{ENV_PREFIX}BASE_URL": "http://127.0.0.1:9",
                f"{ENV_PREFIX}EMAIL": "bridge@hostile.test",
                f"{ENV_PREFIX}API_TOKEN": "not-a-real-token",
                f"{ENV_PREFIX}WEBHOOK_SECRET": self.secret}

    def sign(self, body: bytes, *, at: datetime, delivery: str) -> dict[str, str]:
        """The headers Zendesk sends with ``body`` signed at ``at``; ``delivery`` is the
        invocation id."""
        stamp = format_timestamp(at)
        return {"content-type": "application/json", TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(self.secret, stamp, body), INVOCATION_HEADER: delivery,
                WEBHOOK_ID_HEADER: _WEBHOOK_ID}

    def bodies(self) -> Sequence[Mapping[str, Any]]:
        """A rendered trigger body, a status change, a comment by its author, a user event."""
        trigger = {**TRIGGER_BODY, "ticket_id": "4213", "status": "open", "priority": "high",
                   "tags": "plan_gold product_backup", "updater_id": "90017",
                   "updater_email": "grace@gold.test"}
        detail = {"actor_id": "90017", "id": "4213", "status": "OPEN", "priority": "HIGH",
                  "tags": ["plan_gold"], "updated_at": "2026-11-25T15:04:05Z",
                  "requester_id": "90017", "subject": "Backups fail",
                  "via": {"channel": "web"}}
        status = {"type": f"{EVENT_PREFIX}ticket.status_changed", "id": "evt-1",
                  "subject": "zen:ticket:4213", "time": "2026-11-25T15:04:05Z",
                  "account_id": 1, "zendesk_event_version": "2022-11-06", "detail": detail,
                  "event": {"current": "OPEN", "previous": "NEW"}}
        comment = {**status, "type": f"{EVENT_PREFIX}ticket.comment_added", "id": "evt-2",
                   "detail": {**detail, "actor_id": ""},
                   "event": {"comment": {"id": "77", "body": "Still failing", "is_public": True,
                                         "author": {"id": "90017", "is_staff": False,
                                                    "name": "Grace Gold"}}}}
        user = {"type": f"{EVENT_PREFIX}user.created", "id": "evt-3",
                "subject": "zen:user:90017", "time": "2026-11-25T15:04:05Z",
                "detail": {"id": "90017"}, "event": {}}
        return [trigger, status, comment, user]
