"""How Jira deliveries are made valid, for the core's hostile-input suite.

:class:`JiraSigner` is the plugin's :class:`sla_bridge.testing.WebhookSigner` (registered by
``sla_bridge_register_webhook_signers`` in :mod:`.plugin`): ``X-Hub-Signature: sha256=<hex
HMAC-SHA256 of the body>`` with ``X-Atlassian-Webhook-Identifier``, over the admin webhook
bodies the bridge receives (an issue created, a status change, a comment, a comment's own
event, an event that is not about an issue).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sla_bridge.clock import Clock, SystemClock

from .settings import ENV_PREFIX, PLATFORM
from .signature import IDENTIFIER_HEADER, sign

_AGENT = {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Ada Agent",
          "accountType": "atlassian"}
_CUSTOMER = {"accountId": "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b",
             "displayName": "Grace Customer", "accountType": "customer"}


class JiraSigner:
    """Jira's admin webhook signature over generated bodies, with ``secret``.

    Jira signs no timestamp; the body's own ``timestamp`` must be near the bridge's clock,
    so the bodies are stamped by ``clock`` (the hostile suite's bridge runs on the system
    clock).
    """

    platform = PLATFORM

    def __init__(self, secret: str, clock: Clock | None = None) -> None:
        self.secret = secret
        self.clock = clock or SystemClock()

    def environment(self) -> Mapping[str, str]:
        """A site that registers the platform; it points nowhere (127.0.0.1:9), as parsing a
        webhook never calls Jira."""
        return {f"{ENV_PREFIX}BASE_URL": "http://127.0.0.1:9",
                f"{ENV_PREFIX}EMAIL": "bridge@hostile.test",
                f"{ENV_PREFIX}API_TOKEN": "not-a-real-token",
                f"{ENV_PREFIX}WEBHOOK_SECRET": self.secret}

    def sign(self, body: bytes, *, at: datetime, delivery: str) -> dict[str, str]:
        """The headers Jira sends with ``body``; ``delivery`` is the webhook identifier
        (``at`` is not signed: Jira signs the body only)."""
        return {"content-type": "application/json; charset=utf-8",
                "x-hub-signature": sign(self.secret, body), IDENTIFIER_HEADER: delivery}

    def bodies(self) -> Sequence[Mapping[str, Any]]:
        """An issue created, a status change, a comment on an issue update, another comment's
        own event (a comment's two deliveries are one: the suite counts stored events), and a
        worklog event."""
        stamp = int(self.clock.now().timestamp() * 1000)
        status = {"name": "Waiting for support", "id": "10001",
                  "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"}}
        fields = {"summary": "Restore fails", "status": status, "labels": ["product_backup"],
                  "priority": {"name": "High", "id": "2"}, "reporter": _CUSTOMER,
                  "project": {"id": "10000", "key": "SUP"},
                  "created": "2026-11-25T09:00:00.000+0000",
                  "updated": "2026-11-25T10:00:00.000+0000"}
        issue = {"id": "10042", "key": "SUP-42", "fields": fields}
        comment = {"id": "10034", "body": "Still failing", "author": _CUSTOMER,
                   "updateAuthor": _CUSTOMER, "created": "2026-11-25T10:05:00.000+0000",
                   "updated": "2026-11-25T10:05:00.000+0000", "jsdPublic": True}
        created = {"timestamp": stamp, "webhookEvent": "jira:issue_created",
                   "issue_event_type_name": "issue_created", "user": _CUSTOMER, "issue": issue}
        moved = {**created, "webhookEvent": "jira:issue_updated",
                 "issue_event_type_name": "issue_generic", "user": _AGENT,
                 "changelog": {"id": "10500", "items": [{
                     "field": "status", "fieldtype": "jira", "fieldId": "status",
                     "from": "10001", "fromString": "Waiting for support", "to": "3",
                     "toString": "In Progress"}]}}
        commented = {**created, "webhookEvent": "jira:issue_updated",
                     "issue_event_type_name": "issue_commented", "comment": comment}
        comment_event = {"timestamp": stamp, "webhookEvent": "comment_created",
                         "comment": {**comment, "id": "10035", "jsdPublic": False},
                         "eventType": "primaryAction",
                         "issue": {"id": "10042", "key": "SUP-42",
                                   "fields": {"summary": "Restore fails", "status": status,
                                              "project": {"id": "10000", "key": "SUP"}}}}
        worklog = {"timestamp": stamp, "webhookEvent": "worklog_created",
                   "worklog": {"id": "1", "issueId": "10042"}}
        return [created, moved, commented, comment_event, worklog]
