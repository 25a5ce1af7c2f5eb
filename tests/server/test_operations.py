"""/healthz, /readyz and /metrics on a real uvicorn."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from server_helpers import StartBridge


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, by name and sorted labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_healthz_answers_while_the_process_runs(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    response = bridge.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_when_database_migrations_and_plugins_are_fine(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    response = bridge.client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "writes": "ok", "plugins": "ok (testdesk)",
        "mode": "ok (enforce)"}}


def test_readyz_503_when_the_schema_is_not_migrated(start_bridge: StartBridge) -> None:
    bridge = start_bridge(server={"run_migrations": False})
    response = bridge.client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert "sla-bridge db upgrade" in checks["migrations"]
    # No inbox table yet: the sender is told to retry, not that it sent something wrong.
    webhook = bridge.webhook("T-1", "too-early")
    assert webhook.status_code == 503
    assert webhook.headers["retry-after"] == "5"


def test_readyz_503_without_a_platform_plugin(start_bridge: StartBridge) -> None:
    bridge = start_bridge(disabled_plugins=["testdesk"])
    response = bridge.client.get("/readyz")
    assert response.status_code == 503
    assert "no platform plugin" in response.json()["checks"]["plugins"]
    assert bridge.webhook("T-1").status_code == 404


def test_metrics_move_with_webhooks(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    before = bridge.client.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    assert samples(before.text)[("sla_bridge_inbox_depth", ())] == 0

    bridge.webhook("T-1", "m-1")
    bridge.webhook("T-2", "m-2")
    bridge.webhook("T-2", "m-2")
    bridge.webhook("T-3", "m-3", secret="wrong")
    bridge.webhook(body=b"not json", delivery="m-4")
    page = samples(bridge.client.get("/metrics").text)
    testdesk = (("platform", "testdesk"),)
    assert page[("sla_bridge_webhooks_received_total", testdesk)] == 2
    assert page[("sla_bridge_webhooks_duplicate_total", testdesk)] == 1
    assert page[("sla_bridge_webhooks_rejected_total",
                 (("platform", "testdesk"), ("reason", "unauthorized")))] == 1
    assert page[("sla_bridge_webhooks_rejected_total",
                 (("platform", "testdesk"), ("reason", "malformed")))] == 1
    assert page[("sla_bridge_inbox_depth", ())] == 2  # no workers here: both still wait
    assert page[("sla_bridge_inbox_oldest_age_seconds", ())] >= 0
