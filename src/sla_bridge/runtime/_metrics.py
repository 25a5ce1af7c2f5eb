"""Prometheus metrics, one registry per runtime so tests and replicas do not collide.

Under ``sla-bridge serve --workers N`` every server process counts in prometheus-client's
multiprocess files (:mod:`._multiprocess`) and a scrape adds them up; otherwise a runtime's
metrics live in its own registry. docs/metrics.md lists every metric.
"""

from __future__ import annotations

import platform as _platform
from collections.abc import Mapping
from datetime import UTC, datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from sla_bridge._version import __version__
from sla_bridge.records import ClockRecord, TicketRecord

from ._multiprocess import multiprocess_dir

_SLA_LABELS = ["policy", "plan", "severity", "metric"]
# Vendor API calls take tens of milliseconds to seconds (a slow Salesforce query, a
# Retry-After wait is not inside one call); a reconciliation can include retries.
VENDOR_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
RECONCILE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


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
        # Read from the database when scraped, by whichever process answers: the latest
        # reading is the value ("mostrecent"), not a sum over the processes.
        self.inbox_depth = Gauge(
            "sla_bridge_inbox_depth", "Events waiting for reconciliation", registry=r,
            multiprocess_mode="mostrecent")
        self.inbox_oldest_age = Gauge(
            "sla_bridge_inbox_oldest_age_seconds", "Age of the oldest waiting event",
            registry=r, multiprocess_mode="mostrecent")
        self.timers_pending = Gauge(
            "sla_bridge_timers_pending", "Timers scheduled and not fired yet", registry=r,
            multiprocess_mode="mostrecent")
        self.dead_letters_open = Gauge(
            "sla_bridge_dead_letters_open",
            "Dead letters waiting for an admin (neither replayed nor discarded)", registry=r,
            multiprocess_mode="mostrecent")
        self.timers_scheduled = Counter(
            "sla_bridge_timers_scheduled", "Timers scheduled", registry=r)
        self.timers_fired = Counter("sla_bridge_timers_fired", "Timers fired", registry=r)
        self.timer_lateness = Histogram(
            "sla_bridge_timer_lateness_seconds", "How late timers fired after their due time",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600), registry=r)
        self.reconciliations = Counter(
            "sla_bridge_reconciliations", "Tickets reconciled, by outcome",
            ["platform", "outcome"], registry=r)
        self.reconcile_seconds = Histogram(
            "sla_bridge_reconcile_duration_seconds",
            "Time to reconcile one ticket (fetch, decide, write, remember), by outcome",
            ["platform", "outcome"], buckets=RECONCILE_BUCKETS, registry=r)
        self.vendor_calls = Counter(
            "sla_bridge_vendor_calls", "Calls to platform APIs, by status",
            ["platform", "status"], registry=r)
        self.vendor_call_seconds = Histogram(
            "sla_bridge_vendor_call_duration_seconds",
            "Time one platform API call took (each retry is a call), by operation",
            ["platform", "operation"], buckets=VENDOR_BUCKETS, registry=r)
        self.vendor_retries = Counter(
            "sla_bridge_vendor_retries", "Retried platform API calls", ["platform"], registry=r)
        self.dead_letters = Counter(
            "sla_bridge_dead_letters", "Actions moved to the dead letters", ["platform"],
            registry=r)
        self.sla_breaches = Counter(
            "sla_bridge_sla_breaches", "SLA targets breached (an answer after the due instant "
            "included), once per target", _SLA_LABELS, registry=r)
        self.sla_met = Counter(
            "sla_bridge_sla_met", "SLA targets met in time, once per target", _SLA_LABELS,
            registry=r)
        # Every process sets the same labels to 1: "max" shows them once.
        self.build_info = Gauge(
            "sla_bridge_build_info", "The running sla-bridge: its version, Python's and the "
            "platform plugins' (name=version, comma-separated)",
            ["version", "python", "plugins"], registry=r, multiprocess_mode="max")
        if multiprocess_dir() is None:
            # Process metrics are only right for one process: prometheus-client's
            # multiprocess mode does not support custom collectors such as these (its
            # docs: "Custom collectors do not work (e.g. cpu and memory metrics)"), so under
            # --workers N they are left out and the process manager or node exporter is
            # the place to watch each process's CPU and memory.
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)

    def exposition(self) -> bytes:
        """The metrics page in Prometheus's text format: this runtime's registry, or under
        multiprocess mode the sum of every server process's files."""
        folder = multiprocess_dir()
        if folder is None:
            return generate_latest(self.registry)
        # A fresh registry per scrape, as prometheus-client's docs say: the runtime's own
        # would add this process's values a second time.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def set_build_info(self, plugins: Mapping[str, str]) -> None:
        """Set ``sla_bridge_build_info`` to 1 with the platform plugins' versions."""
        listed = ",".join(f"{name}={version}" for name, version in sorted(plugins.items()))
        self.build_info.labels(__version__, _platform.python_version(), listed).set(1)

    def count_settled(self, before: TicketRecord | None, after: TicketRecord) -> None:
        """Count the SLA targets a reconciliation settled, from the ticket's clocks as
        remembered (``before``) and as just stored (``after``)."""
        severity = after.vendor_severity or after.customer_severity or ""
        for metric, met in settled_targets(before, after):
            counter = self.sla_met if met else self.sla_breaches
            counter.labels(after.policy_id or "", after.plan or "", severity, metric).inc()


def settled_targets(before: TicketRecord | None,
                    after: TicketRecord) -> list[tuple[str, bool]]:
    """The SLA targets settled between two stored looks at a ticket, as (metric, met in
    time) pairs: each target once, whichever look notices it.

    A clock is settled when it is breached (unmet past its due instant, or met late) or
    met in time; one settled on the earlier look is not again. A new period of the same
    metric (the next-update clock restarts at each public agent reply) settles the one it
    replaces: breached if that was due before the reply, else met. A clock stopped without
    an answer (the ticket solved before its due instant) is neither.
    """
    remembered = {clock.metric: clock for clock in before.clocks} if before else {}
    settled: list[tuple[str, bool]] = []
    for clock in after.clocks:
        old = remembered.get(clock.metric)
        if old is not None and _utc(old.started_at) != _utc(clock.started_at):
            if not _settled(old):
                late = old.due_at is not None and _utc(clock.started_at) > _utc(old.due_at)
                settled.append((old.metric, not late))
            old = None
        if old is not None and _settled(old):
            continue
        if clock.breached:
            settled.append((clock.metric, False))
        elif clock.met_at is not None:
            settled.append((clock.metric, True))
    return settled


def _settled(clock: ClockRecord) -> bool:
    return clock.breached or clock.met_at is not None


def _utc(at: datetime) -> datetime:
    # In UTC: == across zones is False for an instant in a repeated hour (PEP 495).
    return at.astimezone(UTC)
