"""Prometheus metrics, one registry per runtime so tests and replicas do not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """Every metric the bridge exports on ``GET /metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.webhooks_received = Counter(
            "sla_bridge_webhooks_received", "Webhooks accepted into the inbox",
            ["platform"], registry=r)
        self.webhooks_duplicate = Counter(
            "sla_bridge_webhooks_duplicate", "Webhook events already in the inbox",
            ["platform"], registry=r)
        self.webhooks_rejected = Counter(
            "sla_bridge_webhooks_rejected", "Webhooks refused, by reason",
            ["platform", "reason"], registry=r)
        self.inbox_depth = Gauge(
            "sla_bridge_inbox_depth", "Events waiting for reconciliation", registry=r)
        self.inbox_oldest_age = Gauge(
            "sla_bridge_inbox_oldest_age_seconds", "Age of the oldest waiting event", registry=r)
        self.timers_scheduled = Counter(
            "sla_bridge_timers_scheduled", "Timers scheduled", registry=r)
        self.timers_fired = Counter("sla_bridge_timers_fired", "Timers fired", registry=r)
        self.timer_lateness = Histogram(
            "sla_bridge_timer_lateness_seconds", "How late timers fired after their due time",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600), registry=r)
        self.reconciliations = Counter(
            "sla_bridge_reconciliations", "Tickets reconciled, by outcome",
            ["platform", "outcome"], registry=r)
        self.vendor_calls = Counter(
            "sla_bridge_vendor_calls", "Calls to platform APIs, by status",
            ["platform", "status"], registry=r)
        self.vendor_retries = Counter(
            "sla_bridge_vendor_retries", "Retried platform API calls", ["platform"], registry=r)
        self.dead_letters = Counter(
            "sla_bridge_dead_letters", "Actions moved to the dead letters", ["platform"],
            registry=r)
        self.sla_breaches = Counter(
            "sla_bridge_sla_breaches", "SLA targets breached",
            ["policy", "plan", "severity"], registry=r)
