"""compose.yaml: PostgreSQL, a one-shot ``migrate``, two bridge replicas that do not migrate,
a TLS proxy in front of both. Its services' commands and environment, run here as plain
processes on a real PostgreSQL: ``migrate`` brings a new schema to the newest migration, then
both replicas start together on it, become ready, pass their readiness probe, take webhooks
and stop cleanly on SIGTERM; their logs name the database with its password masked."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import httpx
from deploy_files import (
    ROOT,
    BridgeProcess,
    compose,
    free_port,
    on_this_machine,
    parse_dockerfile,
    run,
)
from sla_bridge_testdesk import sign

REPLICAS = ("bridge-1", "bridge-2")
PASSWORD = "compose-pw-never-logged-3e9"


def _replica_probe(service: dict[str, Any]) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD"
    dockerfile = parse_dockerfile()
    files = {dest: ROOT / src for src, dest in dockerfile.copied(dockerfile.final)}
    return on_this_machine(test[1:], files)


def test_compose_runs_postgres_a_migration_and_two_replicas_behind_a_proxy() -> None:
    services = compose()["services"]
    image_command = parse_dockerfile().final.last("CMD").exec_form()

    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")

    migrate = services["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}

    for name in REPLICAS:
        replica = services[name]
        assert replica["command"] == image_command
        assert replica["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}}
        env = replica["environment"]
        assert env["SLA_BRIDGE_SERVER__RUN_MIGRATIONS"] == "false"
        assert env["SLA_BRIDGE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["SLA_BRIDGE_DATABASE_URL"]
        assert "${POSTGRES_PASSWORD:?" in env["SLA_BRIDGE_DATABASE_URL"]  # never inline
        assert replica["env_file"] == "sla-bridge.env"  # the secrets
        assert _replica_probe(replica)[-1] == "/readyz"
        assert "ports" not in replica  # only the proxy is reachable from outside
    assert migrate["environment"] == services["bridge-1"]["environment"]

    proxy = services["proxy"]
    assert set(proxy["depends_on"]) == set(REPLICAS)
    mounted = {volume.split(":")[0]: volume.split(":")[1] for volume in proxy["volumes"]}
    assert mounted["./deploy/Caddyfile"] == "/etc/caddy/Caddyfile"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)
    assert upstreams is not None
    assert upstreams.group(1).split() == [f"{name}:8080" for name in REPLICAS]
    assert "health_uri /readyz" in caddyfile
    assert "max_size 1MiB" in caddyfile  # SLA_BRIDGE_SERVER__MAX_BODY_BYTES' default
    assert {"443:443", "127.0.0.1:8081:8081"} <= set(proxy["ports"])


def _environment(service: dict[str, Any], testdesk: Any, database_url: str,
                 port: int) -> dict[str, str]:
    """The service's environment on this machine: the real PostgreSQL for the compose
    network's ``postgres``, a free loopback port for the container's 0.0.0.0:8080."""
    given = {name: str(value) for name, value in service["environment"].items()}
    given.update(SLA_BRIDGE_DATABASE_URL=database_url, SLA_BRIDGE_SERVER__HOST="127.0.0.1",
                 SLA_BRIDGE_SERVER__PORT=str(port))
    env: dict[str, str] = testdesk.subprocess_env(**given)
    return env


def _webhook(port: int, secret: str, ticket_id: str) -> int:
    body = json.dumps({"ticket_id": ticket_id, "event": "updated"}).encode()
    return httpx.post(f"http://127.0.0.1:{port}/webhooks/testdesk", content=body, timeout=10,
                      headers={"x-testdesk-delivery": f"compose-{ticket_id}",
                               "x-testdesk-signature": sign(secret, body)}).status_code


def test_migrate_then_two_replicas_together_on_postgresql(testdesk: Any, pg_url: str,
                                                          tmp_path: Path) -> None:
    services = compose()["services"]
    entrypoint = parse_dockerfile().final.last("ENTRYPOINT").exec_form()
    # Trust authentication takes any password: this one must show nowhere.
    database_url = pg_url.replace("postgres@", f"postgres:{PASSWORD}@", 1)

    migrate = services["migrate"]
    migrated = run(on_this_machine(entrypoint + migrate["command"], {}),
                   _environment(migrate, testdesk, database_url, free_port()), cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert migrated.stdout.rstrip().endswith("(head)")

    bridges: dict[str, tuple[BridgeProcess, int]] = {}
    try:
        for name in REPLICAS:  # both start at once, as compose starts them
            port = free_port()
            env = _environment(services[name], testdesk, database_url, port)
            command = on_this_machine(entrypoint + services[name]["command"], {})
            bridges[name] = (BridgeProcess(command, env, cwd=tmp_path), port)
        for name, (bridge, port) in bridges.items():
            bridge.wait_ready(f"http://127.0.0.1:{port}/readyz")
            probe_env = _environment(services[name], testdesk, database_url, port)
            probe = run(_replica_probe(services[name]), probe_env, cwd=tmp_path)
            assert probe.returncode == 0, probe.stderr
            assert _webhook(port, testdesk.secret, name) == 200
    finally:
        statuses = {name: bridge.stop() for name, (bridge, _) in bridges.items()}

    for name, (bridge, _) in bridges.items():
        output = bridge.output()
        assert statuses[name] in (0, -signal.SIGTERM), output
        records = [json.loads(line) for line in bridge.lines]  # JSON logs, as compose sets
        ready = [r["message"] for r in records if " ready: " in r["message"]]
        assert len(ready) == 1, output
        assert "platforms testdesk (enforce)" in ready[0]
        assert "database PostgreSQL postgresql+psycopg://postgres:**********@127.0.0.1:5432/" \
            "test" in ready[0]
        assert PASSWORD not in output
        assert "Running upgrade" not in output  # `migrate` did; the replicas must not
        assert any(r["message"] == "sla-bridge stopped" for r in records)
        assert "Traceback" not in output

