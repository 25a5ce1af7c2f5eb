"""/metrics on a real uvicorn: build info, process metrics, the gauges read from the
database, the reconcile and vendor-call histograms; and /readyz probes that log nothing."""

from __future__ import annotations

import logging
import platform
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from server_helpers import StartBridge
from sla_bridge_testdesk import new_ticket

from sla_bridge._version import __version__
from sla_bridge.records import TimerSpec
from sla_bridge.worker import drain


def scrape(bridge: Any) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample of the bridge's /metrics page, by name."""
    response = bridge.client.get("/metrics")
    assert response.status_code == 200
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def value(page: dict[str, list[tuple[dict[str, str], float]]], name: str,
          **labels: str) -> float:
    matches = [v for found, v in page.get(name, []) if labels.items() <= found.items()]
    assert len(matches) == 1, f"{name} {labels}: {page.get(name)}"
    return matches[0]


def test_build_info_and_the_process_metrics(start_bridge: StartBridge) -> None:
    page = scrape(start_bridge())
    [(labels, one)] = page["sla_bridge_build_info"]
    assert one == 1
    assert labels["version"] == __version__
    assert labels["python"] == platform.python_version()
    assert "testdesk=0.1" in labels["plugins"].split(",")  # name=version, each platform plugin
    assert value(page, "process_resident_memory_bytes") > 0
    assert value(page, "process_cpu_seconds_total") >= 0
    assert value(page, "python_info", version=platform.python_version()) == 1


def test_open_dead_letters_and_pending_timers_are_read_at_scrape_time(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    page = scrape(bridge)
    assert value(page, "sla_bridge_timers_pending") == 0
    assert value(page, "sla_bridge_dead_letters_open") == 0

    ref = new_ticket("T-9", datetime(2026, 11, 24, tzinfo=UTC)).ref
    soon = datetime.now(UTC) + timedelta(hours=1)
    bridge.store.schedule(ref, [TimerSpec("first_response:warning", soon, {}),
                                TimerSpec("first_response:breach", soon, {})])
    first = bridge.store.dead_letter("k1", ref, "{}", "refused", 3)
    bridge.store.dead_letter("k2", ref, "{}", "refused", 3)
    page = scrape(bridge)
    assert value(page, "sla_bridge_timers_pending") == 2
    assert value(page, "sla_bridge_dead_letters_open") == 2

    bridge.store.resolve_dead_letter(first, "discarded")
    assert value(scrape(bridge), "sla_bridge_dead_letters_open") == 1


def test_reconcile_duration_and_vendor_call_latency(testdesk: Any,
                                                    start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    testdesk.db.put_ticket(new_ticket("T-1", datetime.now(UTC), plan="gold",
                                      customer_severity="2"))
    assert bridge.webhook("T-1", "d-1").status_code == 200
    assert [r.outcome for r in drain(bridge.runtime).reconciled] == ["done"]
    page = scrape(bridge)
    labels = {"platform": "testdesk", "outcome": "done"}
    assert value(page, "sla_bridge_reconcile_duration_seconds_count", **labels) == 1
    assert value(page, "sla_bridge_reconcile_duration_seconds_sum", **labels) > 0
    assert value(page, "sla_bridge_reconciliations_total", **labels) == 1
    fetch = {"platform": "testdesk", "operation": "fetch"}
    assert value(page, "sla_bridge_vendor_call_duration_seconds_count", **fetch) == 1
    assert value(page, "sla_bridge_vendor_call_duration_seconds_bucket", le="+Inf",
                 **fetch) == 1
    calls = sum(v for found, v in page["sla_bridge_vendor_calls_total"]
                if found["status"] == "ok")
    timed = sum(v for found, v in page["sla_bridge_vendor_call_duration_seconds_count"])
    assert calls == timed >= 2  # the fetch and at least one write, each timed


def test_readyz_probes_do_not_log_alembic_lines(start_bridge: StartBridge,
                                                caplog: pytest.LogCaptureFixture) -> None:
    bridge = start_bridge()
    with caplog.at_level(logging.DEBUG):
        for _ in range(5):
            assert bridge.client.get("/readyz").status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []
