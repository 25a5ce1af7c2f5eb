"""``sla-bridge serve --workers 2``: /metrics adds up both worker processes, whichever one
answers the scrape, and keeps a replaced worker's counts."""

from __future__ import annotations

import os
import re
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from server_helpers import ServeProcess, wait_for
from sla_bridge_testdesk import new_ticket, sign

RECEIVED = "sla_bridge_webhooks_received_total"


def total(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples with ``labels`` on a Prometheus text page."""
    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples
               if s.name == name and labels.items() <= s.labels.items())


def scrape(url: str) -> str:
    # A new connection each time, so the kernel hands scrapes to either process.
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    return response.text


def per_process(folder: Path) -> dict[int, float]:
    """Webhooks received by each worker process, read from its own counter file."""
    counts: dict[int, float] = {}
    for path in folder.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        counts[pid] = sum(s.value for metric in MultiProcessCollector.merge([str(path)])
                          for s in metric.samples if s.name == RECEIVED)
    return counts


def post(url: str, secret: str, ticket_id: str) -> int:
    body = f'{{"ticket_id": "{ticket_id}", "event": "updated"}}'.encode()
    return httpx.post(f"{url}/webhooks/testdesk", content=body, timeout=10, headers={
        "x-testdesk-delivery": f"d-{ticket_id}", "x-testdesk-signature": sign(secret, body),
    }).status_code


@pytest.mark.slow
def test_two_workers_metrics_add_up_across_processes_and_restarts(testdesk: Any) -> None:
    bridge = ServeProcess(testdesk.subprocess_env(), "--workers", "2")
    try:
        found = wait_for(lambda: re.search(r"kept in (\S+) \(PROMETHEUS_MULTIPROC_DIR\)",
                                           bridge.output()), what="the metrics directory")
        folder = Path(found.group(1))
        wait_for(lambda: len(per_process(folder)) == 2, what="both workers' counter files")
        sent = 0
        # Webhooks on new connections until both processes have taken some.
        while sent < 20 or min(per_process(folder).values()) == 0:
            assert sent < 300, f"one worker took every webhook: {per_process(folder)}"
            testdesk.db.put_ticket(new_ticket(str(sent), datetime.now(UTC)))
            assert post(bridge.url, testdesk.secret, str(sent)) == 200
            sent += 1
        counts = per_process(folder)
        assert sum(counts.values()) == sent
        assert min(counts.values()) > 0

        pages = [scrape(bridge.url) for _ in range(10)]
        assert [total(page, RECEIVED, platform="testdesk") for page in pages] == [sent] * 10
        # Each ticket reconciled once, by one process or the other; each timed.
        page = wait_for(lambda: (text := scrape(bridge.url)) and total(
            text, "sla_bridge_reconciliations_total", outcome="done") == sent and text,
            timeout=60, what="every ticket reconciled")
        assert total(page, "sla_bridge_reconcile_duration_seconds_count") == sent
        assert total(page, "sla_bridge_build_info") == 1  # one series, not one per process
        assert "process_cpu_seconds_total" not in page  # per process: left out (docs)

        # A worker killed is replaced; what it counted stays in the totals.
        victim = max(counts, key=lambda pid: counts[pid])
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(per_process(folder)) == 3, timeout=60,
                 what="the killed worker's replacement")
        for _ in range(5):
            assert total(scrape(bridge.url), RECEIVED, platform="testdesk") == sent
    finally:
        status = bridge.terminate()
    assert status in (0, -signal.SIGTERM), bridge.output()
    assert "Traceback" not in bridge.output()
    assert not folder.exists()  # the run's own directory is removed at the end
