"""``sla-bridge serve`` and ``sla-bridge db``: a real process end to end (JSON logs without
secrets, graceful SIGTERM, several workers) and clear errors for what a user can get wrong."""

from __future__ import annotations

import json
import signal
import socket
from typing import Any

import httpx
from server_helpers import ServeProcess
from sla_bridge_testdesk import sign

ADMIN_TOKEN = "admin-token-never-logged-7d41"


def post_webhook(url: str, secret: str, ticket_id: str, delivery: str,
                 signature: str | None = None) -> httpx.Response:
    body = json.dumps({"ticket_id": ticket_id, "event": "updated"}).encode()
    return httpx.post(f"{url}/webhooks/testdesk", content=body, timeout=10, headers={
        "x-testdesk-delivery": delivery,
        "x-testdesk-signature": signature or sign(secret, body)})


def test_serve_logs_json_without_secrets_and_stops_gracefully(testdesk: Any) -> None:
    env = testdesk.subprocess_env(SLA_BRIDGE_LOG_FORMAT="json", SLA_BRIDGE_LOG_LEVEL="DEBUG",
                                  SLA_BRIDGE_ADMIN_TOKEN=ADMIN_TOKEN,
                                  SLA_BRIDGE_WORKER__THREADS="0")
    bridge = ServeProcess(env)
    try:
        assert post_webhook(bridge.url, testdesk.secret, "7", "good-1").status_code == 200
        forged = sign("guessed-secret", b"{}")
        assert post_webhook(bridge.url, testdesk.secret, "7", "forged-1",
                            signature=forged).status_code == 401
        wrong = httpx.get(f"{bridge.url}/v1/timers", timeout=5,
                          headers={"Authorization": "Bearer not-it"})
        assert wrong.status_code == 401
        ok = httpx.get(f"{bridge.url}/v1/timers", timeout=5,
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert ok.status_code == 200
    finally:
        status = bridge.terminate()
    assert status in (0, -signal.SIGTERM), bridge.output()  # uvicorn re-raises SIGTERM

    records = [json.loads(line) for line in bridge.lines]  # every line is one JSON object
    output = bridge.output()
    for secret in (testdesk.secret, ADMIN_TOKEN, forged):
        assert secret not in output
    accepted = [r for r in records if r["message"].startswith("webhook accepted")]
    rejected = [r for r in records if r["message"].startswith("webhook rejected: unauthorized")]
    assert [(r["platform"], r["delivery_id"], r["ticket_id"]) for r in accepted] == [
        ("testdesk", "good-1", "7")]
    assert [(r["platform"], r["delivery_id"], r["level"]) for r in rejected] == [
        ("testdesk", "forged-1", "INFO")]
    assert rejected[0]["remote"] == "127.0.0.1"
    assert not any("admin API" in r["message"] and r["level"] == "WARNING" for r in records)
    assert any(r["message"] == "sla-bridge stopped" for r in records)
    assert "Traceback" not in output


def test_serve_warns_when_the_admin_api_is_disabled_and_runs_two_workers(
        testdesk: Any) -> None:
    bridge = ServeProcess(testdesk.subprocess_env(SLA_BRIDGE_WORKER__THREADS="0"),
                          "--workers", "2")
    try:
        statuses = [post_webhook(bridge.url, testdesk.secret, str(n), f"w-{n}").status_code
                    for n in range(20)]
        assert statuses == [200] * 20
        assert httpx.get(f"{bridge.url}/readyz", timeout=5).status_code == 200
    finally:
        status = bridge.terminate()
    assert status in (0, -signal.SIGTERM), bridge.output()  # uvicorn re-raises SIGTERM
    output = bridge.output()
    assert output.count("SLA_BRIDGE_ADMIN_TOKEN is not set") == 2  # once per worker process
    assert "Traceback" not in output


def test_serve_on_a_port_in_use_exits_with_a_message(run_cli: Any, testdesk: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in result.output
    assert "Traceback" not in result.output


def test_serve_with_a_bad_database_url_exits_with_a_message(run_cli: Any, testdesk: Any) -> None:
    result = run_cli("serve", env={"SLA_BRIDGE_DATABASE_URL": "not a url"})
    assert result.exit_code == 2  # a setting to fix, as every bad setting
    assert "SLA_BRIDGE_DATABASE_URL is not a database URL" in result.output
    assert "Traceback" not in result.output


def test_serve_with_an_unreachable_database_exits_with_a_message(run_cli: Any,
                                                                 testdesk: Any) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        url = f"postgresql+psycopg://bridge:pw-never-shown@127.0.0.1:{port}/bridge"
        result = run_cli("serve", env={"SLA_BRIDGE_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "cannot prepare the database" in result.output
    assert "is unavailable" in result.output
    assert "pw-never-shown" not in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_and_current(run_cli: Any, tmp_path: Any) -> None:
    env = {"SLA_BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'state' / 'bridge.db'}"}
    before = run_cli("db", "current", env=env)
    assert before.exit_code == 1
    assert "never migrated" in before.output
    assert "sla-bridge db upgrade" in before.output
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.startswith("database at revision ")
    assert upgraded.output.rstrip().endswith("(head)")
    after = run_cli("db", "current", env=env)
    assert after.exit_code == 0
    assert after.output.rstrip().endswith("(head)")
    again = run_cli("db", "upgrade", env=env)  # idempotent
    assert again.output == upgraded.output


def test_db_upgrade_with_a_bad_url_exits_with_a_message(run_cli: Any) -> None:
    result = run_cli("db", "upgrade", env={"SLA_BRIDGE_DATABASE_URL": "mysql://x@y/z"})
    assert result.exit_code == 2
    assert "sla-bridge supports sqlite and postgresql" in result.output
