"""The bridge on PostgreSQL, reached through a proxy the test can stop: while the database
is unreachable webhooks get 503 with Retry-After (the sender retries) and /readyz says
why; once it is back, the same delivery is accepted."""

from __future__ import annotations

import time

from server_helpers import StartBridge, TcpProxy, through_proxy


def test_webhook_503_while_postgres_is_unreachable_then_recovers(
        start_bridge: StartBridge, pg_url: str, pg_proxy: TcpProxy) -> None:
    bridge = start_bridge(database_url=through_proxy(pg_url, pg_proxy.port))
    assert bridge.webhook("T-1", "before").status_code == 200
    assert bridge.webhook("T-1", "before").status_code == 200  # duplicate on PostgreSQL too
    assert bridge.client.get("/readyz").status_code == 200

    pg_proxy.stop()  # the listener and every connection through it are gone
    during = bridge.webhook("T-1", "during")
    assert during.status_code == 503
    assert during.headers["retry-after"] == "5"
    assert during.json() == {"error": "unavailable"}
    ready = bridge.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["checks"]["database"].startswith("unavailable")
    assert bridge.client.get("/healthz").status_code == 200  # alive, just not ready
    assert bridge.client.get("/metrics").status_code == 200  # scrapes still answer
    assert bridge.metric("sla_bridge_webhooks_rejected_total", platform="testdesk",
                         reason="unavailable") == 1

    pg_proxy.start()  # same port: the pool reconnects
    retried = bridge.webhook("T-1", "during")
    assert retried.status_code == 200
    assert bridge.client.get("/readyz").status_code == 200
    assert bridge.inbox() == [("before", "T-1"), ("during", "T-1")]
    assert bridge.metric("sla_bridge_webhooks_received_total", platform="testdesk") == 2
    assert bridge.metric("sla_bridge_webhooks_duplicate_total", platform="testdesk") == 1


def test_a_silent_partition_is_503_within_the_store_timeout_and_readyz_within_a_second(
        start_bridge: StartBridge, pg_url: str, pg_proxy: TcpProxy) -> None:
    bridge = start_bridge(database_url=through_proxy(pg_url, pg_proxy.port),
                          server={"store_timeout_seconds": 1.0})
    assert bridge.webhook("T-1", "before").status_code == 200

    pg_proxy.silent.set()  # packets go nowhere, nothing is reset
    started = time.monotonic()
    during = bridge.webhook("T-1", "during")
    waited = time.monotonic() - started
    assert during.status_code == 503
    assert during.headers["retry-after"] == "5"
    assert waited < 4, f"the webhook waited {waited:.1f} s"
    started = time.monotonic()
    ready = bridge.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "no answer within 1 s"
    assert time.monotonic() - started < 2.5

    pg_proxy.silent.clear()  # the partition heals: the held commit lands, the retry is a dup
    assert bridge.webhook("T-1", "during").status_code == 200
    assert [d for d, _ in bridge.inbox()] == ["before", "during"]
