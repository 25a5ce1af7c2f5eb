"""The sandbox facade's webhooks, Automation rules, faults and limits (see the package's
documentation); :class:`~sla_bridge_jira.sandbox.Sandbox` is built on it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sla_bridge.sandbox import Delivery, Fault, HelpdeskSandbox, WebhookSender

from . import _jql
from ._http import IssueWriteLimit
from ._webhooks import AutomationRule, WebhookEngine

DEFAULT_EVENTS = ("jira:issue_created", "jira:issue_updated", "comment_created",
                  "comment_updated")


class HooksAndLimits(HelpdeskSandbox):
    """The kit's sandbox with Jira's webhook registrations, automation rules, the 503,
    per-issue limit and search lag controls."""

    engine: WebhookEngine
    automation: WebhookSender
    issue_writes: IssueWriteLimit
    project_key: str
    default_webhook_secret: str | None
    search_lag_seconds: float

    def register_webhook(self, url: str, *, events: Iterable[str] = DEFAULT_EVENTS,
                         jql: str | None = None, secret: str | None = None,
                         name: str = "sla-bridge") -> int:
        """An admin webhook (JQL ``project = SUP`` by default, the sandbox's default secret
        unless ``secret``); returns its id."""
        hook = self.engine.register(name, url, list(events),
                                    f"project = {self.project_key}" if jql is None else jql,
                                    secret or self.default_webhook_secret)
        return hook.id

    def add_automation(self, url: str, body: str, headers: dict[str, str] | None = None,
                       jql: str = "") -> None:
        """An Automation rule "when an issue is created or updated, send web request" with a
        custom body (smart values such as ``{{issue.key}}``) and static headers."""
        self.engine.rules.append(AutomationRule(url, body, dict(headers or {}),
                                                clauses=_jql.parse(jql)))

    def hold_webhooks(self) -> None:
        """Keep the next webhooks back (they happen, but are not sent) until
        :meth:`release_webhooks`: deliveries that arrive late, after later changes."""
        self.engine.holding = True

    def release_webhooks(self, *, newest_first: bool = False) -> int:
        """Send the webhooks held back (in order, or newest first); return how many."""
        return self.engine.release(newest_first=newest_first)

    @property
    def automation_deliveries(self) -> list[Delivery]:
        """Every web request the automation rules sent."""
        return self.automation.deliveries

    def _automation_headers(self, delivery: Delivery) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        for rule in self.engine.rules:
            if rule.url == delivery.endpoint:
                headers.update(rule.headers)
                break
        return headers

    def unavailable_next(self, count: int = 1, retry_after: float | None = None,
                         **match: Any) -> Fault:
        """The next requests answer 503, with ``Retry-After`` only when given."""
        return self.inject("status", count, status=503, retry_after=retry_after, **match)

    def limit_issue_writes(self, count: int | None, per_seconds: float = 1.0) -> None:
        """At most ``count`` writes to one issue per ``per_seconds`` (``None``: no limit)."""
        self.issue_writes.limit, self.issue_writes.window = count, per_seconds

    def search_lag(self, seconds: float) -> None:
        """``search/jql`` finds an issue only ``seconds`` after its creation (on the sandbox's
        clock) unless the search reconciles it (``reconcileIssues``): Jira's search index
        lags behind writes."""
        self.search_lag_seconds = seconds
