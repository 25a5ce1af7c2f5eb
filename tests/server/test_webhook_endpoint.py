"""POST /webhooks/{platform} against a real uvicorn: signatures, size limit, malformed
bodies, unknown platforms, duplicates and concurrent deliveries."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from server_helpers import StartBridge, wait_for
from sla_bridge_testdesk import sign

LIMIT = 4096


def test_signed_webhook_is_stored_then_acknowledged(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    response = bridge.webhook("T-1", "delivery-1")
    assert response.status_code == 200
    assert response.json() == {"accepted": 1}  # the plugin's acknowledgement, verbatim
    assert bridge.inbox() == [("delivery-1", "T-1")]
    assert bridge.metric("sla_bridge_webhooks_received_total", platform="testdesk") == 1


def test_bad_or_missing_signature_is_401_without_detail(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    wrong = bridge.webhook("T-1", "d-wrong", secret="not-the-secret")
    missing = bridge.webhook("T-1", "d-missing", secret="")
    tampered = bridge.webhook("T-1", "d-tampered",
                              headers={"x-testdesk-signature": "00" * 32})
    for response in (wrong, missing, tampered):
        assert response.status_code == 401
        assert response.content == b'{"error":"unauthorized"}'
        assert "www-authenticate" not in response.headers
    assert bridge.inbox() == []
    assert bridge.metric("sla_bridge_webhooks_rejected_total", platform="testdesk",
                         reason="unauthorized") == 3


def test_body_over_the_limit_is_413_from_content_length(start_bridge: StartBridge) -> None:
    bridge = start_bridge(server={"max_body_bytes": LIMIT})
    body = json.dumps({"ticket_id": "T-1", "padding": "x" * 64 * 1024}).encode()
    response = bridge.webhook(body=body)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    # The connection is still good for the next webhook.
    assert bridge.webhook("T-1", "after-413").status_code == 200
    assert bridge.inbox() == [("after-413", "T-1")]
    assert bridge.metric("sla_bridge_webhooks_rejected_total", platform="testdesk",
                         reason="too_large") == 1


def test_chunked_body_over_the_limit_is_413(start_bridge: StartBridge) -> None:
    bridge = start_bridge(server={"max_body_bytes": LIMIT})
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b'{"ticket_id": "T-1", "padding": "'
        for _ in range(64):
            sent.append(1024)
            yield b"x" * 1024
        yield b'"}'

    response = bridge.client.post("/webhooks/testdesk", content=chunks(),
                                  headers={"x-testdesk-delivery": "chunked"})
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert bridge.inbox() == []


def test_a_body_exactly_at_the_limit_is_accepted(start_bridge: StartBridge) -> None:
    bridge = start_bridge(server={"max_body_bytes": LIMIT})
    head = json.dumps({"ticket_id": "T-1", "padding": ""}).encode()
    body = json.dumps({"ticket_id": "T-1", "padding": "x" * (LIMIT - len(head))}).encode()
    assert len(body) == LIMIT
    assert bridge.webhook(body=body, delivery="at-limit").status_code == 200


def test_chunked_body_under_the_limit_is_accepted(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    body = json.dumps({"ticket_id": "T-9", "event": "created"}).encode()
    response = bridge.client.post(
        "/webhooks/testdesk", content=iter([body[:10], body[10:]]),
        headers={"x-testdesk-delivery": "chunked-ok",
                 "x-testdesk-signature": sign(bridge.secret, body)})
    assert response.status_code == 200
    assert bridge.inbox() == [("chunked-ok", "T-9")]


def test_malformed_payload_is_400_with_the_reason(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    not_json = bridge.webhook(body=b"ticket=1", delivery="d-1")
    assert not_json.status_code == 400
    assert not_json.json() == {"error": "malformed", "reason": "body must be JSON with a ticket_id"}
    no_delivery = bridge.webhook("T-1", headers={"x-testdesk-delivery": ""})
    assert no_delivery.status_code == 400
    assert no_delivery.json()["reason"] == "missing x-testdesk-delivery header"
    assert bridge.inbox() == []
    assert bridge.metric("sla_bridge_webhooks_rejected_total", platform="testdesk",
                         reason="malformed") == 2


def test_unknown_platform_is_404(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    response = bridge.webhook("T-1", platform="nodesk")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_platform"
    # Unknown names share one label value: a scanner cannot grow the metric without bound.
    assert bridge.metric("sla_bridge_webhooks_rejected_total", platform="unknown",
                         reason="unknown_platform") == 1


def test_the_same_delivery_twice_is_200_twice_and_stored_once(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    first = bridge.webhook("T-1", "same-delivery")
    second = bridge.webhook("T-1", "same-delivery")
    assert (first.status_code, second.status_code) == (200, 200)
    assert bridge.inbox() == [("same-delivery", "T-1")]
    assert bridge.metric("sla_bridge_webhooks_received_total", platform="testdesk") == 1
    assert bridge.metric("sla_bridge_webhooks_duplicate_total", platform="testdesk") == 1


def test_concurrent_deliveries_with_duplicates_are_each_stored_once(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    deliveries = [f"burst-{n % 40}" for n in range(80)]  # every delivery id sent twice

    def send(delivery: str) -> int:
        body = json.dumps({"ticket_id": f"T-{delivery[-1]}"}).encode()
        return bridge.client.post("/webhooks/testdesk", content=body, headers={
            "x-testdesk-delivery": delivery,
            "x-testdesk-signature": sign(bridge.secret, body)}).status_code

    with ThreadPoolExecutor(16) as pool:  # one client, up to 16 connections at once
        statuses = list(pool.map(send, deliveries))
    assert statuses == [200] * 80
    stored = [delivery for delivery, _ in bridge.inbox()]
    assert sorted(stored) == sorted(set(deliveries))
    assert bridge.metric("sla_bridge_webhooks_received_total", platform="testdesk") == 40
    assert bridge.metric("sla_bridge_webhooks_duplicate_total", platform="testdesk") == 40



def test_a_sender_that_disconnects_mid_body_is_not_an_error(
        start_bridge: StartBridge, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sla_bridge")
    bridge = start_bridge()
    with socket.create_connection(("127.0.0.1", bridge.port)) as raw:
        raw.sendall(b"POST /webhooks/testdesk HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                    b"x-testdesk-delivery: cut\r\n\r\n" + b'{"ticket_id": "T-1", ')
    wait_for(lambda: any("disconnected" in r.getMessage() for r in caplog.records),
             what="the bridge to notice the disconnect")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bridge.inbox() == []
    assert bridge.webhook("T-1", "next").status_code == 200


def test_other_methods_and_paths_are_not_webhooks(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    assert bridge.client.get("/webhooks/testdesk").status_code == 405
    assert bridge.client.post("/webhooks/testdesk/extra", content=b"{}").status_code == 404
    assert bridge.client.post("/bench/bare/testdesk", content=b"{}").status_code == 404


def test_a_refused_webhook_is_logged_with_the_delivery_id_the_platform_names(
        start_bridge: StartBridge, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sla_bridge")
    bridge = start_bridge()
    assert bridge.webhook("T-1", "delivery-42", secret="wrong").status_code == 401
    [record] = [r for r in caplog.records if "unauthorized" in r.getMessage()]
    assert getattr(record, "delivery_id", None) == "delivery-42"
