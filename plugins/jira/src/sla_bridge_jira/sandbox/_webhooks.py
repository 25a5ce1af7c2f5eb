"""Jira's admin webhooks (and Automation's "Send web request") as the site sends them.

https://developer.atlassian.com/cloud/jira/platform/webhooks/ : a webhook registered with
events, a JQL filter and optionally a secret gets, for each matching event, a POST of the
event's JSON with ``X-Atlassian-Webhook-Identifier`` (the same on every retry of one delivery),
``X-Atlassian-Webhook-Retry`` (absent on the first attempt, then 1, 2 ...), and with a secret
``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``. Jira retries after 408, 409, 425,
429, any 5xx, a timeout or a failed connection, up to five times, never after another 4xx
(https://community.developer.atlassian.com/t/new-jira-cloud-webhook-retry-policy/30554).
Retries are minutes apart at Jira; here they are compressed (``backoff``).

Bodies: ``jira:issue_created`` / ``jira:issue_updated`` carry ``timestamp`` (ms),
``webhookEvent``, ``issue_event_type_name``, ``user`` (who acted), the whole ``issue``, and on
updates ``changelog {id, items}`` and ``comment`` when it was a comment; ``comment_created`` /
``comment_updated`` carry ``comment`` (with ``jsdPublic``), a reduced ``issue`` and
``eventType``. A comment fires both a ``comment_created`` and a ``jira:issue_updated``.

An Automation rule's web request (:class:`AutomationRule`) has a custom body with smart values
(``{{issue.key}}`` ...), static headers (the shared secret), no identifier and no retry
(https://support.atlassian.com/cloud-automation/docs/issue-data-automation-format-payload-for-send-web-request/).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sla_bridge.sandbox import Delivery, RetryRule, WebhookSender

from . import _jql
from ._fields import PRIORITIES
from ._render import comment_json, issue_json, user_json
from ._state import Change, IssueRecord, SiteState

EVENTS = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
          "comment_created", "comment_updated", "comment_deleted")
RETRIED = frozenset({408, 409, 425, 429})
#: Jira waits about this long for an answer (seconds).
WEBHOOK_TIMEOUT_SECONDS = 20.0
_SMART = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")


def sign(secret: str, body: bytes) -> str:
    """``X-Hub-Signature``'s value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def jira_retries(status: int) -> bool:
    """Whether Jira sends a webhook again after this answer."""
    return status in RETRIED or status >= 500


def jira_retry(backoff: Callable[[int], float], timeout: float) -> RetryRule:
    """Six attempts (the first and five retries), as :func:`jira_retries` says."""
    return RetryRule(attempts=6, retry_status=jira_retries, retry_unanswered=True,
                     backoff=backoff, timeout=timeout)


@dataclass
class Webhook:
    """An admin webhook."""

    id: int
    name: str
    url: str
    events: list[str]
    jql: str
    clauses: list[_jql.Clause]
    secret: str | None = field(repr=False)
    exclude_body: bool = False
    enabled: bool = True
    description: str = ""


@dataclass
class AutomationRule:
    """An Automation rule whose action is "Send web request"."""

    url: str
    body: str
    headers: dict[str, str] = field(repr=False)  # may hold the shared secret
    events: tuple[str, ...] = ("jira:issue_created", "jira:issue_updated")
    clauses: list[_jql.Clause] = field(default_factory=list)


class WebhookEngine:
    """Sends the site's webhooks for each change its state reports."""

    def __init__(self, state: SiteState, sender: WebhookSender, automation: WebhookSender,
                 root: Callable[[], str]) -> None:
        self.state = state
        self.sender = sender
        self.automation_sender = automation
        self.root = root
        self.webhooks: dict[int, Webhook] = {}
        self.rules: list[AutomationRule] = []
        self.holding = False
        self.held: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        state.listeners.append(self.on_change)

    def register(self, name: str, url: str, events: list[str], jql: str = "",
                 secret: str | None = None, exclude_body: bool = False,
                 description: str = "") -> Webhook:
        """A new webhook; :class:`ValueError` for unknown events or JQL it cannot read."""
        unknown = sorted(set(events) - set(EVENTS))
        if unknown or not events:
            raise ValueError(f"unknown or no events {unknown}: use {', '.join(EVENTS)}")
        with self.state.lock:
            hook = Webhook(next(self._ids), name, url, list(events), jql, _jql.parse(jql),
                           secret or None, exclude_body, description=description)
            self.webhooks[hook.id] = hook
            return hook

    def release(self, *, newest_first: bool = False) -> int:
        """Stop holding webhooks back and send those held; return how many."""
        with self.state.lock:
            held, self.held, self.holding = self.held, [], False
        for delivery in reversed(held) if newest_first else held:
            self.sender.send(**delivery)
        return len(held)

    def headers(self, delivery: Delivery) -> dict[str, str]:
        """One attempt's headers (the retry count is the attempts made before it)."""
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": "Atlassian Webhook HTTP Client",
                   "X-Atlassian-Webhook-Identifier": delivery.id,
                   "X-Atlassian-Webhook-Flow": "Primary"}
        if delivery.attempts:
            headers["X-Atlassian-Webhook-Retry"] = str(len(delivery.attempts))
        hook = self.webhooks.get(int(delivery.webhook_id))
        if hook is not None and hook.secret:
            headers["X-Hub-Signature"] = sign(hook.secret, delivery.body)
        return headers

    # -- what to send ----------------------------------------------------------------

    def on_change(self, change: Change) -> None:
        """Queue the deliveries of one change (state lock held)."""
        record = self.state.issues[change.key]
        values = self.state.jql_values(record)
        body: bytes | None = None
        for hook in list(self.webhooks.values()):
            if not hook.enabled or change.event not in hook.events or not _jql.matches(
                    hook.clauses, values):
                continue
            if body is None:
                body = json.dumps(self.body(change, record)).encode()
            url = hook.url.replace("${issue.key}", record.key).replace("${issue.id}", record.id)
            delivery: dict[str, Any] = {"webhook_id": str(hook.id), "endpoint": url,
                        "body": b"" if hook.exclude_body else body, "event_type": change.event}
            if self.holding:
                self.held.append(delivery)
            else:
                self.sender.send(**delivery)
        for rule in self.rules:
            if change.event in rule.events and _jql.matches(rule.clauses, values):
                rendered = self._smart(rule.body, change, record)
                self.automation_sender.send(webhook_id="automation", endpoint=rule.url,
                                            body=rendered.encode(), event_type=change.event)

    def body(self, change: Change, record: IssueRecord) -> dict[str, Any]:
        """The JSON Jira sends for the change."""
        root = self.root()
        stamp = int(self.state.clock().timestamp() * 1000)
        body: dict[str, Any] = {"timestamp": stamp, "webhookEvent": change.event}
        if change.event.startswith("comment_"):
            assert change.comment is not None
            full = issue_json(self.state, record, root)
            reduced = {k: full["fields"][k] for k in ("summary", "issuetype", "project",
                                                      "assignee", "priority", "status")}
            return {**body, "comment": comment_json(self.state, record, change.comment, root),
                    "issue": {"id": record.id, "self": full["self"], "key": record.key,
                              "fields": reduced},
                    "eventType": "primaryAction"}
        body.update({"issue_event_type_name": change.type_name,
                     "user": user_json(self.state, change.actor, root),
                     "issue": issue_json(self.state, record, root)})
        if change.event == "jira:issue_updated":
            if change.items:
                body["changelog"] = {"id": change.history_id, "items": change.items}
            if change.comment is not None:
                body["comment"] = comment_json(self.state, record, change.comment, root)
        return body

    def _smart(self, template: str, change: Change, record: IssueRecord) -> str:
        fields = record.fields
        known: Mapping[str, str] = {
            "issue.key": record.key, "issue.id": record.id, "issue.summary": fields["summary"],
            "issue.status.name": record.status,
            "issue.priority.name": PRIORITIES[fields["priority"]],
            "issue.updated": fields["updated"],
            "issue.resolution.name": (fields.get("resolution") or {}).get("name", ""),
            "initiator.accountId": change.actor or "",
            "comment.body": (change.comment or {}).get("body", "")}
        return _SMART.sub(lambda m: known.get(m.group(1), ""), template)


def webhook_json(hook: Webhook, root: str) -> dict[str, Any]:
    """A webhook as ``/rest/webhooks/1.0/webhook`` shows it (never its secret)."""
    return {"self": f"{root}/rest/webhooks/1.0/webhook/{hook.id}", "name": hook.name,
            "description": hook.description, "url": hook.url, "events": hook.events,
            "filters": {"issue-related-events-section": hook.jql},
            "excludeBody": hook.exclude_body, "enabled": hook.enabled,
            "isSigned": hook.secret is not None}
