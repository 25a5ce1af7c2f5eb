"""The README's rehearsal, run as written: its shell blocks, verbatim but for the ports (free
ones instead of 8765 and 8080), as real processes: the sandbox with its people, ``setup``
writing the secret to ``.env``, ``serve``, then the customer's request, the admin API, the
agent's reply and the admin API again, with curl."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

README = Path(__file__).resolve().parents[1] / "README.md"
PORTS = ("8765", "8080")  # the sandbox's and the bridge's, as the README has them


def rehearsal_blocks() -> list[str]:
    """The ``sh`` blocks of the README's "A rehearsal" section."""
    section = README.read_text().split("\n## A rehearsal\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Run a block with bash in ``tmp_path``, in its own process group, with the bridge's
    commands on the PATH and no SLA_BRIDGE_* variable of the test run; stopped at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    started: list[subprocess.Popen[str]] = []

    def run(block: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(["bash", "-e", "-c", block], cwd=tmp_path, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=True)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def wait_until(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except (requests.RequestException, ValueError, KeyError, IndexError):
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_readmes_rehearsal_runs_as_written(
        shell: Callable[..., subprocess.Popen[str]], tmp_path: Path) -> None:
    ports = {old: str(free_port()) for old in PORTS}
    blocks = rehearsal_blocks()
    for old, new in ports.items():
        blocks = [block.replace(old, new) for block in blocks]
    zendesk, bridge, people = blocks
    zendesk_url = f"http://127.0.0.1:{ports['8765']}"
    bridge_url = f"http://127.0.0.1:{ports['8080']}"

    sandbox = shell(zendesk)
    wait_until(lambda: requests.get(f"{zendesk_url}/api/v2/users/me.json", timeout=2,
                                    auth=("grace@gold.test/token", "grace-token")).ok,
               "the sandbox")
    served = shell(bridge)
    wait_until(lambda: requests.get(f"{bridge_url}/readyz", timeout=2).ok, "the bridge")

    customer_asks, admin_looks, agent_answers, admin_looks_again = people.strip().splitlines()
    request = json.loads(subprocess_output(shell(customer_asks)))["request"]
    assert (request["id"], request["via"]["channel"]) == (1, "web")

    def ticket_as_the_admin_api_shows_it() -> dict[str, Any] | None:
        shown: dict[str, Any] = json.loads(subprocess_output(shell(admin_looks)))
        return shown if shown.get("clocks") else None

    before = wait_until(ticket_as_the_admin_api_shows_it, "the bridge to take the ticket")
    assert (before["policy"], before["plan"]) == ("code42-enterprise", "gold")
    [clock] = before["clocks"]
    assert (clock["metric"], clock["met_at"]) == ("first_response", None)
    assert clock["due_at"]

    assert json.loads(subprocess_output(shell(agent_answers)))["ticket"]["id"] == 1

    def met() -> dict[str, Any] | None:
        shown: dict[str, Any] = json.loads(subprocess_output(shell(admin_looks_again)))
        return shown if shown["clocks"][0]["met_at"] else None

    after = wait_until(met, "the first response to be met")
    assert after["timers"] == []
    # The sandbox said who signs in with which token.
    os.killpg(sandbox.pid, signal.SIGTERM)
    banner, _ = sandbox.communicate(timeout=15)
    assert "grace@gold.test      token grace-token" in banner
    assert "avery@vendor.test    token avery-token  agent" in banner
    # setup wrote the secret and said serve reads it only when it starts.
    os.killpg(served.pid, signal.SIGTERM)
    output, _ = served.communicate(timeout=15)
    assert "wrote      signing secret: SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET in .env" in output
    assert "restart `sla-bridge serve`" in output
    # The demo data has the groups the policy names: setup asks for none to be created.
    assert "unchanged  group 'Senior Customer Champions'" in output
    assert "missing: create the group" not in output
    [secret] = [line.split("=", 1)[1] for line in
                (tmp_path / "rehearsal" / ".env").read_text().splitlines()
                if line.startswith("SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET=")]
    assert secret not in output  # neither setup nor serve prints it


def subprocess_output(process: subprocess.Popen[str]) -> str:
    """What a finished command printed (it must succeed)."""
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output
