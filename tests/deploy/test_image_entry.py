"""The container image, without a container engine (CI has none): the Dockerfile builds the
bridge and its three plugins in one stage and runs them unprivileged in another, with the
bundled policies; its exact ENTRYPOINT + CMD, run here as a plain process with the image's
environment (its state folder in a temporary one), migrates, logs where its database is,
becomes ready, passes the image's HEALTHCHECK command and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import tomllib
from pathlib import Path
from typing import Any

import httpx
from deploy_files import (
    ROOT,
    BridgeProcess,
    Dockerfile,
    dockerignore_excludes,
    free_port,
    on_this_machine,
    parse_dockerfile,
    run,
)

PLUGINS = ("zendesk", "jira", "salesforce")


def _project(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _image_files(dockerfile: Dockerfile) -> dict[str, Path]:
    """Files the runtime stage copies from the checkout: path in the image -> checkout."""
    return {dest: ROOT / source for source, dest in dockerfile.copied(dockerfile.final)}


def _image_environment(dockerfile: Dockerfile, state: Path) -> dict[str, str]:
    """The image's ENV with its state folder (WORKDIR) at ``state`` (PATH left to this
    machine: the commands are mapped to the virtualenv's)."""
    workdir = dockerfile.final.last("WORKDIR").text
    return {name: value.replace(workdir, str(state))
            for name, value in dockerfile.final.env().items() if name != "PATH"}


def test_the_image_is_built_from_wheels_and_runs_unprivileged() -> None:
    dockerfile = parse_dockerfile()
    build, runtime = dockerfile.stages
    assert build.base == runtime.base == "python:3.11-slim"
    # The build stage copies everything the wheels are built from, the policies the core's
    # wheel force-includes among them, and builds the core's and each plugin's wheel.
    copied = {source.rstrip("/") for source, _ in dockerfile.copied(build)}
    force_included = _project(ROOT / "pyproject.toml")["tool"]["hatch"]["build"]["targets"][
        "wheel"]["force-include"]
    assert "config/policies" in force_included
    assert set(force_included) <= copied
    for plugin in PLUGINS:
        assert {f"plugins/{plugin}/pyproject.toml", f"plugins/{plugin}/src"} <= copied
    wheels = " ".join(i.text for i in build.all("RUN"))
    assert "pip wheel" in wheels
    assert all(f"./plugins/{plugin}" in wheels for plugin in PLUGINS)
    for source in copied | {s for s, _ in dockerfile.copied(runtime)}:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
        assert not dockerignore_excludes(source), f".dockerignore leaves {source} out"
    for private in (".venv/bin/python", ".git/config", ".env", "config/.env",
                    "tests/conftest.py", "src/sla_bridge/__pycache__/x.pyc"):
        assert dockerignore_excludes(private), f".dockerignore lets {private} in"

    # The runtime stage installs the four distributions from those wheels only.
    installs = " ".join(i.text for i in runtime.all("RUN"))
    names = [_project(ROOT / "pyproject.toml")["project"]["name"]] + [
        _project(ROOT / "plugins" / p / "pyproject.toml")["project"]["name"] for p in PLUGINS]
    assert "--no-index" in installs
    assert all(name in installs.split() for name in names), names
    user = runtime.last("USER").text.split(":")[0]
    assert user not in ("root", "0")
    assert "useradd --system" in installs
    assert f" {user}" in installs
    env = runtime.env()
    assert runtime.last("EXPOSE").text == env["SLA_BRIDGE_SERVER__PORT"] == "8080"
    workdir = runtime.last("WORKDIR").text
    assert workdir in runtime.last("VOLUME").text
    assert env["SLA_BRIDGE_DATABASE_URL"] == f"sqlite:///{workdir}/sla-bridge.db"

    options, probe = dockerfile.healthcheck()
    assert probe[0] == "python"
    assert probe[-1] == "/healthz"
    assert _image_files(dockerfile)[probe[1]] == ROOT / "deploy" / "healthcheck.py"
    assert {"interval", "timeout", "start-period", "retries"} <= set(options)


def test_the_image_command_migrates_serves_probes_and_stops_on_sigterm(
        testdesk: Any, tmp_path: Path) -> None:
    dockerfile = parse_dockerfile()
    command = on_this_machine(dockerfile.entry_command(), {})
    assert Path(command[0]).name == "sla-bridge"
    assert command[1:] == ["serve"]
    state = tmp_path / "state"  # the image's volume; the bridge creates what it needs
    image_env = _image_environment(dockerfile, state)
    port = free_port()
    # Listen on this machine's loopback (the image's 0.0.0.0 is the container's own).
    env = testdesk.subprocess_env(**{**image_env, "SLA_BRIDGE_SERVER__HOST": "127.0.0.1",
                                     "SLA_BRIDGE_SERVER__PORT": str(port)})
    state.mkdir()
    bridge = BridgeProcess(command, env, cwd=state)
    _, probe = dockerfile.healthcheck()
    probe = on_this_machine(probe, _image_files(dockerfile))
    # The probe reads the same variables as the bridge: the image's wildcard host included.
    probe_env = testdesk.subprocess_env(**{**image_env, "SLA_BRIDGE_SERVER__PORT": str(port)})
    try:
        bridge.wait_ready(f"http://127.0.0.1:{port}/readyz")
        healthy = run(probe, probe_env, cwd=tmp_path)
        assert healthy.returncode == 0, healthy.stderr
        ready = run([*probe[:-1], "/readyz"], probe_env, cwd=tmp_path)
        assert ready.returncode == 0, ready.stderr
        webhook = httpx.post(f"http://127.0.0.1:{port}/webhooks/testdesk", timeout=10,
                             content=b"{}", headers={"x-testdesk-delivery": "d-1"})
        assert webhook.status_code == 401  # unsigned: the image's bridge checks signatures
    finally:
        status = bridge.stop()
    output = bridge.output()
    assert status in (0, -signal.SIGTERM), output  # uvicorn re-raises SIGTERM
    assert (state / "sla-bridge.db").is_file()
    assert f"database SQLite file {state.resolve() / 'sla-bridge.db'}" in output
    assert "platforms testdesk (enforce)" in output
    assert "Running upgrade" in output  # `serve` migrated the new database first
    assert "sla-bridge stopped" in output
    assert "Traceback" not in output

    gone = run(probe, probe_env, cwd=tmp_path)  # nothing listens: the probe says so
    assert gone.returncode == 1
    assert f"127.0.0.1:{port}/healthz: no answer" in gone.stderr
